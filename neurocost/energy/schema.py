"""The hardware profile schema: what a chip costs, as sourced data the pricer reads.

A profile is a YAML file (one per chip, ``neurocost/energy/profiles/<id>.yaml``) validated by the
pydantic models below. Every number is a ``Sourced`` value (value, unit, source, basis), so each
estimate can say which paper, table and node it rests on. ``null`` (or an absent key) means
*undeclared*: pricing a trace that needs an undeclared figure is an error naming the field, while
``0`` is a declared fact.

Energy per op is either given directly per op class (``compute.mac.int8``, ``compute.ac.any``) or
derived from primitive adders and multipliers (``compute.add`` / ``compute.mult``): a MAC is one
multiply plus one add at the accumulator width, an AC one add. An op energy may ``include`` other
terms (Loihi's synaptic op includes its weight read; TrueNorth's all-in event energy includes
routing, neuron updates and static power): the pricer never adds an included term again, and a
profile that declares a term separately while also including it in an op energy is rejected.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from neurocost.provenance import UNITS, Sourced
from neurocost.sim.architecture import Architecture

# Terms of the energy equation an op or neuron energy can already contain.
Term = Literal["weight_read", "state_rw", "activation_rw", "neuron", "routing", "static"]
TensorKind = Literal["weights", "state", "activations"]
TENSOR_KINDS: tuple[TensorKind, ...] = ("weights", "state", "activations")
# How a synaptic layer's connections are stored on a chip: a weight matrix (``dense``) or a
# shared kernel (``conv``); ``connection_of`` says which a trace row is.
Connection = Literal["dense", "conv"]

# Keys of per-precision tables: ``int8``, ``fp32``, ... or ``any`` (one figure for every width).
_PRECISION_KEY = re.compile(r"^(any|int[1-9][0-9]*|fp[1-9][0-9]*)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Priced(Sourced):
    """A sourced energy that may already contain other terms of the energy equation.

    ``includes`` names those terms (``weight_read``, ``state_rw``, ``activation_rw``, ``neuron``,
    ``routing``, ``static``); an ``all-in`` figure (whole-chip power divided by events) must list
    what it contains, at least ``static``.
    """

    includes: tuple[Term, ...] = ()

    @model_validator(mode="after")
    def _all_in_says_what_it_holds(self) -> Priced:
        if self.basis == "all-in" and "static" not in self.includes:
            raise ValueError(
                "an all-in figure contains static power and other terms: list them in "
                "'includes' (at least 'static')"
            )
        return self


def _of_dimension(*dimensions: str, zero: bool = False):
    """A validator that accepts a Sourced value only in one of ``dimensions``, and only > 0
    (>= 0 with ``zero``: a memory level of capacity 0 is a real question, "what if it holds
    nothing", and moves all traffic to the next level).

    Every constant of a profile is a cost, a size, a rate or an operating point, all positive: a
    negative voltage used to price like a positive one (V^2), a negative energy subtracted from
    the total, a zero clock divided by zero. A term that costs nothing is left undeclared (the
    pricer then skips it or names it as missing) rather than written as 0.
    """

    def check(value: Sourced) -> Sourced:
        if value.dimension not in dimensions:
            examples = [u for u, (d, _) in UNITS.items() if d in dimensions]
            raise ValueError(
                f"unit {value.unit!r} is a {value.dimension}; this field needs "
                f"{' or '.join(dimensions)} (e.g. {', '.join(examples[:4])})"
            )
        if not (value.value >= 0 if zero else value.value > 0):
            hint = " (leave a term that costs nothing undeclared)" if value.dimension in (
                "energy", "energy_per_bit", "power") else ""
            raise ValueError(
                f"must be {'>=' if zero else '>'} 0, got {value.value} {value.unit}{hint}"
            )
        return value

    return AfterValidator(check)


Energy = Annotated[Priced, _of_dimension("energy")]
Power = Annotated[Sourced, _of_dimension("power")]
Duration = Annotated[Sourced, _of_dimension("time")]
Frequency = Annotated[Sourced, _of_dimension("frequency")]
Capacity = Annotated[Sourced, _of_dimension("information", zero=True)]
Bandwidth = Annotated[Sourced, _of_dimension("bandwidth")]
AccessEnergy = Annotated[Sourced, _of_dimension("energy", "energy_per_bit")]
EnergyPerBit = Annotated[Sourced, _of_dimension("energy_per_bit")]
Rate = Annotated[Sourced, _of_dimension("rate", "count", "time")]  # ops/s, cycles/op, s/op
Length = Annotated[Sourced, _of_dimension("length")]
Voltage = Annotated[Sourced, _of_dimension("voltage")]


def _precision_keys(table: dict[str, object]) -> dict[str, object]:
    for key in table:
        if not _PRECISION_KEY.match(key):
            raise ValueError(f"key {key!r} is not a precision: use int<bits>, fp<bits> or any")
    return table


EnergyTable = Annotated[dict[str, Energy], AfterValidator(_precision_keys)]
RateTable = Annotated[dict[str, Rate], AfterValidator(_precision_keys)]


class Execution(_Strict):
    """How the chip schedules work, which decides which trace counts are priced.

    event_driven: only effective ops (non-zero input x non-zero weight) run; one weight read per
        synaptic op (``weight_bits_read_event``); spikes travel as packets, so activations are
        routing, not memory traffic.
    dense: every layer reads its whole weight tensor per call (``weight_bits_read``) and its
        activations densely; ``zero_skipping`` skips (and does not price) ops with a zero operand.
    neuron_update: ``every_step`` (one update per neuron per step) or ``on_event`` (only neurons
        whose input current is non-zero that step: the neuron row's ``in_nonzero``).
    """

    style: Literal["event_driven", "dense"]
    zero_skipping: bool = False
    neuron_update: Literal["every_step", "on_event"] = "every_step"


class Technology(_Strict):
    """Node and supply voltage the constants were taken at, and how they may be rescaled.

    scaling: ``none`` (measured or all-in figures: never rescaled), ``cv2`` (dynamic energy
    proportional to V^2 at a fixed node), ``stillmaker2017`` (per-node factors of
    ``neurocost.energy.scaling`` times V^2).
    """

    node: Length
    voltage: Voltage
    scaling: Literal["none", "cv2", "stillmaker2017"] = "none"


class OperatingPoint(_Strict):
    """Where to price, when it differs from ``technology`` (a user choice, not a sourced fact)."""

    node_nm: float | None = Field(default=None, gt=0)
    voltage_v: float | None = Field(default=None, gt=0)


class Compute(_Strict):
    """Energy per synaptic op.

    ``mac`` / ``ac`` tables are keyed by precision (``int8``, ``fp32``, ``any``): a MAC by its
    wider operand, an AC (add of a weight into the accumulator) by the accumulator. Missing keys
    fall back to ``add`` + ``mult`` primitives (MAC = mult + add at the accumulator width, AC = add;
    integer accumulators are ``int_accumulator_bits`` wide). With ``width_rule``, an integer
    multiply of a width not in ``mult`` is scaled from the nearest declared integer multiplier in
    proportion to the product of operand widths (array multiplier area, Horowitz 2014).
    ``bop`` is one XNOR-popcount bit-op (per binary MAC). A signed AC costs the same as an AC.

    ``ac_by_connection`` prices an accumulate by how the layer's synapses are stored (``dense``
    weight matrix, ``conv`` shared kernel), each table keyed by weight precision like ``ac``;
    it is consulted before ``ac`` (silicon fits differ by connection type: SANA-FE's Loihi
    calibration gives 35.5 pJ dense and 24.0 pJ convolutional).
    """

    mac: EnergyTable = {}
    ac: EnergyTable = {}
    ac_by_connection: dict[Connection, EnergyTable] = {}
    add: EnergyTable = {}
    mult: EnergyTable = {}
    bop: Energy | None = None
    int_accumulator_bits: int = Field(default=32, ge=1)
    width_rule: bool = False


class MemoryLevel(_Strict):
    """One memory level; levels are listed near to far and filled in that order by capacity.

    ``read``/``write`` are per bit (``pJ/bit``) or per access of ``access_bits`` bits (``pJ``).
    ``capacity`` null = unbounded (off-chip DRAM). ``off_chip`` levels are never node/voltage
    scaled (their energy is set by the interface, not the logic node). ``holds`` limits which
    tensor kinds may be placed here.
    """

    capacity: Capacity | None = None
    read: AccessEnergy | None = None
    write: AccessEnergy | None = None
    access_bits: int | None = Field(default=None, ge=1)
    bandwidth: Bandwidth | None = None
    holds: tuple[TensorKind, ...] = TENSOR_KINDS
    off_chip: bool = False

    @model_validator(mode="after")
    def _per_access_needs_width(self) -> MemoryLevel:
        per_access = [n for n in ("read", "write")
                      if getattr(self, n) is not None and getattr(self, n).dimension == "energy"]
        if per_access and self.access_bits is None:
            raise ValueError(
                f"{'/'.join(per_access)} energy is per access ({getattr(self, per_access[0]).unit})"
                ": give access_bits, or state it per bit (pJ/bit)"
            )
        return self


class Neuron(_Strict):
    """Energy of neuron work, tables keyed by snnTorch class name (``Leaky``) or ``default``.

    update: per neuron update, counted as ``execution.neuron_update`` says (every neuron every
        step, or only *active* neurons, those with non-zero input that step).
    access: per neuron per step, every neuron whether active or not (reading its state and
        applying the decay); silicon separates this from the active update (Davies 2018
        Table 2: 52 pJ inactive, 81 pJ active).
    spike_out: per spike a neuron emits (threshold crossing, reset, handing the spike to the
        core's output stage).
    """

    update: dict[str, Energy] = {}
    access: dict[str, Energy] = {}
    spike_out: Energy | None = None


class Routing(_Strict):
    """Spike routing energy.

    per_spike: per spike a neuron layer emits (injection and local delivery).
    per_packet: per packet a core sends; a spike becomes one packet per destination core (from
        the simulation, or the chip mapping when the profile has an architecture; one packet
        per spike otherwise).
    per_hop: per mesh hop a packet crosses (hop counts come from the simulation).
    """

    per_spike: Energy | None = None
    per_packet: Energy | None = None
    per_hop: Energy | None = None


class StepCost(_Strict):
    """A fixed cost every time step pays whatever the network does: host and barrier
    management, spike I/O service by the chip's embedded processors.

    energy: joules per time step (per sample). time: seconds per time step, a floor under the
    step's latency (a step takes at least this long, however little work it holds).
    """

    energy: Energy | None = None
    time: Duration | None = None


class StaticStates(_Strict):
    """Static (leakage and idle) power of the chip by state, each figure per chip.

    off: powered down. boot: powered and booted, no network configured. configured: a network
    configured, not stepping. per_core: power-gated chips: each core the mapping uses adds this
    to ``boot`` (then ``configured`` need not be declared). The pricer charges the configured
    state for the whole latency: ``configured`` if declared, else ``boot + cores used x
    per_core``; ``off`` and ``boot`` are recorded for reports and power budgets.
    """

    off: Power | None = None
    boot: Power | None = None
    configured: Power | None = None
    per_core: Power | None = None


class OffChip(_Strict):
    """Input and output crossing the chip boundary (host link, spike I/O).

    energy_per_bit: joules per bit moved on or off chip; bandwidth: bits per second of the link,
    which times the input and output of each step in the analytic latency. Input bits are the
    first layer's input events x ``event_bits``; output bits the last layer's output events x
    ``event_bits``.
    """

    energy_per_bit: EnergyPerBit | None = None
    bandwidth: Bandwidth | None = None
    event_bits: Capacity | None = None


class Throughput(_Strict):
    """Analytic latency model: sustained rates (ops/s; cycles per op with ``clock``; s per op).

    latency = max(compute time, memory time) + steps x barrier + layer calls x launch_overhead,
    and at least steps x tick on real-time chips. Tables are keyed like ``Compute``.
    """

    mac: RateTable = {}
    ac: RateTable = {}
    bop: Rate | None = None
    neuron_update: Rate | None = None
    tick: Duration | None = None
    barrier: Duration | None = None
    launch_overhead: Duration | None = None


class Profile(_Strict):
    """A hardware profile: sourced constants for energy and latency of one chip or convention.

    status: ``verified`` | ``to_verify`` (some inputs are third-party transcriptions) |
    ``derived`` | ``convention`` (a community convention, not a chip).
    throughput: the analytic latency model ``price`` uses without a simulation.
    static_power / static_states: one static power, or static power by chip state (not both).
    per_step: fixed energy and time every time step pays. off_chip: I/O across the chip edge.
    architecture: cores, event times, mesh and sync for the simpy simulation
        (``neurocost.sim.simulate``); absent for profiles that are not simulated.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    version: str
    description: str
    kind: Literal["neuromorphic", "accelerator", "gpu", "cpu", "generic-cmos", "convention"]
    status: Literal["verified", "to_verify", "derived", "convention"]
    execution: Execution
    compute: Compute
    technology: Technology | None = None
    operating_point: OperatingPoint = OperatingPoint()
    clock: Frequency | None = None
    memory: dict[str, MemoryLevel] = {}
    neuron: Neuron = Neuron()
    routing: Routing | None = None
    static_power: Power | None = None
    static_states: StaticStates | None = None
    per_step: StepCost | None = None
    off_chip: OffChip | None = None
    throughput: Throughput = Throughput()
    architecture: Architecture | None = None
    notes: tuple[str, ...] = ()

    def priced_energies(self) -> list[Priced]:
        """Every op and neuron energy of the profile."""
        by_connection = [v for table in self.compute.ac_by_connection.values()
                         for v in table.values()]
        priced = [*self.compute.mac.values(), *self.compute.ac.values(), *by_connection,
                  *self.compute.add.values(), *self.compute.mult.values(),
                  *self.neuron.update.values(), *self.neuron.access.values()]
        if self.compute.bop is not None:
            priced.append(self.compute.bop)
        return priced

    def included_terms(self) -> set[str]:
        """Terms some op or neuron energy already contains (never priced separately)."""
        return {term for value in self.priced_energies() for term in value.includes}

    @property
    def all_in(self) -> bool:
        """Whether some op energy is an all-in figure (chip power / op rate, static inside)."""
        return any(value.basis == "all-in" for value in self.priced_energies())

    @model_validator(mode="after")
    def _no_double_counting(self) -> Profile:
        included = self.included_terms()
        declared = {
            "static": ("static_power", self.static_power is not None
                       or self.static_states is not None),
            "routing": ("routing", self.routing is not None),
            "neuron": ("neuron.update", bool(self.neuron.update)),
        }
        for term, (field, present) in declared.items():
            if present and term in included:
                raise ValueError(
                    f"{field} is declared, but an op energy already includes '{term}': "
                    "remove one of them (pricing both would count it twice)"
                )
        return self

    @model_validator(mode="after")
    def _one_static_model(self) -> Profile:
        if self.static_power is not None and self.static_states is not None:
            raise ValueError(
                "static_power and static_states are both declared: give one static power "
                "(static_power) or static power by chip state (static_states), not both"
            )
        return self

    @model_validator(mode="after")
    def _scaling_is_possible(self) -> Profile:
        point = self.operating_point
        if (point.node_nm is not None or point.voltage_v is not None) and (
            self.technology is None or self.technology.scaling == "none"
        ):
            raise ValueError(
                "operating_point is set but technology.scaling is 'none' (or technology is "
                "missing): this profile's figures may not be rescaled"
            )
        uses_cycles = [v for v in (*self.throughput.mac.values(), *self.throughput.ac.values(),
                                   self.throughput.bop, self.throughput.neuron_update)
                       if v is not None and v.dimension == "count"]
        if uses_cycles and self.clock is None:
            raise ValueError("throughput is given in cycles per op, but clock is not declared")
        return self
