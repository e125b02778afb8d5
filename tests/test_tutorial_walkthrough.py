"""The README's "Your own model, end to end" walkthrough runs as written, every step exit 0.

Each command of the README block is run in a copy of ``examples/tutorial`` (through
``neurocost.cli.main``, as the ``neurocost`` script does) and its output is checked against
figures that hold for any weights: the hand count in ``tutorial_cnn.claims.yaml`` (35,296,000
dense synaptic ops and 69,050 neuron updates per sample over 25 steps).
"""

from __future__ import annotations

import re
import shlex
import shutil
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import pytest

from neurocost.cli import main
from neurocost.sweeps.store import ResultsStore

ROOT = Path(__file__).resolve().parents[1]
DENSE_OPS = "3.5296e+07 ops"  # 1,411,840 per step x 25 steps (tutorial_cnn.claims.yaml)
UPDATES = "69050 updates"  # (12x12x12 + 64x4x4 + 10) neurons x 25 steps


def _readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\ncd examples/tutorial\n(.*?)```", text, re.S)
    assert block, "README lost the tutorial walkthrough"
    lines = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert all(line.startswith("neurocost ") for line in lines)
    return [shlex.split(line)[1:] for line in lines]


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory) -> tuple[Path, list[tuple[list[str], int, str]]]:
    """Every README command run once, in order, in a fresh copy of the example folder."""
    folder = tmp_path_factory.mktemp("walk") / "tutorial"
    shutil.copytree(ROOT / "examples" / "tutorial", folder,
                    ignore=shutil.ignore_patterns("results", "report-*", "*.nir", "*.onnx",
                                                 "__pycache__"))
    capture = pytest.MonkeyPatch()
    capture.chdir(folder)
    runs = []
    try:
        for argv in _readme_commands():
            out = StringIO()
            with redirect_stdout(out):  # the console, and claims check's Markdown, write here
                code = main(argv)
            runs.append((argv, code, out.getvalue()))
    finally:
        capture.undo()
    return folder, runs


def _run(walkthrough, command: str, model: str | None = None) -> tuple[int, str]:
    matches = [(code, out) for argv, code, out in walkthrough[1]
               if argv[0] == command and (model is None or argv[1] == model)]
    assert matches, f"the walkthrough lost its {command} step"
    return matches[0]


def test_every_step_exits_zero(walkthrough):
    failed = [" ".join(argv) for argv, code, _ in walkthrough[1] if code != 0]
    assert not failed


def test_trace_counts_the_tutorial_architecture(walkthrough):
    code, out = _run(walkthrough, "trace", "tutorial_cnn.py:build")
    assert code == 0 and DENSE_OPS in out and UPDATES in out
    assert "coverage               100.0%" in out


def test_estimates_name_their_profile_and_regime(walkthrough):
    outputs = [out for argv, _, out in walkthrough[1] if argv[0] == "estimate"]
    assert [re.search(r"profile   (\S+)", out).group(1) for out in outputs] == ["loihi", "cmos45"]
    assert all("regime" in out and "per sample" in out for out in outputs)


def test_sweep_prices_each_chip_on_its_own_grid(walkthrough):
    folder, _ = walkthrough
    rows = ResultsStore(folder / "results" / "tutorial-cnn").read()
    # sweep.yaml: beta in {0.5, 0.9} x (loihi: 2 spike energies + cmos45: 3 voltages)
    assert len(rows) == 2 * (2 + 3)
    assert rows.groupby("profile_id").size().to_dict() == {"cmos45": 6, "loihi": 4}
    assert rows["energy_j"].gt(0).all()


def test_report_is_written(walkthrough):
    folder, _ = walkthrough
    assert (folder / "report-tutorial" / "report.html").stat().st_size > 0


@pytest.mark.parametrize("exported", ["cnn.onnx", "cnn.nir"])
def test_exported_files_trace_back_to_the_same_architecture(walkthrough, exported):
    folder, _ = walkthrough
    assert (folder / exported).is_file()
    code, out = _run(walkthrough, "trace", exported)
    assert code == 0 and DENSE_OPS in out and UPDATES in out


def test_the_onnx_file_traces_to_the_model_files_counts_to_the_digit(walkthrough):
    # --seed (default 0) draws the same initial weights and spikes in every command, so the
    # exported weights are the ones `trace tutorial_cnn.py:build` counted
    def totals(out: str) -> list[str]:
        return [line for line in out.splitlines() if line.startswith("  effective_")
                or line.startswith("  spikes ")]

    _, from_model = _run(walkthrough, "trace", "tutorial_cnn.py:build")
    _, from_file = _run(walkthrough, "trace", "cnn.onnx")
    assert len(totals(from_model)) == 5 and totals(from_file) == totals(from_model)


def test_claims_file_passes(walkthrough):
    code, out = _run(walkthrough, "claims")
    assert code == 0 and out.count("| pass |") == 3
