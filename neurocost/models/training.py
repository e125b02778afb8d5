"""Small, deterministic training loops for zoo models on a ``LabelledData`` set, with a progress
bar: enough to put a real accuracy next to an energy estimate.

Models called once are trained on ``[B, ...]`` batches with cross-entropy. Spiking (stepwise)
models are run for ``steps`` time steps (direct encoding by default, or the given encoder; event
data bring their own time axis), their readout membrane (or output) is averaged over the steps
and trained with cross-entropy through the surrogate gradients of snnTorch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from rich.progress import Progress
from torch import nn

from neurocost.models.datasets import LabelledData
from neurocost.models.encoders import DirectEncoder, Encoder
from neurocost.models.state import DEFAULT_STEPS, is_stepwise, reset_state

DIRECT = DirectEncoder()  # the same frame at every step


@dataclass
class TrainResult:
    """Outcome of ``train``: test accuracy (fraction in [0, 1]) after the last epoch, wall time in
    seconds, and the per-epoch history of (mean train loss, test accuracy)."""

    accuracy: float
    seconds: float
    history: list[tuple[float, float]] = field(default_factory=list)


def _logits(model: nn.Module, x: torch.Tensor, steps: int | None, time_axis: bool,
            encoder: Encoder) -> torch.Tensor:
    """Class scores of one batch, averaged over time steps for a stepwise model. A model
    called once on event data takes the batch time-first ``[T, B, ...]`` and runs the steps
    itself, as the tracer drives it."""
    if steps is None:
        return model(x.transpose(0, 1) if time_axis else x)
    frames = x.transpose(0, 1) if time_axis else encoder(x, steps)
    reset_state(model)
    total = 0.0
    for frame in frames:
        out = model(frame)
        total = total + (out[1] if isinstance(out, tuple) else out)
    return total / len(frames)


def evaluate(model: nn.Module, data: LabelledData, steps: int | None = None,
             encoder: Encoder = DIRECT, batch_size: int = 256) -> float:
    """Test accuracy of ``model`` on ``data`` (fraction correct)."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(data.test_x), batch_size):
            x = data.test_x[start : start + batch_size]
            y = data.test_y[start : start + batch_size]
            scores = _logits(model, x, steps, data.has_time_axis, encoder)
            correct += int((scores.argmax(dim=1) == y).sum())
    return correct / len(data.test_x)


def train(
    model: nn.Module,
    data: LabelledData,
    epochs: int = 10,
    *,
    steps: int | None = None,
    encoder: Encoder = DIRECT,
    lr: float = 1e-2,
    batch_size: int = 64,
    seed: int = 0,
    progress: bool = True,
) -> TrainResult:
    """Train ``model`` in place with Adam and cross-entropy; return its test accuracy.

    ``steps``: time steps for a spiking model (default 4 when the model holds snnTorch neurons;
    event data use their own length). Must stay None for a model called once.
    Shuffling is seeded with ``seed``, so a run is reproducible on one machine.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    stepwise = is_stepwise(model)
    if steps is not None and not stepwise:
        raise ValueError("steps was given but the model has no snnTorch neurons (called once)")
    if stepwise and steps is None:
        steps = data.train_x.shape[1] if data.has_time_axis else DEFAULT_STEPS
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    batches = -(-len(data.train_x) // batch_size)
    result = TrainResult(accuracy=0.0, seconds=0.0)
    started = time.perf_counter()
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task(f"training on {data.name}", total=epochs * batches)
        for epoch in range(epochs):
            model.train()
            order = torch.randperm(len(data.train_x), generator=generator)
            loss_sum = 0.0
            for start in range(0, len(order), batch_size):
                index = order[start : start + batch_size]
                scores = _logits(model, data.train_x[index], steps, data.has_time_axis, encoder)
                loss = F.cross_entropy(scores, data.train_y[index])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                loss_sum += float(loss.detach())
                bar.advance(task)
            accuracy = evaluate(model, data, steps, encoder)
            result.history.append((loss_sum / batches, accuracy))
            bar.update(task, description=f"epoch {epoch + 1}/{epochs}: test acc {accuracy:.3f}")
    result.accuracy = result.history[-1][1]
    result.seconds = time.perf_counter() - started
    return result
