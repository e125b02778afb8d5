"""``trace()``: run a model once and record exactly what it does, per layer and step."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import torch
import torch.nn as nn

from neurocost.models.encodings import Encoding, parse_encoding
from neurocost.models.state import StateWatch, reset_state
from neurocost.tracing import elementwise, tags
from neurocost.tracing.columns import ADDITIVE, COLUMNS, text_column
from neurocost.tracing.interception import (
    Interceptor,
    Scope,
    classify_modules,
    install_module_hooks,
)
from neurocost.tracing.recorder import Recorder, UnsupportedOperation
from neurocost.tracing.trace_record import Trace, TraceInputError

__all__ = ["trace", "UnsupportedOperation"]


def trace(
    model: nn.Module | str | Path,
    x: torch.Tensor,
    steps: int | None = None,
    strict: bool = True,
    *,
    call: Literal["per_step", "once"] | None = None,
    input_encoding: str | Encoding | None = None,
    batch_dim: int | None = None,
) -> Trace:
    """Run ``model`` on ``x`` under ``torch.no_grad()`` and count its activity exactly.

    Args:
        model: a torch / snnTorch module, or a reference understood by
            ``neurocost.interchange.load_model`` (``zoo:NAME``, ``pkg.mod:factory``, a file).
        x: the input: time-first ``[T, B, ...]`` for a model called per step, else what its one
            call takes. Either way every neuron starts from rest
            (``neurocost.models.state.reset_state``), so a trace does not depend on what ran
            before it.
        steps: time steps. Per step, ``T`` (``x.shape[0]``; None takes it from ``x``); once,
            the steps the model runs by itself in its one call (1 for an ANN/BNN on ``[B, ...]``).
        call: ``"per_step"`` calls the model once per step on ``x[t]`` (snnTorch convention);
            ``"once"`` calls it once on ``x``. Unset, ``steps=None`` means per step and a number
            means once (the front door, ``neurocost.tracing.workload``, decides it from the
            model).
        strict: raise ``UnsupportedOperation`` on compute the tracer cannot count, and on state
            a module keeps between calls that no reset rule covers (see
            ``neurocost.register_state_reset``); with ``strict=False`` such work is recorded in
            ``trace.gaps`` and lowers ``coverage``, and such state is named in
            ``trace.warnings``.
        input_encoding: what the input values mean (``"spike"``, ``"binary"``, ``"int8"`` ...);
            by default the input is floating point, so a first layer fed it performs MACs.
        batch_dim: the batch dimension of ``x`` when ``steps`` is given (default: 1 if
            ``x.shape[0] == steps > 1``, else 0).

    Returns:
        A ``Trace``: one row per (layer, step) with counts summed over the batch;
        ``trace.totals()`` gives per-sample figures summed over steps.
    """
    steps = _steps_for(call, steps, x)
    if isinstance(model, (str, Path)):
        from neurocost.interchange.loading import load_model

        spec = str(model)
        model = load_model(spec)
        model_name = spec
    else:
        model_name = type(model).__name__
    _check_input(x, steps)
    batch = _batch_size(x, steps, batch_dim)
    declared = parse_encoding(input_encoding) if input_encoding is not None else None

    rec = Recorder(batch, strict)
    scope = Scope()
    roles = classify_modules(model, root_name="model")
    _check_step_mode(roles, steps)
    weight_storages = {p.untyped_storage().data_ptr() for p in model.parameters()}
    was_training = model.training
    model.eval()
    reset_state(model)
    watch = StateWatch(model)
    handles = install_module_hooks(roles, scope, rec)
    try:
        with torch.no_grad(), _mha_fastpath_off(), Interceptor(scope, rec, weight_storages):
            if steps is None:
                for t in range(x.shape[0]):
                    rec.step = t
                    model(_declare(x[t], declared))
                n_steps = x.shape[0]
            else:
                model(_declare(x, declared))
                n_steps = steps
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    _check_state(watch, rec)
    return Trace(layers=_frame(rec.rows), batch_size=batch, steps=n_steps, model=model_name,
                 gaps=list(rec.gaps.values()), warnings=rec.warnings,
                 elementwise=elementwise.frame(rec.elementwise_rows),
                 module_types=dict(rec.module_types))


_FLOAT_COLUMNS = {"weight_bits", "weight_bits_read", "weight_bits_read_event"}
_INT_COLUMNS = {"step", "batch", "in_bits", *ADDITIVE} - _FLOAT_COLUMNS


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """The rows as a DataFrame, built column by column (ten times faster than from records)."""
    values = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
    data: dict[str, object] = {}
    for name, column in zip(COLUMNS, values, strict=True):
        if name in _INT_COLUMNS:
            data[name] = np.asarray(column, dtype=np.int64)
        elif name in _FLOAT_COLUMNS:
            data[name] = np.asarray(column, dtype=np.float64)
        else:
            data[name] = text_column(column)
    return pd.DataFrame(data, columns=COLUMNS, copy=False)


def _steps_for(call: str | None, steps: int | None, x: torch.Tensor) -> int | None:
    """``steps`` in the driver's terms: None to call per step on ``x[t]``, N to call once."""
    if call is None:
        return steps
    if call == "once":
        return 1 if steps is None else steps
    if call != "per_step":
        raise TraceInputError(f"call must be 'per_step' or 'once', got {call!r}")
    if steps is not None and x.dim() >= 1 and steps != x.shape[0]:
        raise TraceInputError(f"call='per_step' runs one step per x[t]: steps={steps} differs from "
                         f"the input's time axis, x.shape[0]={x.shape[0]}")
    return None


def _check_input(x: torch.Tensor, steps: int | None) -> None:
    """Refuse an input whose counts would be meaningless: an empty batch or time axis (the trace
    would be all zeros with coverage 1.0, priced as "0 J per sample"), or NaN/inf values."""
    if not isinstance(x, torch.Tensor):
        raise TraceInputError(f"input must be a torch.Tensor, got {type(x).__name__}")
    if x.is_floating_point() and not x.is_meta and not bool(torch.isfinite(x).all()):
        raise TraceInputError(
            "input contains NaN or infinite values; neurocost counts real activity only"
        )
    if steps is None and x.dim() < 2:
        raise TraceInputError(
            f"stepwise models need a time-first input [T, B, ...]; got shape {tuple(x.shape)}. "
            "Pass steps=1 for a model called once on [B, ...]."
        )
    if steps is not None and steps < 1:
        raise TraceInputError(f"steps must be >= 1, got {steps}")
    if steps is None and x.shape[0] == 0:
        raise TraceInputError(f"input has no time steps (T = 0, shape {tuple(x.shape)})")
    if x.numel() == 0:
        raise TraceInputError(f"input is empty (shape {tuple(x.shape)}): no sample to count")


def _batch_size(x: torch.Tensor, steps: int | None, batch_dim: int | None) -> int:
    if steps is None:
        return int(x.shape[1])
    if batch_dim is None:
        batch_dim = 1 if steps > 1 and x.dim() > 1 and x.shape[0] == steps else 0
    return int(x.shape[batch_dim])


def _check_step_mode(roles: dict, steps: int | None) -> None:
    """A multi-step module takes the whole sequence in one call: refuse to feed it x[t]."""
    multi = next((role.name for role in roles.values() if role.multi_step), None)
    if steps is None and multi is not None:
        raise ValueError(
            f"{multi!r} is a SpikingJelly module in multi-step mode: it takes the whole sequence "
            "[T, B, ...] in one call. Pass steps=T (the model is then called once on x), or "
            "set single-step mode with spikingjelly's functional.set_step_mode(model, 's')."
        )


def _declare(x: torch.Tensor, encoding: Encoding | None) -> torch.Tensor:
    """Tag an alias of the caller's tensor, so the caller's own tensor is left unmarked."""
    return tags.tag(x.detach(), encoding) if encoding is not None else x


def _check_state(watch: StateWatch, rec: Recorder) -> None:
    """Refuse (strict) or name (lenient) state the run left behind that no reset rule covers."""
    leftover = watch.changed()
    if not leftover:
        return
    message = (
        f"{', '.join(leftover)} changed during the run and is not reset before the next one, so "
        "a second trace would start from this run's state. Teach neurocost to reset it with "
        "neurocost.register_state_reset(ModuleClass, reset, covers=[attribute names])"
    )
    if rec.strict:
        raise UnsupportedOperation(message + ", or pass strict=False to trace it anyway.")
    rec.warnings.append(message + ".")
    warnings.warn(message, stacklevel=3)


class _mha_fastpath_off:
    """Route nn.MultiheadAttention through its composite path, whose products we can count."""

    def __enter__(self) -> None:
        self._was = torch.backends.mha.get_fastpath_enabled()
        torch.backends.mha.set_fastpath_enabled(False)

    def __exit__(self, *exc: object) -> None:
        torch.backends.mha.set_fastpath_enabled(self._was)

