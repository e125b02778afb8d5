"""Nothing unchecked passes: a claims run fails when user code exits, when nothing was checked,
and when a golden file was edited to mean something else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neurocost.claims.runner import ClaimsResult, check_claims
from neurocost.cli import EXIT_CLAIM_FAILED, main
from tests.claims.scratch import QUIET

pytest_plugins = ["pytester"]

MODEL = """
from torch import nn
from neurocost.models.layers import BinaryLinear

def bnn():
    return nn.Sequential(BinaryLinear(16, 8), BinaryLinear(8, 4))
"""


def _claims(tmp_path: Path, model_code: str, expected: object = 160) -> Path:
    (tmp_path / "model.py").write_text(model_code)
    path = tmp_path / "paper.claims.yaml"
    path.write_text(
        "claims:\n  - id: bnn-bops\n    source: 'derivation: 16*8 + 8*4'\n"
        f"    model: {{spec: '{tmp_path / 'model.py'}:bnn', input: {{shape: [16]}}}}\n"
        f"    metric: bops\n    expected: {expected}\n"
    )
    return path


def test_a_model_file_that_calls_sys_exit_fails_its_claim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _claims(tmp_path, "import sys\nsys.exit(0)\n" + MODEL)
    assert main(["claims", "check", str(path)]) == EXIT_CLAIM_FAILED
    out = capsys.readouterr().out
    assert "SystemExit" in out
    assert "0 of 1 claims hold." in out


def test_sys_exit_is_this_claims_error_outcome_in_the_python_api(tmp_path: Path) -> None:
    result = check_claims([_claims(tmp_path, "raise SystemExit(3)\n" + MODEL)])
    assert [o.status for o in result.outcomes] == ["error"]
    assert result.passed is False


def test_a_run_that_checked_no_claim_does_not_pass() -> None:
    assert ClaimsResult(outcomes=[], golden_changes=[]).passed is False


def test_an_edited_golden_unit_is_stale_not_a_pass(tmp_path: Path) -> None:
    path = _claims(tmp_path, MODEL, expected="golden")
    assert main(["claims", "check", "--update", str(path)]) == 0
    golden = tmp_path / "paper.golden.json"
    data = json.loads(golden.read_text())
    assert data["entries"]["bnn-bops"]["unit"] == "BOPs"
    data["entries"]["bnn-bops"]["unit"] = "MACs"
    golden.write_text(json.dumps(data))
    result = check_claims([path])
    assert [o.status for o in result.outcomes] == ["stale"]
    assert "unit was 'MACs', is 'BOPs' now" in result.outcomes[0].message


def test_a_nan_golden_value_is_a_golden_file_error(tmp_path: Path) -> None:
    path = _claims(tmp_path, MODEL, expected="golden")
    assert main(["claims", "check", "--update", str(path)]) == 0
    golden = tmp_path / "paper.golden.json"
    golden.write_text(golden.read_text().replace('"value": 160.0', '"value": NaN'))
    result = check_claims([path])
    assert result.outcomes[0].status == "error"
    assert "finite" in result.outcomes[0].message


def test_golden_files_are_written_through_a_fresh_temp_file_never_a_symlink(
    tmp_path: Path,
) -> None:
    path = _claims(tmp_path, MODEL, expected="golden")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "paper.golden.json.tmp").symlink_to(victim)  # the old fixed temp name
    assert main(["claims", "check", "--update", str(path)]) == 0
    assert victim.read_text() == "keep me"
    assert json.loads((tmp_path / "paper.golden.json").read_text())["entries"]["bnn-bops"]


def test_the_pytest_plugin_reports_sys_exit_as_this_claims_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(exits="import sys\nsys.exit(0)\n" + MODEL)
    pytester.makefile(".claims.yaml", paper=(
        "claims:\n  - id: bnn-bops\n    source: s\n"
        "    model: {spec: 'exits.py:bnn', input: {shape: [16]}}\n"
        "    metric: bops\n    expected: 160\n"
    ))
    result = pytester.runpytest(*QUIET, "--claims-report", "r.json")
    result.assert_outcomes(failed=1)
    report = json.loads((pytester.path / "r.json").read_text())
    assert [(c["id"], c["status"]) for c in report["claims"]] == [("bnn-bops", "error")]
    assert report["passed"] is False
