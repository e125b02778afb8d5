"""The words neurocost counts and prices in, each declared once.

Operand encodings, op classes, energy components, input encoders and the units figures carry are
named here and nowhere else; schemas, trace columns, pricing, reports and the CLI derive their
lists from these, so adding an op class or a component is one edit and every part agrees.
"""

from __future__ import annotations

from typing import Literal, get_args

# ---- operand encodings: what a tensor's values mean (see neurocost.models.encodings) ----------
EncodingKind = Literal["spike", "signed_spike", "binary", "ternary", "int", "fp"]
ENCODING_KINDS: tuple[str, ...] = get_args(EncodingKind)

# ---- op classes: what one (input element x weight) pair costs ---------------------------------
# ac: a {0,1} spike selects a weight to add; signed_ac: add, subtract or skip ({-1,0,1} spikes,
# ternary or +-1 against multi-bit operands); bop: one XNOR-popcount bit-op (+-1 x +-1);
# mac: a multiply-accumulate at the operands' widths.
OpClass = Literal["ac", "signed_ac", "bop", "mac"]
OP_CLASSES: tuple[OpClass, ...] = get_args(OpClass)
NEURON_OP_CLASS = ""  # the op_class of a neuron row in a trace: no synaptic op
# plural used in trace totals (``effective_acs``) and in claims metrics (``bops``)
OP_PLURALS: dict[str, str] = {"ac": "acs", "signed_ac": "signed_acs", "bop": "bops", "mac": "macs"}
# what a report prints beside a count of each class
OP_LABELS: dict[str, str] = {"ac": "AC", "signed_ac": "signed AC", "bop": "BOP", "mac": "MAC"}
# the classes that add (or subtract) a weight without multiplying it
ACCUMULATES: tuple[OpClass, ...] = ("ac", "signed_ac")

# ---- energy components: where a joule goes ---------------------------------------------------
Component = Literal["compute", "memory", "neuron", "routing", "step", "io", "static"]
COMPONENTS: tuple[Component, ...] = get_args(Component)
# the chip's, not a layer's: a fixed cost per time step (host and barrier management), off-chip
# I/O of the input events, and static power x latency
CHIP_COMPONENTS: tuple[Component, ...] = ("step", "io", "static")
LAYER_COMPONENTS: tuple[Component, ...] = tuple(c for c in COMPONENTS if c not in CHIP_COMPONENTS)
COMPONENT_LABELS: dict[str, str] = {
    "compute": "compute", "memory": "memory", "neuron": "neuron", "routing": "routing",
    "step": "fixed per step", "io": "off-chip I/O", "static": "static",
}


def component_column(component: str) -> str:
    """The column (and ``Estimate.breakdown`` key) holding a component's joules."""
    return f"{component}_j"


# ---- input encoders: how a static input becomes time steps -----------------------------------
# direct repeats the frame (real values: a first layer multiplies); rate draws Bernoulli spikes;
# latency fires once per element, earlier for larger values; delta fires on changes.
EncoderName = Literal["direct", "rate", "latency", "delta"]
ENCODER_NAMES: tuple[EncoderName, ...] = get_args(EncoderName)

# ---- labelled data sets an input may come from -------------------------------------------------
# digits ships with scikit-learn; the event data sets are read with tonic from the user's files.
DatasetName = Literal["digits", "nmnist", "shd", "dvsgesture"]
DATASET_NAMES: tuple[DatasetName, ...] = get_args(DatasetName)

# ---- units -------------------------------------------------------------------------------------
OPS = "ops"            # synaptic operations of any class
FLOPS = "FLOPs"        # floating-point operations as a convention counts them
JOULE = "J"
SECOND = "s"
BIT = "bit"
BYTE = "B"
RATIO = "1"            # a fraction or a ratio of like quantities


def op_unit(op_class: str) -> str:
    """The unit of a count of one op class: ``ACs``, ``signed ACs``, ``BOPs``, ``MACs``."""
    return f"{OP_LABELS[op_class]}s"
