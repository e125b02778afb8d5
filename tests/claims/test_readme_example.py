"""The README's "Test your paper's efficiency claims" example works as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.claims.scratch import QUIET

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Test your paper's efficiency claims"


def _example_files() -> tuple[str, str]:
    """The section's first Python block (the model) and first YAML block (the claims)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, flags=re.S)
    python = next(body for lang, body in blocks if lang == "python")
    claims = next(body for lang, body in blocks if lang == "yaml")
    return python, claims


def test_readme_example_records_its_golden_then_holds(pytester: pytest.Pytester) -> None:
    model, claims = _example_files()
    (pytester.path / "my_model.py").write_text(model)
    (pytester.path / "claims").mkdir()
    (pytester.path / "claims" / "my_paper.claims.yaml").write_text(claims)

    pytester.runpytest(*QUIET, "claims", "--claims-update").assert_outcomes(passed=3)
    result = pytester.runpytest(*QUIET, "claims", "--claims-report", "claims-report.md")
    result.assert_outcomes(passed=3)
    assert "3 of 3 claims hold." in (pytester.path / "claims-report.md").read_text()
