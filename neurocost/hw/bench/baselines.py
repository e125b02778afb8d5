"""Dense baselines through torch, so binary and event-driven kernels are compared with the best
dense path at the same logical shape, not with a strawman (reference/cuda.md, K5 and K9)."""

from __future__ import annotations

from typing import Any


def dense_matmul_fp16(a: Any, b: Any) -> Any:
    """fp16 tensor-core GEMM (cuBLAS): a [M, K] @ b [K, N]."""
    import torch

    return torch.matmul(a.to(torch.float16), b.to(torch.float16))


def dense_matmul_bf16(a: Any, b: Any) -> Any:
    """bf16 tensor-core GEMM (cuBLAS): a [M, K] @ b [K, N]."""
    import torch

    return torch.matmul(a.to(torch.bfloat16), b.to(torch.bfloat16))


def int8_pm1_matmul(a_int8: Any, b_int8: Any) -> Any:
    """+-1 values as int8 through ``torch._int_mm`` (cuBLASLt IMMA): int32 [M, N].

    cuBLASLt needs M > 16 and K, N multiples of 8; the error names the shape otherwise.
    """
    import torch

    m, k = a_int8.shape
    n = b_int8.shape[1]
    if m <= 16 or k % 8 or n % 8:
        raise ValueError(f"torch._int_mm needs M > 16 and K, N multiples of 8; got M={m}, "
                         f"K={k}, N={n}")
    return torch._int_mm(a_int8, b_int8)


def dense_spike_matmul(spikes: Any, weights_t: Any) -> Any:
    """Spikes as dense bf16 (exact for {0, 1}) times bf16 weights: the dense SNN layer."""
    import torch

    return torch.matmul(spikes.to(torch.bfloat16), weights_t.to(torch.bfloat16))
