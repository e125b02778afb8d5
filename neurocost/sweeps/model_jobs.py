"""Trace one model variant of a sweep on its input, once, and cache the trace in the results store.

A ``ModelJob`` names everything that decides what a model does (source, variant keyword
arguments, trained weights and an input file by content hash, input, seed); its ``key`` is the
cache key, so a resumed sweep reuses the trace instead of running the model again, and retrained
weights or a changed input are traced afresh. An event data set under ``input.root`` is keyed by
its path alone (hashing a data set would cost as much as reading it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import torch

from neurocost.sweeps.spec import SweepInput
from neurocost.sweeps.store import ResultsStore
from neurocost.tracing.trace_record import Trace
from neurocost.tracing.workload import ModelRef, prepare


@dataclass(frozen=True)
class ModelJob:
    """One model variant on one input; ``base_dir`` (the spec's folder) is where relative
    input paths start."""

    label: str
    source: str
    variant: dict[str, Any]
    weights: Path | None
    input: SweepInput
    seed: int
    base_dir: Path

    @cached_property
    def key(self) -> str:
        weights = _file_digest(self.weights, "weights file") if self.weights else None
        data = _file_digest(self.base_dir / Path(self.input.file).expanduser(), "input.file") \
            if self.input.file else None
        payload = {"label": self.label, "source": self.source, "variant": self.variant,
                   "weights": weights, "input": self.input.model_dump(), "input_file": data,
                   "seed": self.seed}
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class TracedModel:
    """A job's trace and, where the input is a labelled data set, its measured accuracy."""

    job: ModelJob
    trace: Trace
    accuracy: float | None
    accuracy_source: str

    def identity(self) -> dict[str, Any]:
        """The columns a result row takes from its model (label, variant, input, accuracy)."""
        return {
            "model": self.job.label,
            "model_source": self.job.source,
            "model_variant": json.dumps(self.job.variant, sort_keys=True, default=str),
            "input": json.dumps(self.job.input.model_dump(), sort_keys=True),
            "accuracy": self.accuracy,
            "accuracy_source": self.accuracy_source,
            "samples": self.trace.batch_size,
            "steps": self.trace.steps,
            "coverage": self.trace.coverage,
        }


def trace_job(job: ModelJob, store: ResultsStore, note: Callable[[str], None]) -> TracedModel:
    """The job's trace from the store's cache, or by running the model (and caching it)."""
    cached = store.load_trace(job.key)
    if cached is not None:
        return TracedModel(job, Trace.from_json(json.dumps(cached["trace"])),
                           cached["accuracy"], str(cached["accuracy_source"]))
    note(f"tracing {job.label}")
    traced = _run(job)
    store.save_trace(job.key, {"trace": traced.trace.to_dict(), "accuracy": traced.accuracy,
                               "accuracy_source": traced.accuracy_source})
    return traced


def _run(job: ModelJob) -> TracedModel:
    from neurocost.interchange.loading import load_model

    torch.manual_seed(job.seed)
    model = load_model(job.source, **job.variant)
    if job.weights is not None:
        from neurocost.models.weights import load_weights

        load_weights(model, job.weights)
    model.eval()
    work = prepare(ModelRef(source=job.source, variant=job.variant), job.input, model=model,
                   label=job.label, base_dir=job.base_dir)
    recorded = work.trace()
    recorded.model = job.label
    return TracedModel(job, recorded, work.accuracy, work.accuracy_source)


def _file_digest(path: Path, what: str) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:20]
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: {what} named in the sweep spec not found") from None
