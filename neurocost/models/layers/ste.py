"""Straight-through estimators: non-differentiable rounding in the forward pass, a usable gradient
in the backward pass, so binary and low-bit layers train with ordinary optimisers.

``sign_ste`` maps to {-1, +1} (0 goes to +1, so the output is always a valid 1-bit value) and
passes the gradient where |x| <= 1 (the clipped identity of BinaryConnect / XNOR-Net).
``round_ste`` rounds to the nearest integer and passes the gradient unchanged.
"""

from __future__ import annotations

import torch


class _SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors  # type: ignore[attr-defined]
        return grad * (x.abs() <= 1).to(grad.dtype)


def sign_ste(x: torch.Tensor) -> torch.Tensor:
    """+1 where x >= 0, -1 elsewhere; gradient passed through where |x| <= 1."""
    return _SignSTE.apply(x)


def round_ste(x: torch.Tensor) -> torch.Tensor:
    """Nearest integer forward, identity gradient backward."""
    return x + (torch.round(x) - x).detach()
