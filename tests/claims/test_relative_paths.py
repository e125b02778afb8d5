"""Model and profile paths in a claims file are relative to the file, not to where the check
is started."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from neurocost.claims.runner import check_claims
from neurocost.energy.registry import PROFILE_DIR

MODEL = """
from torch import nn
from neurocost.models.layers import BinaryLinear

def bnn(hidden: int = 8):
    return nn.Sequential(BinaryLinear(16, hidden), BinaryLinear(hidden, 4))
"""

CLAIMS = """
claims:
  - id: bops
    source: "derivation: 16*8 + 8*4 XNOR-popcounts"
    model: {spec: "models/tiny_bnn.py:bnn", input: {shape: [16]}}
    metric: bops
    expected: 160
  - id: energy
    source: "neurocost golden"
    model: {spec: "models/tiny_bnn.py:bnn", input: {shape: [16]}}
    profile: profiles/cmos45.yaml
    metric: energy_j
    expected: golden
  - id: bops-on-a-file
    source: "derivation: 16*8 + 8*4 XNOR-popcounts, on the inputs in data/x.npy"
    model: {spec: "models/tiny_bnn.py:bnn", input: {file: data/x.npy}}
    metric: bops
    expected: 160
"""


def test_paths_resolve_against_the_claims_file(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    paper = tmp_path / "paper"
    (paper / "models").mkdir(parents=True)
    (paper / "profiles").mkdir()
    (paper / "models" / "tiny_bnn.py").write_text(MODEL)
    (paper / "profiles" / "cmos45.yaml").write_text((PROFILE_DIR / "cmos45.yaml").read_text())
    (paper / "data").mkdir()
    np.save(paper / "data" / "x.npy", np.ones((3, 16), dtype=np.float32))
    (paper / "p.claims.yaml").write_text(CLAIMS)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = check_claims([Path("../paper/p.claims.yaml")], update=True)
    assert [o.status for o in result.outcomes][0] == "passed"
    assert [o.measured for o in result.outcomes][0] == 160
    assert result.outcomes[1].status == "recorded"  # priced on profiles/cmos45.yaml
    assert (result.outcomes[2].status, result.outcomes[2].measured) == ("passed", 160)
    assert Path.cwd() == elsewhere  # the working directory is given back
