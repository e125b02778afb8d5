"""``neurocost claims check|validate``: the same checks for CI without pytest.

The claims use the same tiny W1A1 MLP as the plugin tests: 16*8 + 8*4 = 160 BOPs per sample.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from neurocost.cli import main

MODEL = """
from torch import nn
from neurocost.models.layers import BinaryLinear

def bnn():
    return nn.Sequential(BinaryLinear(16, 8), BinaryLinear(8, 4))
"""


def _claims_file(tmp_path: Path, expected: object) -> Path:
    (tmp_path / "tiny_bnn.py").write_text(MODEL)
    path = tmp_path / "paper.claims.yaml"
    path.write_text(
        "claims:\n"
        "  - id: bnn-bops\n"
        "    source: 'derivation: 16*8 + 8*4'\n"
        f"    model: {{spec: '{tmp_path / 'tiny_bnn.py'}:bnn', input: {{shape: [16]}}}}\n"
        "    metric: bops\n"
        f"    expected: {expected}\n"
    )
    return path


def test_check_exits_0_and_prints_a_markdown_table_when_claims_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["claims", "check", str(_claims_file(tmp_path, 160))]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 claims hold." in out
    assert "| `bnn-bops` | bops | 160 BOPs | 160 BOPs | exact | pass |" in out


def test_check_exits_1_and_explains_a_failing_claim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "summary.json"
    assert main(["claims", "check", str(_claims_file(tmp_path, 161)), "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "## Claims that do not hold" in out
    assert "deviation: -1 BOPs (-0.621%)" in out
    assert json.loads(report.read_text())["passed"] is False


def test_update_records_goldens_and_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _claims_file(tmp_path, "golden")
    assert main(["claims", "check", str(path)]) == 1
    assert main(["claims", "check", "--update", str(path)]) == 0
    assert "paper.golden.json`: bnn-bops: recorded 160 BOPs" in capsys.readouterr().out
    assert main(["claims", "check", str(path)]) == 0


def test_validate_reads_the_schema_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claims", "validate", str(_claims_file(tmp_path, 160))]) == 0
    assert "1 claims, schema ok" in capsys.readouterr().out
    assert main(["claims", "validate", str(_claims_file(tmp_path, "many"))]) == 2
    assert "field 'expected'" in capsys.readouterr().err


def test_the_plugin_imports_neither_torch_nor_the_claims_machinery() -> None:
    # Loaded in every pytest run of anyone who installs neurocost, so it must stay cheap.
    code = (
        "import sys, neurocost.claims.plugin\n"
        "heavy = [m for m in ('torch', 'pandas', 'pydantic', 'yaml', 'neurocost.claims.schema')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
