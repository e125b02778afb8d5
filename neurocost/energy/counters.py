"""Conventions that reproduce FLOP-counting tools exactly: thop, fvcore, mmengine and ptflops.

Papers print what their counter printed, and each counter has its own rules: which modules or
ops it sees, whether bias, norms, pooling and upsampling count, and how much. These conventions
apply those rules to the trace's rows (synaptic rows in ``Trace.layers``, element-wise rows in
``Trace.elementwise``), so a trace reproduces the tool's total without running it. Each is tested
against the real tool as an oracle (``tests/energy/test_counter_oracles.py``).

Rules, read from the tools' sources (versions pinned in pyproject's dev extras):

- **thop** 0.1.1 (``thop/profile.py``, ``thop/vision/basic_hooks.py``, ``calc_func.py``):
  forward hooks on leaf modules whose *exact* type is registered. Conv: output elements x
  ``in_channels/groups`` x kernel (no bias); Linear: ``in_features`` x output elements (no bias);
  BatchNorm/LayerNorm/InstanceNorm: 2 per input element, doubled when affine; PReLU: 1 per input
  element; Softmax: ``(3n - 1)`` per softmax row of ``n``; AvgPool: 1 per output element;
  AdaptiveAvgPool: ``(window + 1)`` per output element; Upsample: 1 (nearest), 5 (linear), 11
  (bilinear), 259 (bicubic) per output element. Everything else (ReLU, GELU, GroupNorm, MaxPool,
  ``torch.matmul`` attention, functional ops, residual adds, ``nn.MultiheadAttention``) is 0.
- **fvcore** 0.1.5 (``fvcore/nn/flop_count.py``, ``jit_handles.py``): a TorchScript trace,
  counting aten ops. Convolution, linear, addmm, mm, matmul, bmm, einsum: output elements x
  reduction size (no bias); batch_norm (inference): 1 per input element, 2 when affine;
  group_norm, layer_norm, instance_norm: 4 per input element, 5 when affine;
  upsample_nearest2d: 1 and upsample_bilinear2d: 4 per output element; adaptive_avg_pool2d: 1 per
  input element. Everything else is 0, including fused ``scaled_dot_product_attention``.
- **mmengine** 0.10 (``mmengine/analysis/complexity_analysis.py``): a port of fvcore's
  ``FlopCountAnalysis`` with the same handles, so the same rules.
- **ptflops** 0.7.5 (``ptflops/pytorch_engine.py``, ``pytorch_ops.py``), pytorch backend: forward
  hooks on modules of exact torch.nn types, and global patches of ``F.*`` functions and
  ``torch.add/mul/matmul`` that count wherever they are called, inside modules too (rules at
  ``_ptflops_module``). Its module hooks are divided by the batch and its patches are not, so
  its figure is per sample only at batch 1 (its default input).

All four count one multiply-add as one op and report per batch; these conventions report per
sample (the tool's figure divided by the batch). ``border``: ``nominal`` (padding positions
included, what the tools print) or ``exact`` (only the pairs that exist at the borders), for
users who want a tool's rules on exact counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from neurocost.energy.conventions import Convention
from neurocost.tracing.trace_record import Trace
from neurocost.units import Quantity
from neurocost.vocabulary import FLOPS, JOULE, OP_CLASSES, op_unit

_ROW = Callable[[pd.Series], float]
_NN = "torch.nn.modules."

# thop: exact module type -> ops of one call (thop/profile.py register_hooks).
_THOP_UPSAMPLE = {"nearest": 1, "linear": 5, "bilinear": 11, "bicubic": 224 + 35}


def _thop_norm(r: pd.Series) -> float:
    return 2 * r.in_elems * (2 if r.affine else 1)


def _thop_upsample(r: pd.Series) -> float:
    mode = r.op.removeprefix("upsample_")[:-2]
    return r.out_elems * _THOP_UPSAMPLE.get(mode, 0)


_THOP_MODULES: dict[str, _ROW] = {
    **{f"{_NN}batchnorm.BatchNorm{d}d": _thop_norm for d in (1, 2, 3)},
    **{f"{_NN}instancenorm.InstanceNorm{d}d": _thop_norm for d in (1, 2, 3)},
    f"{_NN}batchnorm.SyncBatchNorm": _thop_norm,
    f"{_NN}normalization.LayerNorm": _thop_norm,
    f"{_NN}activation.PReLU": lambda r: r.in_elems,
    f"{_NN}activation.Softmax": lambda r: r.out_elems // r.reduce * (3 * r.reduce - 1),
    **{f"{_NN}pooling.AvgPool{d}d": lambda r: r.out_elems for d in (1, 2, 3)},
    **{f"{_NN}pooling.AdaptiveAvgPool{d}d": lambda r: (r.reduce + 1) * r.out_elems
       for d in (1, 2, 3)},
    f"{_NN}upsampling.Upsample": _thop_upsample,
    f"{_NN}upsampling.UpsamplingBilinear2d": _thop_upsample,
    f"{_NN}upsampling.UpsamplingNearest2d": _thop_upsample,
}


def _fvcore_norm(r: pd.Series) -> float:
    if r.op == "batch_norm":  # batchnorm_flop_jit, inference branch
        return r.in_elems * (2 if r.affine else 1)
    return r.in_elems * (5 if r.affine else 4)  # norm_flop_counter: "5 is just a rough estimate"


# fvcore: op -> ops of one call (fvcore/nn/flop_count.py _DEFAULT_SUPPORTED_OPS).
_FVCORE_OPS: dict[str, _ROW] = {
    "batch_norm": _fvcore_norm, "group_norm": _fvcore_norm, "layer_norm": _fvcore_norm,
    "instance_norm": _fvcore_norm,
    "upsample_nearest2d": lambda r: r.out_elems,
    "upsample_bilinear2d": lambda r: 4 * r.out_elems,
    "adaptive_avg_pool2d": lambda r: r.in_elems,
}


# ptflops (pytorch backend): exact module type -> ops of one call (ptflops/pytorch_ops.py
# MODULES_MAPPING), plus what the F.* function the module's forward calls adds, since ptflops
# patches those functions globally (nn.ReLU -> F.relu, nn.MaxPool2d -> F.max_pool2d ...).
_PT_ACT = {"ReLU": 2, "PReLU": 2, "ELU": 2, "GELU": 2, "LeakyReLU": 1, "ReLU6": 1, "SiLU": 1}
_PT_POOLS = ("MaxPool", "AvgPool", "AdaptiveMaxPool", "AdaptiveAvgPool")


def _ptflops_module(r: pd.Series) -> float:
    module, _, cls = r.module_type.rpartition(".")
    if not module.startswith("torch.nn.modules"):
        return 0.0  # ptflops dispatches on exact torch.nn types
    if r.kind == "bias":
        return r.out_elems if cls in ("Conv1d", "Conv2d", "Conv3d", "Linear") else 0.0
    if cls in _PT_ACT:  # module hook (output elements) and/or the patched F.* it calls
        return _PT_ACT[cls] * r.out_elems
    if any(cls == f"{p}{d}d" for p in _PT_POOLS for d in (1, 2, 3)):
        return 2 * r.in_elems  # pool hook (input elements) + patched F.*pool*
    if cls in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm", "InstanceNorm1d",
               "InstanceNorm2d", "InstanceNorm3d"):
        return r.in_elems * (2 if r.affine else 1)  # hasattr(module, "affine") and affine
    if cls == "LayerNorm":
        return r.in_elems  # LayerNorm has elementwise_affine, not affine: never doubled
    if cls == "Upsample":
        return 2 * r.out_elems  # upsample hook + patched F.interpolate
    if cls == "Softmax":
        return r.in_elems  # no module hook; patched F.softmax
    return 0.0


# Ops below module level ptflops counts whatever their spelling: their only public spelling is
# a patched F.* function. relu, softmax, add, mul and matmul are left out: written as
# ``x.relu()``, ``torch.softmax``, ``x + y``, ``x * y`` or ``q @ k`` (what the aten op cannot
# tell apart from ``F.relu``, ``torch.add``, ``torch.matmul``) ptflops does not see them.
_PTFLOPS_OPS: dict[str, _ROW] = {
    **{op: lambda r: r.in_elems for op in (
        "gelu", "silu", "elu", "prelu", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
        "adaptive_avg_pool2d", "adaptive_max_pool2d")},
    "upsample_nearest2d": lambda r: r.out_elems, "upsample_bilinear2d": lambda r: r.out_elems,
}


# The synaptic modules thop and ptflops count, matched on the exact class as both tools do
# (thop's register_hooks and ptflops' MODULES_MAPPING are keyed by type(module)).
_EXACT_SYNAPTIC = frozenset(f"torch.nn.modules.{path}" for path in (
    "linear.Linear", "conv.Conv1d", "conv.Conv2d", "conv.Conv3d"))


@dataclass(frozen=True)
class ToolCounter(Convention):
    """A FLOP counter's total: synaptic MACs it sees plus element-wise work by its rules."""

    def sees_synaptic(self, layer: str, module_type: str | None) -> bool:
        """Whether the tool counts the synaptic row named ``layer``; ``module_type`` is the
        exact class of a layer counted at module level (None: below module level, or a trace
        file written before classes were recorded)."""
        raise NotImplementedError

    def elementwise_ops(self, row: pd.Series) -> float:
        """Ops the tool counts for one element-wise row."""
        raise NotImplementedError

    def counts(self, trace: Trace) -> dict[str, Quantity]:
        df = trace.layers
        synaptic = df[df["op_class"].isin(OP_CLASSES)]
        types = trace.module_types
        seen = synaptic["layer"].map(lambda name: self.sees_synaptic(name, types.get(name)))
        seen = seen.astype(bool)
        macs = float(synaptic.loc[seen, self.ops_column].sum())
        ew = trace.elementwise
        other = float(sum(self.elementwise_ops(r) for r in ew.itertuples(index=False)))
        b = trace.batch_size
        total = (macs + other) / b
        return {"macs": Quantity(macs / b, op_unit("mac")),
                "elementwise_ops": Quantity(other / b, "ops"),
                "ops": Quantity(total, "ops"),
                "flops": Quantity(2 * total, FLOPS)}


@dataclass(frozen=True)
class Thop(ToolCounter):
    """thop's ``profile``: leaf modules of registered exact types (rules in the module doc)."""

    def sees_synaptic(self, layer: str, module_type: str | None) -> bool:
        # a module call of a type thop registers exactly (a subclass counts 0)
        return ":" not in layer and (module_type is None or module_type in _EXACT_SYNAPTIC)

    def elementwise_ops(self, row: pd.Series) -> float:
        if row.source != "module":
            return 0.0
        rule = _THOP_MODULES.get(row.module_type)
        return float(rule(row)) if rule is not None else 0.0


@dataclass(frozen=True)
class Fvcore(ToolCounter):
    """fvcore's ``FlopCountAnalysis`` (and mmengine's port of it): aten ops by its handles."""

    def sees_synaptic(self, layer: str, module_type: str | None) -> bool:
        return ":attention#" not in layer  # fused attention: an unsupported op, counted 0

    def elementwise_ops(self, row: pd.Series) -> float:
        rule = _FVCORE_OPS.get(row.op)
        return float(rule(row)) if rule is not None else 0.0


@dataclass(frozen=True)
class KBit(Convention):
    """Low-bit papers' FLOPs: a ``b_w``-bit x ``b_a``-bit product counts ``b_w x b_a / 64``.

    Bi-Real Net (Liu et al., ECCV 2018) and ReActNet count a 1-bit x 1-bit product as 1/64 of a
    FLOP (64 XNOR-popcounts per 64-bit instruction); the binary and low-bit BERT papers
    (BinaryBERT, Bai et al., ACL 2021; BiBERT, Qin et al., ICLR 2022; BiT, Liu et al., NeurIPS
    2022) extend it to k-bit operands as ``b_w x b_a / 64``, so a W2A2 product is 4/64 of a MAC
    and W1A1 1/64. A product with a floating-point operand counts 1. ``flops_factor`` is 2 for
    papers that print ``FLOPs = 2 x MACs`` (the BERT family), 1 for those that print MACs.
    Synaptic rows only (element-wise work is not counted by these papers).
    """

    flops_factor: int = 1

    def counts(self, trace: Trace) -> dict[str, Quantity]:
        from neurocost.models.encodings import parse_encoding

        df = trace.layers
        synaptic = df[df["op_class"].isin(OP_CLASSES)]
        ops = synaptic[self.ops_column].astype(float)
        floating = [parse_encoding(a).kind == "fp" or parse_encoding(w).kind == "fp"
                    for a, w in zip(synaptic["in_encoding"], synaptic["weight_encoding"],
                                    strict=True)]
        scale = (synaptic["in_bits"] * synaptic["weight_bits"] / 64).where(
            ~pd.Series(floating, index=synaptic.index, dtype=bool), 1.0)
        b = trace.batch_size
        low_bit = float(ops[scale != 1.0].sum()) / b
        equivalent = float((ops * scale).sum()) / b
        return {"low_bit_macs": Quantity(low_bit, op_unit("mac")),
                "macs": Quantity(equivalent, op_unit("mac")),
                "flops": Quantity(self.flops_factor * equivalent, FLOPS)}


@dataclass(frozen=True)
class SnnRates(Convention):
    """Spiking papers' energy from layer firing rates: ``E = E_MAC x MACs + E_AC x SOPs``.

    ``SOPs`` of a spike-driven layer are its dense ops (nominal or exact borders, summed over
    steps) times the firing rate of its input: the rate a paper logged (``rates``: layer ->
    fraction of input elements that spike, per step) or, for a layer not listed, the rate the
    trace saw (non-zero inputs / inputs). Layers fed real values (the encoding layer) are MACs
    at their dense count; bias additions and element-wise work are not counted. E_MAC and E_AC
    come from ``profile`` (4.6 / 0.9 pJ, Horowitz 2014 45 nm, in ``snn-45nm-ac-mac``).
    ``load_rates`` reads logged rates from YAML or CSV.
    """

    rates: tuple[tuple[str, float], ...] = ()
    profile: str = "snn-45nm-ac-mac"

    def __post_init__(self) -> None:
        super().__post_init__()
        for layer, rate in self.rates:
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"firing rate of {layer!r} must lie in [0, 1], not {rate}")

    def with_rates(self, rates: dict[str, float]) -> SnnRates:
        """This convention with ``rates`` (layer -> logged input firing rate)."""
        return replace(self, rates=tuple(sorted((str(k), float(v)) for k, v in rates.items())))

    def counts(self, trace: Trace) -> dict[str, Quantity]:
        from neurocost.energy.registry import load_profile

        compute = load_profile(self.profile).compute
        df = trace.layers
        synaptic = df[df["op_class"].isin(OP_CLASSES)]
        by_layer = synaptic.groupby(["layer", "op_class"], sort=False)[
            [self.ops_column, "in_nonzero", "in_elems"]].sum()
        logged = dict(self.rates)
        macs = sops = 0.0
        for (layer, op_class), row in by_layer.iterrows():
            ops = float(row[self.ops_column])
            if op_class == "mac":
                macs += ops
                continue
            rate = logged.get(layer, float(row["in_nonzero"]) / max(1.0, float(row["in_elems"])))
            sops += rate * ops
        b = trace.batch_size
        macs, sops = macs / b, sops / b
        energy = compute.mac["any"].si * macs + compute.ac["any"].si * sops
        return {"macs": Quantity(macs, op_unit("mac")), "synops": Quantity(sops, op_unit("ac")),
                "acs": Quantity(sops, op_unit("ac")), "energy": Quantity(energy, JOULE)}


def load_rates(path: str | Path) -> dict[str, float]:
    """Logged per-layer firing rates: a YAML mapping ``layer: rate`` or a CSV with columns
    ``layer,rate``."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        table = pd.read_csv(path)
        missing = {"layer", "rate"} - set(table.columns)
        if missing:
            raise ValueError(f"{path}: a rates CSV has columns layer,rate; missing {missing}")
        return {str(k): float(v) for k, v in zip(table["layer"], table["rate"], strict=True)}
    from neurocost.strict_yaml import load_yaml

    data = load_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a rates YAML is a mapping layer: rate")
    return {str(k): float(v) for k, v in data.items()}


@dataclass(frozen=True)
class Ptflops(ToolCounter):
    """ptflops' ``get_model_complexity_info`` (pytorch backend, functional patching on): module
    hooks of exact torch.nn types, plus the F.* functions it patches (rules above)."""

    def sees_synaptic(self, layer: str, module_type: str | None) -> bool:
        # Conv/Linear modules of exact torch.nn types (a subclass counts 0, F.linear inside it
        # included); F.linear and `@` below module level are not counted
        return ":" not in layer and (module_type is None or module_type in _EXACT_SYNAPTIC)

    def elementwise_ops(self, row: pd.Series) -> float:
        if row.source == "module":
            return float(_ptflops_module(row))
        rule = _PTFLOPS_OPS.get(row.op)
        return float(rule(row)) if rule is not None else 0.0


@dataclass(frozen=True)
class SpikingJelly(Convention):
    """SpikingJelly 2.0 ``op_counter``: ``SynOpCounter`` and ``MACCounter`` (op_counter/synop.py,
    mac.py), a dispatch mode that decides per operand whether it is a spike (bool, or every
    value 0 or 1).

    ``synops``: the exact events of {0, 1}-spike operands (the trace's effective ops of ``ac``
    rows). ``macs``: every other conv/linear/matmul at its dense count (signed spikes and +-1
    operands included, as SpikingJelly's value test makes them MACs). Not mirrored: its
    BatchNorm affine MACs, and synops of weights that are exactly zero (SpikingJelly counts
    them, the trace does not).
    """

    def counts(self, trace: Trace) -> dict[str, Quantity]:
        df = trace.layers
        spikes = df["op_class"] == "ac"
        other = df["op_class"].isin(OP_CLASSES) & ~spikes
        b = trace.batch_size
        synops = float(df.loc[spikes, "effective_ops"].sum()) / b
        macs = float(df.loc[other, self.ops_column].sum()) / b
        return {"synops": Quantity(synops, op_unit("ac")), "acs": Quantity(synops, op_unit("ac")),
                "macs": Quantity(macs, op_unit("mac"))}


CONVENTIONS: tuple[Convention, ...] = (
    Thop("thop", "2", "thop 0.1.1 profile(): registered leaf modules, MACs + its element-wise "
         "rules (BN 2-4/elem, softmax, avg pool, upsample)"),
    Fvcore("fvcore", "1", "fvcore 0.1.5 FlopCountAnalysis: conv/linear/matmul MACs + norms, "
           "upsample, adaptive avg pool by its handles"),
    Fvcore("mmengine", "1", "mmengine 0.10 get_model_complexity_info: fvcore's rules"),
    Ptflops("ptflops", "1", "ptflops 0.7.5 get_model_complexity_info (pytorch backend): module "
            "hooks + patched F.* functions, bias and norms included"),
    SpikingJelly("spikingjelly", "1", "SpikingJelly 2.0 op_counter: SynOps of {0,1} spikes "
                 "(exact), dense MACs of everything else"),
    KBit("kbit", "1", "low-bit papers: a bw-bit x ba-bit product is bw*ba/64 MAC (W1A1 1/64)"),
    KBit("kbit-bert", "1", "binary/low-bit BERT papers: FLOPs = 2 x (bw*ba/64-weighted MACs)",
         flops_factor=2),
    SnnRates("snn-rates", "1", "spiking papers: E = 4.6 pJ x MACs + 0.9 pJ x firing rate x "
             "dense ops, rates logged or traced"),
)
