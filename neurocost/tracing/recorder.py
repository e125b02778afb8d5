"""Turns each synaptic layer call, neuron update and attention matmul into one row of counts.

The recorder only keeps integers: every row is built from the tensors of one call and then the
tensors are let go, so memory does not grow with the number of steps.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
import torch.nn as nn

from neurocost.errors import NeurocostError
from neurocost.models.contract import declared_bits_per_weight, declared_encoding
from neurocost.models.encodings import BINARY, SPIKE, Encoding, int_, op_class
from neurocost.tracing import counting, elementwise, tags
from neurocost.tracing.columns import make_row
from neurocost.tracing.neurons import (
    framework,
    membrane,
    membrane_attribute,
    state_variables,
)
from neurocost.tracing.trace_record import Gap


class UnsupportedOperation(NeurocostError, RuntimeError):
    """A module or op does compute that the tracer cannot count (raised in strict mode)."""


@dataclass
class _Layer:
    """What the recorder remembers about one synaptic module between calls."""

    name: str
    kind: str
    input_encoding: Encoding | None
    weight_encoding: Encoding
    weight_bits: float
    fanouts: dict[tuple[int, ...], counting.FanOut] = field(default_factory=dict)
    checked: bool = False


@dataclass(frozen=True)
class _Neuron:
    """What the recorder remembers about one neuron module: its class decides all of it."""

    state_variables: int | None
    framework: str
    membrane: str  # the attribute holding the membrane potential
    exact_spike_sum: bool  # graded spike factor 1: spikes are exactly 0.0 or 1.0


class Recorder:
    """Collects rows for one ``trace()`` call.

    ``step`` is set by the driver for stepwise models; for models that loop over time themselves
    (``step`` is None) a layer's k-th call is its step k.
    """

    def __init__(self, batch_size: int, strict: bool) -> None:
        self.batch_size = batch_size
        self.strict = strict
        self.step: int | None = None
        self.rows: list[tuple] = []
        self.elementwise_rows: list[dict[str, object]] = []
        self.gaps: dict[tuple[str, str], Gap] = {}
        self.warnings: list[str] = []
        self.module_types: dict[str, str] = {}  # layer name -> exact class, module-level rows
        self._calls: dict[str, int] = defaultdict(int)
        self._layers: dict[int, _Layer] = {}
        self._neurons: dict[int, _Neuron] = {}

    # ---- rows --------------------------------------------------------------------------------
    def _step_for(self, layer: str) -> int:
        if self.step is not None:
            return self.step
        step = self._calls[layer]
        self._calls[layer] += 1
        return step

    @contextmanager
    def at_step(self, step: int | None) -> Iterator[None]:
        """Record the rows of one slice of a multi-step call at ``step`` (None: as usual)."""
        if step is None:
            yield
            return
        was, self.step = self.step, step
        try:
            yield
        finally:
            self.step = was

    def _add(self, **row: object) -> None:
        self.rows.append(make_row(row))

    def gap(self, where: str, what: str, dense_ops: int) -> None:
        """Record (or, when strict, raise on) compute the tracer does not understand."""
        if self.strict:
            raise UnsupportedOperation(
                f"{what} in {where!r} does compute that neurocost cannot count exactly. "
                "Pass strict=False to record it as a gap (it lowers trace.coverage), or "
                "replace it with a supported layer."
            )
        key = (where, what)
        old = self.gaps.get(key)
        self.gaps[key] = Gap(where, what, dense_ops + (old.dense_ops if old else 0),
                             1 + (old.calls if old else 0))

    # ---- synaptic modules --------------------------------------------------------------------
    def layer_info(self, module: nn.Module, name: str, kind: str,
                   forced_input: Encoding | None) -> _Layer:
        info = self._layers.get(id(module))
        if info is None:
            self.module_types[name] = elementwise.qualname(module)
            weight_enc = declared_encoding(module, "weight") or tags.encoding_of(module.weight)
            bits = declared_bits_per_weight(module) or float(weight_enc.bits)
            info = _Layer(name, kind, forced_input or declared_encoding(module, "input"),
                          weight_enc, bits)
            self._layers[id(module)] = info
        return info

    def synaptic_call(self, module: nn.Module, info: _Layer, x: torch.Tensor,
                      out: torch.Tensor) -> None:
        """Count one call of a Linear / Conv1d / Conv2d (or a subclass declaring encodings)."""
        in_enc = info.input_encoding or tags.encoding_of(x)
        if not info.checked:
            self._check_values(info.name, x, in_enc, declared_by_layer=info.input_encoding)
            info.checked = True
        if info.kind == "linear":
            shape_key = (x.shape[-1],)
        else:
            spatial = 1 if info.kind == "conv1d" else 2
            if x.dim() == spatial + 1:  # unbatched call
                x = x.unsqueeze(0)
            shape_key = tuple(x.shape[1:])
        fanout = info.fanouts.get(shape_key)
        if fanout is None:
            fanout = self._fanout(module, info, shape_key)
            info.fanouts[shape_key] = fanout
        per_row = math.prod(shape_key)
        if in_enc.kind == "binary" or x.is_meta:  # +-1 has no zeros; shapes only: all count
            effective = x.numel() // per_row * fanout.effective_per_sample
            nonzero = x.numel()
        else:
            effective, nonzero = counting.effective_ops(counting.nonzero_counts(x, per_row),
                                                        fanout)
        calls = x.numel() // per_row if info.kind == "linear" else x.shape[0]
        weight_elems = module.weight.numel()
        out_bits = tags.encoding_of(out).bits
        self._add(
            layer=info.name, kind=info.kind, step=self._step_for(info.name),
            op_class=op_class(in_enc, info.weight_encoding), in_encoding=str(in_enc),
            weight_encoding=str(info.weight_encoding), in_bits=in_enc.bits,
            weight_bits=info.weight_bits, batch=self.batch_size,
            dense_ops=fanout.dense_per_sample * calls,
            effective_ops=effective,
            nominal_ops=fanout.nominal_per_sample * calls,
            in_elems=x.numel(), in_nonzero=nonzero, out_elems=out.numel(),
            weight_bits_read=weight_elems * info.weight_bits * self.batch_size,
            weight_bits_read_event=effective * info.weight_bits,
            act_bits_in=x.numel() * in_enc.bits, act_bits_out=out.numel() * out_bits,
        )

    def _fanout(self, module: nn.Module, info: _Layer, shape_key: tuple[int, ...]) \
            -> counting.FanOut:
        # no zeros (+-1), or no values to look at (meta): every weight counts, no pass over them
        # (nor the quantisation that would give the applied weight: its shape is the weight's)
        dense = info.weight_encoding == BINARY or module.weight.is_meta
        weight = module.weight if dense or not hasattr(module, "effective_weight") else \
            module.effective_weight()
        nonzero = None if dense else weight != 0
        if info.kind == "linear":
            return counting.linear_fanout(tuple(weight.shape), nonzero)
        geometry = counting.ConvConnectivity(
            tuple(module.stride), _padding(module, shape_key), tuple(module.dilation),
            module.groups)
        return counting.conv_fanout(tuple(weight.shape), shape_key, geometry, nonzero)

    # ---- embedding tables --------------------------------------------------------------------
    def lookup_call(self, module: nn.Module, name: str, ids: torch.Tensor,
                    out: torch.Tensor) -> None:
        """Count one embedding lookup: no arithmetic, one table row read per id.

        Dense and event-driven machines read the same rows, so both weight-read columns hold
        ``ids x embedding_dim x bits per entry``.
        """
        weight_enc = declared_encoding(module, "weight") or tags.encoding_of(module.weight)
        bits = declared_bits_per_weight(module) or float(weight_enc.bits)
        read = ids.numel() * module.embedding_dim * bits
        id_enc = int_(torch.iinfo(ids.dtype).bits)
        self._add(
            layer=name, kind="embedding", step=self._step_for(name), op_class="",
            in_encoding=str(id_enc), weight_encoding=str(weight_enc),
            in_bits=id_enc.bits, weight_bits=bits, batch=self.batch_size,
            in_elems=ids.numel(), in_nonzero=ids.numel(), out_elems=out.numel(),
            weight_bits_read=read, weight_bits_read_event=read,
            act_bits_in=ids.numel() * id_enc.bits,
            act_bits_out=out.numel() * tags.encoding_of(out).bits,
        )

    # ---- neurons -----------------------------------------------------------------------------
    def neuron_call(self, module: nn.Module, name: str, spikes: torch.Tensor) -> None:
        """Count one time step of a neuron layer (every neuron updates once)."""
        info = self._neurons.get(id(module))
        if info is None:
            info = _Neuron(state_variables(module), framework(module), membrane_attribute(module),
                           _unit_spikes(module))
            self._neurons[id(module)] = info
        n_state = info.state_variables
        if n_state is None:
            self.gap(name, f"{info.framework} neuron {type(module).__name__} (its state "
                     "variables are not known to neurocost)", 0)
            return
        neurons = spikes.numel()
        potential = membrane(module, info.membrane)
        state_bits = 32 if potential is None else tags.encoding_of(potential).bits
        tags.tag(spikes, SPIKE)
        if spikes.is_meta:
            spikes_out = 0
        elif info.exact_spike_sum:  # exactly 0.0 or 1.0: their sum is the exact count
            spikes_out = _unit_spike_count(spikes)
        else:
            spikes_out = counting.count_nonzero(spikes)
        self._add(
            layer=name, kind=type(module).__name__, step=self._step_for(name), op_class="",
            in_encoding="", weight_encoding="", batch=self.batch_size,
            neurons=neurons, neuron_updates=neurons, spikes_out=spikes_out, out_elems=neurons,
            state_bits_read=neurons * n_state * state_bits,
            state_bits_written=neurons * n_state * state_bits,
            act_bits_out=neurons * SPIKE.bits,
        )

    # ---- activation x activation products ----------------------------------------------------
    def matmul_call(self, name: str, kind: str, a: torch.Tensor, b: torch.Tensor,
                    out: torch.Tensor, is_weight_b: bool) -> None:
        """Count ``a @ b`` (batched, broadcast) found below module level."""
        a_enc, b_enc = tags.encoding_of(a), tags.encoding_of(b)
        dense = out.numel() * a.shape[-1]
        if a.is_meta or b.is_meta:  # shapes only: every pair counts
            effective, a_nonzero = dense, a.numel()
        else:
            a_nz = torch.ones_like(a, dtype=torch.bool) if a_enc == BINARY else a != 0
            b_nz = torch.ones_like(b, dtype=torch.bool) if b_enc == BINARY else b != 0
            effective = counting.matmul_effective_ops(a_nz, b_nz)
            a_nonzero = int(a_nz.sum().item())
        b_bits = b.numel() * b_enc.bits
        self._add(
            layer=name, kind=kind, step=self._step_for(name), op_class=op_class(a_enc, b_enc),
            in_encoding=str(a_enc), weight_encoding=str(b_enc), in_bits=a_enc.bits,
            weight_bits=b_enc.bits, batch=self.batch_size,
            dense_ops=dense, effective_ops=effective, nominal_ops=dense,
            in_elems=a.numel(), in_nonzero=a_nonzero, out_elems=out.numel(),
            weight_bits_read=b_bits if is_weight_b else 0,
            weight_bits_read_event=effective * b_enc.bits if is_weight_b else 0,
            act_bits_in=a.numel() * a_enc.bits + (0 if is_weight_b else b_bits),
            act_bits_out=out.numel() * tags.encoding_of(out).bits,
        )

    def attention_call(self, name: str, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                       attend: torch.Tensor, out: torch.Tensor) -> None:
        """Count fused scaled-dot-product attention as its two products, QK^T and PV.

        ``attend`` is the boolean [.., Lq, Lk] mask of pairs the softmax keeps: softmax output is
        strictly positive there and exactly zero elsewhere, which makes the PV count exact.
        """
        self.matmul_call(f"{name}.qk", "matmul", q, k.transpose(-2, -1), attend, False)
        probs = attend.to(q.dtype)  # stands for P: only its zero pattern is used
        self.matmul_call(f"{name}.pv", "matmul", probs, v, out, False)

    # ---- element-wise work -------------------------------------------------------------------
    def elementwise(self, name: str, row: dict[str, object], x: torch.Tensor | None,
                    of_layer_call: bool = False) -> None:
        """Keep one element-wise row (``neurocost.tracing.elementwise``) for ``name``;
        ``of_layer_call``: it belongs to the synaptic call just recorded (a bias addition) and
        takes that call's step."""
        if of_layer_call:
            step = self.step if self.step is not None else self._calls[name] - 1
        else:
            step = self._step_for(name)
        row.update(layer=name, step=step, batch=self.batch_size,
                   in_encoding=str(tags.encoding_of(x)) if x is not None else "")
        self.elementwise_rows.append(row)

    # ---- value checks ------------------------------------------------------------------------
    def _check_values(self, name: str, x: torch.Tensor, enc: Encoding,
                      declared_by_layer: Encoding | None) -> None:
        """Warn (once per layer) when data contradicts a declared encoding."""
        allowed = enc.allowed_values()
        if allowed is None or declared_by_layer is not None or x.is_meta:
            return  # layers that binarise their own input see pre-binarisation values
        ok = torch.zeros_like(x, dtype=torch.bool)
        for value in allowed:
            ok |= x == value
        if not bool(ok.all()):
            message = (f"{name}: input declared {enc} holds values outside {allowed}; "
                       "op classes follow the declaration")
            self.warnings.append(message)
            warnings.warn(message, stacklevel=2)


def _unit_spike_count(spikes: torch.Tensor) -> int:
    """How many of ``spikes`` (each exactly 0.0 or 1.0) are 1. A float32 sum is exact while the
    count stays below 2**24 (every partial sum is a representable integer) and is several times
    faster than converting to float64 first."""
    if spikes.dtype == torch.float32 and spikes.numel() < 2**24:
        return int(spikes.sum().item())
    return int(spikes.sum(dtype=torch.float64).item())


def _unit_spikes(module: nn.Module) -> bool:
    """Whether snnTorch's graded spike factor is 1 (unknowable on the meta device: no)."""
    factor = getattr(module, "graded_spikes_factor", 0.0)
    if isinstance(factor, torch.Tensor) and factor.is_meta:
        return False
    return float(factor) == 1.0


def _padding(module: nn.Module, shape_key: tuple[int, ...]) -> tuple[int, ...]:
    """Numeric padding of a conv module; ``padding='same'`` is resolved for stride 1."""
    padding = module.padding
    if padding == "valid":
        return (0,) * (len(shape_key) - 1)
    if padding == "same":
        reach = [d * (k - 1) for d, k in zip(module.dilation, module.kernel_size, strict=True)]
        if any(r % 2 for r in reach):
            raise UnsupportedOperation(
                "padding='same' with an even kernel reach pads unevenly; use numeric padding")
        return tuple(r // 2 for r in reach)
    return tuple(padding)
