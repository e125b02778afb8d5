"""Deterministic weight initialisation without disturbing the caller's global RNG."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import torch
from torch import nn

M = TypeVar("M", bound=nn.Module)


def build_seeded(seed: int, build: Callable[[], M]) -> M:
    """Call ``build`` with torch's RNG seeded to ``seed``, restoring the global RNG afterwards."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()
