"""The README's Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

import neurocost as nc
from neurocost.models import zoo

README = Path(__file__).resolve().parents[1] / "README.md"


def _run_example(first_lines: str) -> dict:
    """Execute the README's python block that starts with ``first_lines``."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"```python\n({re.escape(first_lines)}.*?)```", text, re.S)
    assert match, f"README lost its example starting {first_lines!r}"
    scope: dict = {}
    exec(compile(match.group(1), str(README), "exec"), scope)  # noqa: S102
    return scope


def test_readme_python_example_runs(capsys):
    scope = _run_example("import neurocost as nc\n")
    assert "ACs (per sample, summed over steps)" in capsys.readouterr().out
    # the example's sweep must sweep something: one energy per voltage
    assert scope["grid"]["energy_j"].nunique() == len(scope["grid"]) == 3


def test_readme_published_models_example_runs(capsys):
    pytest.importorskip("spikingjelly")
    pytest.importorskip("transformers")
    _run_example("import torch\nimport neurocost as nc\n")
    bops, bits = (float(line) for line in capsys.readouterr().out.splitlines()[-2:])
    bibert = zoo.get("bibert")  # the same shape, built from neurocost's own layers
    reference = nc.trace(bibert, torch.randint(0, 1000, (2, 32)), steps=1)
    assert bops == reference.totals()["effective_bops"].value > 0
    assert bits == nc.model_size(bibert).bits
