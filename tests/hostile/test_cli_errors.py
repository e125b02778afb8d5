"""The command line: one line per error (the traceback only with --debug), and exit codes that
say what happened: 0 all checked and passed, 1 a claim failed, 2 an input error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from neurocost.cli import EXIT_CLAIM_FAILED, EXIT_INPUT_ERROR, EXIT_OK, main
from neurocost.errors import NeurocostError

UNSUPPORTED = """
from torch import nn

def lstm():
    return nn.LSTM(4, 8)
"""


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("error: ")
    return err


def test_exit_codes_are_distinct_and_documented() -> None:
    assert (EXIT_OK, EXIT_CLAIM_FAILED, EXIT_INPUT_ERROR) == (0, 1, 2)
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "| 2 |" in readme and "--debug" in readme and "results store" in readme


def test_an_unsupported_operation_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "odd.py").write_text(UNSUPPORTED)
    argv = ["trace", f"{tmp_path / 'odd.py'}:lstm", "--random", "3,2,4", "--call-once"]
    assert main(argv) == EXIT_INPUT_ERROR
    assert "mkldnn_rnn_layer" in _error_line(capsys)
    assert main(["--debug", *argv]) == EXIT_INPUT_ERROR
    assert "Traceback" in capsys.readouterr().err


def test_an_empty_batch_is_an_input_error_not_zero_joules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["estimate", "zoo:smlp", "--random", "2,0,784"]) == EXIT_INPUT_ERROR
    assert "input is empty" in _error_line(capsys)


def test_a_profile_that_is_not_utf8_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "toy.yaml"
    path.write_bytes(b"id: caf\xe9\n")
    assert main(["profiles", "validate", str(path)]) == EXIT_INPUT_ERROR
    assert f"{path}: profile file is not UTF-8" in _error_line(capsys)


@pytest.mark.parametrize(("name", "content"), [
    ("model.onnx", b"\x00garbage"), ("model.nir", b"garbage"), ("model.pt", b"garbage"),
    ("input.npy", b"\x93NUMPY\x01\x00trunc"),
])
def test_a_garbage_model_or_input_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    is_input = path.suffix in (".pt", ".npy")
    argv = ["trace", "zoo:smlp", "--input", str(path)] if is_input else \
        ["trace", str(path), "--random", "2,4"]
    assert main(argv) == EXIT_INPUT_ERROR
    assert str(path) in _error_line(capsys)


def test_a_results_path_that_is_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "results").write_text("mine")
    spec = tmp_path / "s.yaml"
    spec.write_text(yaml.safe_dump({"name": "s", "models": [{"source": "zoo:smlp"}],
                                    "profiles": ["cmos45"]}))
    assert main(["sweep", str(spec)]) == EXIT_INPUT_ERROR
    assert "is a file; a results store is a folder" in _error_line(capsys)
    assert (tmp_path / "results").read_text() == "mine"


def test_every_neurocost_error_class_is_one_base() -> None:
    import neurocost.claims.files
    import neurocost.claims.golden
    import neurocost.claims.measure
    import neurocost.energy.conventions
    import neurocost.energy.params
    import neurocost.energy.registry
    import neurocost.energy.resolve
    import neurocost.energy.scaling
    import neurocost.hw.kernels.runtime
    import neurocost.hw.kernels.toolchain
    import neurocost.interchange.loading
    import neurocost.interchange.nir_io
    import neurocost.interchange.onnx_export
    import neurocost.interchange.onnx_import
    import neurocost.models.zoo.registry
    import neurocost.sim.architecture
    import neurocost.sim.core_work
    import neurocost.sim.mapping
    import neurocost.sweeps.executors
    import neurocost.sweeps.spec
    import neurocost.sweeps.store
    import neurocost.tracing.recorder
    import neurocost.tracing.workload

    def all_subclasses(cls: type) -> set[type]:
        return set(cls.__subclasses__()).union(*(all_subclasses(c) for c in cls.__subclasses__()))

    ours = {c.__name__ for c in all_subclasses(NeurocostError)}
    assert {
        "ClaimsFileError", "GoldenFileError", "ClaimSetupError", "UnknownConventionError",
        "OverrideError", "ProfileError", "PricingError", "ScalingError", "CudaUnavailableError",
        "ToolNotFoundError", "CompileError", "ModelSpecError", "NirConversionError",
        "OnnxExportError", "UnsupportedOnnxOp", "UnknownModelError", "ArchitectureError",
        "MappingError", "CoreWorkError", "SchedulerError", "InputError", "SweepSpecError",
        "CorruptResultsError", "UnsupportedOperation",
    } <= ours
    # the old bases still catch what they caught
    assert issubclass(neurocost.tracing.recorder.UnsupportedOperation, RuntimeError)
    assert issubclass(neurocost.models.zoo.registry.UnknownModelError, KeyError)
    assert issubclass(neurocost.interchange.onnx_export.OnnxExportError, RuntimeError)


@pytest.mark.parametrize(("option", "message"), [
    ("beta", "expected KEY=VALUE with a keyword name"),
    ("1x=2", "expected KEY=VALUE with a keyword name"),
    ("hidden=[32", "the value is not YAML"),
])
def test_a_malformed_variant_option_names_itself(
    capsys: pytest.CaptureFixture[str], option: str, message: str
) -> None:
    assert main(["trace", "zoo:smlp", "--variant", option]) == EXIT_INPUT_ERROR
    assert f"--variant {option!r}: {message}" in _error_line(capsys)


def test_variant_options_reach_the_factory(capsys: pytest.CaptureFixture[str]) -> None:
    # zoo:smlp with hidden widths [32]: (784 x 32 + 32 x 10) synapses x 4 steps = 101,632
    assert main(["trace", "zoo:smlp", "--samples", "1", "--variant", "hidden=[32]"]) == EXIT_OK
    assert "dense_ops              101632 ops" in capsys.readouterr().out
    assert main(["trace", "zoo:smlp", "--samples", "1", "--variant", "hidden=[32]",
                 "--variant", "hidden=[8]"]) == EXIT_INPUT_ERROR
    assert "--variant hidden: given twice" in _error_line(capsys)
