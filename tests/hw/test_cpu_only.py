"""Without CUDA, neurocost imports cleanly and the GPU path says exactly what is missing."""

import subprocess
import sys

import pytest

from neurocost.hw.kernels import runtime


def test_import_neurocost_needs_no_cuda():
    code = ("import sys, neurocost, neurocost.hw, neurocost.hw.kernels.launch, "
            "neurocost.hw.reference.work; "
            "assert 'cupy' not in sys.modules, 'cupy imported'; "
            "assert 'pynvml' not in sys.modules, 'pynvml imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_gpu_launcher_explains_what_is_missing():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present; this checks the message on CPU-only machines")
    from neurocost.hw.kernels import launch

    with pytest.raises(runtime.CudaUnavailableError, match="no CUDA device visible to torch"):
        launch.pack_bits(torch.zeros(2, 3))


def test_expanded_sources_need_no_include_paths():
    # NVRTC gets this text (and CI compiles exactly it), so it must stand on its own
    from neurocost.hw.kernels.toolchain import expanded_source, kernel_sources

    for path in kernel_sources():
        text = expanded_source(path.name)
        assert "#include" not in text and "#pragma once" not in text, path.name
