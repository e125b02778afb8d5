"""The README's Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(capsys):
    text = README.read_text(encoding="utf-8")
    match = re.search(r"```python\n(import neurocost as nc\n.*?)```", text, re.S)
    assert match, "README lost its 'import neurocost as nc' example"
    scope: dict = {}
    exec(compile(match.group(1), str(README), "exec"), scope)  # noqa: S102
    assert "ACs (per sample, summed over steps)" in capsys.readouterr().out
    # the example's sweep must sweep something: one energy per voltage
    assert scope["grid"]["energy_j"].nunique() == len(scope["grid"]) == 3
