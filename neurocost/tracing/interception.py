"""Where the tracer listens: module hooks for layers and neurons, a dispatch mode for ops.

Known synaptic modules (Linear, Conv1d, Conv2d and subclasses that declare encodings) and
embedding tables (lookups: weight rows read, no arithmetic) are counted at module level, where
weight and input are unambiguous; the aten ops they run inside are then ignored. SpikingJelly
modules in multi-step mode take a whole sequence ``[T, B, ...]`` per call, and the layers inside
a ``SeqToANNContainer`` see it with time folded into the batch (``[T*B, ...]``); both are split
back into one row per step. Everything else is seen at the aten level: matrix products between
activations (``torch.matmul``, ``bmm``, ``einsum``, fused scaled-dot-product attention, grouped
query attention included) and functional convolutions are counted there, and ops that contract
tensors in ways we cannot count (RNN kernels, transposed or 3-d convolutions, FFTs, solves and
matrix factorisations, pairwise distances ...) are reported as gaps — an error in strict mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn as nn
from torch.utils._python_dispatch import TorchDispatchMode, _pop_mode, _push_mode

from neurocost.models.contract import declared_encoding
from neurocost.models.encodings import SPIKE, Encoding
from neurocost.tracing import elementwise, tags
from neurocost.tracing.neurons import (
    folds_time,
    is_multi_step,
    is_spiking_neuron,
    is_unknown_stateful,
)
from neurocost.tracing.recorder import Recorder

_aten = torch.ops.aten

_SYNAPTIC_TYPES: tuple[tuple[type[nn.Module], str], ...] = (
    (nn.Conv2d, "conv2d"), (nn.Conv1d, "conv1d"), (nn.Linear, "linear"))


@dataclass
class ModuleRole:
    """How the tracer treats one module of the traced model."""

    name: str
    role: str  # "synaptic" | "neuron" | "lookup" | "elementwise" | "unsupported" | "plain"
    kind: str = ""
    forced_input: Encoding | None = None
    reason: str = ""
    multi_step: bool = False  # called once per sequence [T, B, ...] (SpikingJelly step_mode "m")
    folds_time: bool = False  # runs its children on [T*B, ...] (SpikingJelly SeqToANNContainer)
    output_encoding: Encoding | None = None  # what the module declares its output means


def classify_modules(model: nn.Module, root_name: str) -> dict[int, ModuleRole]:
    """Assign a role to every module reachable from ``model`` (keyed by ``id``)."""
    roles: dict[int, ModuleRole] = {}
    neuron_children: set[int] = set()
    for module in model.modules():
        if is_spiking_neuron(module):
            neuron_children.update(id(m) for m in module.modules() if m is not module)
    for name, module in model.named_modules():
        qualified = name or root_name
        role = ModuleRole(qualified, "plain")
        for cls, kind in _SYNAPTIC_TYPES:
            if isinstance(module, cls):
                role = ModuleRole(qualified, "synaptic", kind)
                if getattr(module, "padding_mode", "zeros") != "zeros":
                    role = ModuleRole(qualified, "unsupported", kind,
                                      reason=f"{type(module).__name__} with padding_mode="
                                      f"{module.padding_mode!r}")
                elif id(module) in neuron_children:  # recurrent weights read spikes
                    role.forced_input = SPIKE
                break
        else:
            if is_spiking_neuron(module):
                role = ModuleRole(qualified, "neuron", type(module).__name__)
            elif isinstance(module, nn.Embedding):
                role = ModuleRole(qualified, "lookup", "embedding")
            elif is_unknown_stateful(module):
                role = ModuleRole(qualified, "unsupported", type(module).__name__,
                                  reason=f"stateful SpikingJelly module {type(module).__name__} "
                                  "(a state update neurocost does not know)")
            elif (op := elementwise.module_op(module)) is not None:
                role = ModuleRole(qualified, "elementwise", op[0], reason=op[1])
        role.multi_step = is_multi_step(module)
        role.folds_time = folds_time(module)
        role.output_encoding = declared_encoding(module, "output")
        roles[id(module)] = role
    return roles


@dataclass
class Scope:
    """The stack of modules currently running, and whether counting is paused."""

    stack: list[ModuleRole] = field(default_factory=list)
    handled_depth: int = 0  # > 0 while inside a module counted at module level
    elementwise_depth: int = 0  # > 0 inside an element-wise module: its ops only pass tags on
    busy: bool = False  # True while the tracer itself computes (its ops are not the model's)
    op_index: list[dict[str, int]] = field(default_factory=list)
    interceptor: Interceptor | None = None
    suspended_by: int | None = None  # id of the module whose forward runs without the mode
    folded_steps: list[int] = field(default_factory=list)  # T of each time-folding container

    def suspend(self, module: nn.Module) -> None:
        """Take the dispatch mode off while a module we count whole runs its own ops.

        Layers, neurons and element-wise modules are counted at module level, so their aten ops
        need no Python round trip; this keeps the trace close to the cost of a plain forward.
        """
        if self.suspended_by is None and self.interceptor is not None:
            popped = _pop_mode()
            if popped is not self.interceptor:
                _push_mode(popped)
                return
            self.suspended_by = id(module)

    def resume(self, module: nn.Module | None = None) -> None:
        """Put the dispatch mode back (when ``module`` is the one that suspended it, or always)."""
        if self.suspended_by is not None and (module is None or self.suspended_by == id(module)):
            self.suspended_by = None
            _push_mode(self.interceptor)

    def op_name(self, op: str) -> str:
        owner = self.stack[-1].name if self.stack else "model"
        counters = self.op_index[-1] if self.op_index else {}
        k = counters.get(op, 0)
        counters[op] = k + 1
        return f"{owner}:{op}#{k}"


def install_module_hooks(roles: dict[int, ModuleRole], scope: Scope, rec: Recorder) -> list:
    """Register global forward hooks that keep ``scope`` and count layers and neurons."""
    stack, op_index, folded_steps = scope.stack, scope.op_index, scope.folded_steps

    def pre_hook(module: nn.Module, args: tuple) -> None:
        role = roles.get(id(module))
        if role is None or scope.busy:
            return
        kind = role.role
        stack.append(role)
        op_index.append({})
        if role.folds_time:
            folded_steps.append(int(args[0].shape[0]))
        if kind == "plain":
            return
        counted_here = kind != "neuron" and scope.handled_depth == 0
        if kind in ("synaptic", "unsupported"):
            scope.handled_depth += 1
        if kind == "elementwise":  # counted whole, tags passed on at module level
            scope.elementwise_depth += 1
        scope.suspend(module)
        role_state[id(module)] = counted_here

    def post_hook(module: nn.Module, args: tuple, output: Any) -> None:
        role = roles.get(id(module))
        if role is None or scope.busy:
            return
        stack.pop()
        op_index.pop()
        if role.folds_time:
            folded_steps.pop()
        kind = role.role
        if kind == "plain":
            if role.output_encoding is not None:
                _declare_output(role, output)
            return
        if kind in ("synaptic", "unsupported"):
            scope.handled_depth -= 1
        elif kind == "elementwise":
            scope.elementwise_depth -= 1
        scope.busy = True
        try:  # counted while the mode is still off: the tracer's own ops skip the round trip
            folded = folded_steps[-1] if folded_steps else None
            _count_module(module, role, args, output, role_state.pop(id(module), False), rec,
                          folded)
        finally:
            scope.busy = False
            scope.resume(module)

    role_state: dict[int, bool] = {}
    return [
        nn.modules.module.register_module_forward_pre_hook(pre_hook),
        nn.modules.module.register_module_forward_hook(post_hook),
    ]


def _count_module(module: nn.Module, role: ModuleRole, args: tuple, output: Any,
                  counted_here: bool, rec: Recorder, folded_steps: int | None) -> None:
    first_out = output[0] if isinstance(output, (tuple, list)) else output
    if role.role == "synaptic" and counted_here:
        info = rec.layer_info(module, role.name, role.kind, role.forced_input)
        for step, x, out in _per_step(role, args[0], first_out, folded_steps):
            if step is None:
                rec.synaptic_call(module, info, x, out)
                continue
            with rec.at_step(step):
                rec.synaptic_call(module, info, x, out)
        if (bias := elementwise.bias_row(module, first_out)) is not None:
            rec.elementwise(role.name, bias, first_out, of_layer_call=True)
    elif role.role == "lookup" and counted_here:
        rec.lookup_call(module, role.name, args[0], first_out)
    elif role.role == "elementwise" and counted_here:
        row = elementwise.module_row(module, role.kind, role.reason, args[0], first_out)
        rec.elementwise(role.name, row, args[0])
        if role.reason in elementwise.VALUE_KEEPING:
            tags.pass_on(tags.tag_of(args[0]), output)
    elif role.role == "unsupported" and counted_here:
        rec.gap(role.name, role.reason, int(first_out.numel()))
    elif role.role == "neuron":
        for step, _, spikes in _per_step(role, first_out, first_out, folded_steps):
            if step is None:
                rec.neuron_call(module, role.name, spikes)
                continue
            with rec.at_step(step):
                rec.neuron_call(module, role.name, spikes)
        encoding = tags.tag_of(spikes)  # the last step's: every step's is the same
        if encoding is not None:
            tags.tag(first_out, encoding)
    if role.output_encoding is not None:
        _declare_output(role, output)


def _declare_output(role: ModuleRole, output: Any) -> None:
    first_out = output[0] if isinstance(output, (tuple, list)) else output
    if isinstance(first_out, torch.Tensor):
        tags.tag(first_out, role.output_encoding)


def _per_step(role: ModuleRole, x: torch.Tensor, out: torch.Tensor, folded_steps: int | None
              ) -> list[tuple[int | None, torch.Tensor, torch.Tensor]]:
    """One (step, input, output) per time step held by this call.

    A multi-step module's call holds ``T`` steps along dim 0; a module inside a time-folding
    container holds them as ``T`` consecutive blocks of dim 0. Any other call is one step, whose
    number the recorder assigns (``None``). Slices keep the encoding declared for the whole.
    """
    if role.multi_step:
        steps, unfold = int(out.shape[0]), False
    elif folded_steps is not None and x.shape[0] % folded_steps == 0 \
            and out.shape[0] % folded_steps == 0:
        steps, unfold = folded_steps, True
    else:
        return [(None, x, out)]
    if unfold:
        x, out = _keep_tag(x, x.unflatten(0, (steps, -1))), _keep_tag(out, out.unflatten(
            0, (steps, -1)))
    return [(t, _keep_tag(x, x[t]), _keep_tag(out, out[t])) for t in range(steps)]


def _keep_tag(whole: torch.Tensor, part: torch.Tensor) -> torch.Tensor:
    encoding = tags.tag_of(whole)
    return tags.tag(part, encoding) if encoding is not None else part


# ---- aten level -------------------------------------------------------------------------------

_OpHandler = Callable[["Interceptor", Any, tuple, dict, Any], None]


class Interceptor(TorchDispatchMode):
    """Counts contractions below module level and carries encoding tags through data movement."""

    def __init__(self, scope: Scope, rec: Recorder, weight_storages: set[int]) -> None:
        super().__init__()
        self.scope = scope
        scope.interceptor = self
        self.rec = rec
        self.weight_storages = weight_storages
        self._functional_convs: dict[tuple, _FunctionalConv] = {}

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        """False: torch would otherwise wrap ``__torch_dispatch__`` to keep torch.compile out of
        it, and that wrapper imports ``torch._dynamo`` on the first op (about 1 s, paid by every
        command-line trace). Tracing runs eagerly, never under torch.compile."""
        return False

    def __exit__(self, *exc: object) -> None:
        self.scope.resume()  # a forward that raised never reached its post-hook
        super().__exit__(*exc)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        scope = self.scope
        if scope.busy or scope.handled_depth:
            return out
        packet = func._overloadpacket
        if scope.elementwise_depth:  # the module's row counts this op; max pooling keeps spikes
            tags.propagate(packet, args, out)
            return out
        handler = _HANDLERS.get(packet)
        scope.busy = True
        try:
            if handler is not None:
                handler(self, func, args, kwargs, out)
            elif packet in elementwise.ATEN_OPS and \
                    elementwise.hidden_contraction(packet, args, out, self.is_weight):
                self.rec.gap(scope.op_name(packet.__name__), "a weight applied by a broadcast "
                             f"aten.{packet.__name__} (a matrix product written element-wise)",
                             int(out.numel()))
            elif packet in elementwise.ATEN_OPS:
                row = elementwise.op_row(packet, args, out)
                if row is not None:
                    self.rec.elementwise(scope.op_name(row["op"]), row, args[0])
                tags.propagate(packet, args, out)
            elif packet in _UNCOUNTABLE:
                first = out[0] if isinstance(out, (tuple, list)) else out
                self.rec.gap(scope.op_name(packet.__name__), f"aten.{packet.__name__}",
                             int(first.numel()))
            else:
                tags.propagate(packet, args, out)
        finally:
            scope.busy = False
        return out

    def is_weight(self, t: torch.Tensor) -> bool:
        return t.untyped_storage().data_ptr() in self.weight_storages


def _mm(icpt: Interceptor, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    a, b = (args[1], args[2]) if len(args) >= 3 else (args[0], args[1])
    name = icpt.scope.op_name(func._overloadpacket.__name__)
    icpt.rec.matmul_call(name, "matmul", a, b, out, icpt.is_weight(b))


def _convolution(icpt: Interceptor, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    bound = _bind(func, args, kwargs)
    x, weight = bound["input"], bound["weight"]
    name = icpt.scope.op_name("convolution")
    if bound["transposed"] or weight.dim() not in (3, 4):
        icpt.rec.gap(name, f"{weight.dim() - 2}-d {'transposed ' if bound['transposed'] else ''}"
                     "convolution", int(out.numel() * weight[0].numel()))
        return
    key = (weight.untyped_storage().data_ptr(), weight._version, tuple(weight.shape),
           tuple(bound["stride"]), tuple(bound["padding"]), tuple(bound["dilation"]),
           bound["groups"])
    conv = icpt._functional_convs.get(key)
    if conv is None:
        conv = _FunctionalConv(weight, bound)
        icpt._functional_convs[key] = conv
    kind = "conv1d" if weight.dim() == 3 else "conv2d"
    info = icpt.rec.layer_info(conv, name, kind, None)
    icpt.rec.synaptic_call(conv, info, x, out)


class _FunctionalConv:
    """The attributes of a conv module, for a convolution called functionally."""

    def __init__(self, weight: torch.Tensor, bound: dict) -> None:
        self.weight = weight
        self.stride = tuple(bound["stride"])
        self.padding = tuple(bound["padding"])
        self.dilation = tuple(bound["dilation"])
        self.groups = bound["groups"]
        self.kernel_size = tuple(weight.shape[2:])


def _attention(icpt: Interceptor, func: Any, args: tuple, kwargs: dict, out: Any) -> None:
    bound = _bind(func, args, kwargs)
    q, k, v = bound["query"], bound["key"], bound["value"]
    if k.dim() >= 3 and q.shape[-3] != k.shape[-3]:  # grouped-query attention shares k, v heads
        group = q.shape[-3] // k.shape[-3]
        k, v = (_keep_tag(t, t.repeat_interleave(group, dim=-3)) for t in (k, v))
    name = icpt.scope.op_name("attention")
    if bound.get("dropout_p", 0.0):
        icpt.rec.gap(name, "attention with dropout", int(q.shape[-2] * k.shape[-2] * q.shape[-1]))
        return
    lq, lk = q.shape[-2], k.shape[-2]
    attend = torch.ones(lq, lk, dtype=torch.bool)
    if bound.get("is_causal"):
        attend = torch.tril(attend)
    mask = bound.get("attn_mask", bound.get("attn_bias"))
    if mask is not None and not mask.is_meta:
        attend = attend & (mask if mask.dtype == torch.bool else torch.isfinite(mask))
    shape = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]) + (lq, lk)
    first = out[0] if isinstance(out, (tuple, list)) else out
    icpt.rec.attention_call(name, q, k, v, attend.expand(shape), first)


def _bind(func: Any, args: tuple, kwargs: dict) -> dict:
    names = [a.name for a in func._schema.arguments]
    bound = dict(zip(names, args, strict=False))
    bound.update(kwargs)
    return bound


_HANDLERS: dict[Any, _OpHandler] = {
    _aten.mm: _mm, _aten.bmm: _mm, _aten.addmm: _mm, _aten.baddbmm: _mm,
    _aten.convolution: _convolution,
}
for _name in ("_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_flash_attention",
              "_scaled_dot_product_efficient_attention", "_scaled_dot_product_cudnn_attention"):
    if hasattr(_aten, _name):
        _HANDLERS[getattr(_aten, _name)] = _attention

# Contractions, transforms and matrix factorisations that do real work we cannot count exactly
# (yet): strict mode stops on them rather than letting a solve or an SVD pass as 0 ops.
_UNCOUNTABLE = {
    getattr(_aten, n) for n in (
        "lstm", "gru", "rnn_tanh", "rnn_relu", "_thnn_fused_lstm_cell", "_thnn_fused_gru_cell",
        "mkldnn_rnn_layer", "mkldnn_rnn", "_cudnn_rnn", "miopen_rnn",
        "mv", "addmv", "dot", "vdot", "addbmm", "addr", "_trilinear", "embedding_bag",
        "_embedding_bag", "_native_multi_head_attention", "_transformer_encoder_layer_fwd",
        "mkldnn_convolution", "_convolution", "conv_tbc", "_weight_int8pack_mm", "_int_mm",
        "fft_fft", "fft_rfft", "_fft_r2c", "_fft_c2c", "_fft_c2r",
        "_cdist_forward", "_pdist_forward", "_euclidean_dist",
        "_linalg_solve_ex", "linalg_inv_ex", "linalg_lstsq", "linalg_pinv", "_linalg_svd",
        "linalg_qr", "linalg_cholesky_ex", "cholesky_solve", "cholesky_inverse", "_linalg_det",
        "_linalg_slogdet", "_linalg_eigh", "linalg_eig", "linalg_lu_factor_ex", "linalg_lu",
        "linalg_lu_solve", "linalg_solve_triangular", "triangular_solve", "linalg_matrix_exp",
        "linalg_householder_product", "geqrf", "ormqr", "linalg_ldl_factor_ex",
        "linalg_ldl_solve",
    ) if hasattr(_aten, n)
}
