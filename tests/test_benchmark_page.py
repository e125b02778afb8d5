"""``python -m benchmarks.peers`` writes the benchmark page end to end, so the command cannot rot.

One round of the smallest spiking case and the smallest static case; every tool must have run
(the peers are dev dependencies) and given a finite, positive time ratio. Times themselves are
not checked: speed is for the benchmarks, not for unit tests.
"""

from __future__ import annotations

import math

import torch

from benchmarks import peers


def _table_rows(page: str, case: str) -> dict[str, list[str]]:
    """Tool -> cells of the case's row in the seven-column tables (not the workload list)."""
    rows = [line.split("|")[1:-1] for line in page.splitlines() if line.startswith(f"| {case} |")]
    return {cells[1].strip(): [c.strip() for c in cells] for cells in rows if len(cells) == 7}


def test_the_page_has_a_finite_ratio_for_every_tool(tmp_path):
    out = tmp_path / "benchmarks.md"
    argv = ["--out", str(out), "--rounds", "1", "--only", "scnn-b1", "--only", "bcnn"]
    assert peers.main(argv) == 0
    page = out.read_text()
    assert "python -m benchmarks.peers --out" in page  # the page names the command that made it
    for case, tools, ratio_column in (("scnn-b1", peers.SPIKING_TOOLS, 2),
                                      ("bcnn", peers.STATIC_TOOLS, 3)):
        rows = _table_rows(page, case)
        assert sorted(rows) == sorted(tools)
        for tool, cells in rows.items():
            assert "not run" not in cells, f"{case}/{tool}: {cells[-1]}"
            ratio = float(cells[ratio_column].removesuffix("x"))
            assert math.isfinite(ratio) and ratio > 0, f"{case}/{tool}: {cells}"


def test_the_syops_glue_reproduces_the_peer_surveys_figures():
    """syops runs here only through a shim (placeholder neuron names, snnTorch reset), so its
    figures are checked against the survey's own run with syops' pinned SpikingJelly 0.0.0.0.12
    (shared/reference/peers.md, section 3.1, analog input, per sample): 3,136,000 MACs,
    1.29986516e+06 ACs, 8.34560781e+06 ops in total. Same model and input as that survey."""
    from benchmarks.peer_tools import syops
    from tests.tracing.test_peer_reference_bench import _survey_model

    torch.manual_seed(1)
    x = torch.rand(32, 1, 28, 28).unsqueeze(0).repeat(25, 1, 1, 1, 1)
    counts = syops(_survey_model(), x, None)
    assert counts["macs"] == 3_136_000
    assert abs(counts["acs"] - 1.29986516e6) <= 1
    assert abs(counts["dense"] - 8.34560781e6) <= 1
