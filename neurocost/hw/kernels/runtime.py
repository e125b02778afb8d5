"""Loading the kernels on a GPU: CuPy's NVRTC (``RawModule``) for sm_90, torch's current stream.

Nothing here is imported by ``import neurocost``; the first call that needs a GPU imports torch
and CuPy and raises ``CudaUnavailableError`` saying exactly what is missing. NVRTC gets the
header-expanded text (``toolchain.expanded_source``), the same text CI compiles with nvcc, so
CuPy's kernel cache (keyed by code and options) also sees header changes. Modules needing sm_90a
(wgmma) would go through ``toolchain.compile_cubin`` and ``RawModule(path=...)`` instead; none
of the current kernels does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from neurocost.errors import NeurocostError
from neurocost.hw.kernels.toolchain import expanded_source

NVRTC_OPTIONS = ("-std=c++17",)


class CudaUnavailableError(NeurocostError, RuntimeError):
    """The GPU path was asked for but torch with CUDA, a device, or CuPy is missing."""


def require_cuda() -> tuple[Any, Any]:
    """Return ``(torch, cupy)`` once both are importable and a CUDA device is visible."""
    try:
        import torch
    except ImportError as err:  # pragma: no cover - torch is a hard dependency
        raise CudaUnavailableError("torch is not installed") from err
    if not torch.cuda.is_available():
        raise CudaUnavailableError(
            f"no CUDA device visible to torch {torch.__version__} (built for CUDA "
            f"{torch.version.cuda}); the hw/ kernels need an NVIDIA GPU and a CUDA build of torch"
        )
    try:
        import cupy
    except ImportError as err:
        raise CudaUnavailableError(
            f"CuPy is not installed; install the wheel matching torch's CUDA {torch.version.cuda}"
            " (e.g. pip install cupy-cuda13x)"
        ) from err
    return torch, cupy


@cache
def _module(file: str) -> Any:
    _, cupy = require_cuda()
    return cupy.RawModule(code=expanded_source(file), options=NVRTC_OPTIONS)


def launch(
    file: str, entry: str, grid: tuple[int, ...], block: tuple[int, ...], args: tuple
) -> None:
    """Launch ``entry`` of ``kernels/file`` on torch's current stream.

    ``args``: torch tensors (passed as device pointers), None (a null pointer), Python ints
    (int32) and floats (float32), matching the kernel's C signature in order.
    """
    torch, cupy = require_cuda()
    kernel = _module(file).get_function(entry)
    stream = cupy.cuda.ExternalStream(torch.cuda.current_stream().cuda_stream)
    with stream:
        kernel(grid, block, tuple(_kernel_arg(a, torch) for a in args))


def _kernel_arg(value: Any, torch: Any) -> Any:
    if value is None:
        return np.uint64(0)
    if isinstance(value, torch.Tensor):
        if not value.is_cuda or not value.is_contiguous():
            raise ValueError(f"kernel tensors must be contiguous CUDA tensors, got {value.device}")
        return np.uint64(value.data_ptr())
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"unsupported kernel argument {value!r}")
    return np.int32(value) if isinstance(value, int) else np.float32(value)
