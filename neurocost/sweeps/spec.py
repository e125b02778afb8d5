"""The sweep spec: which models, inputs, profiles and parameter grids a sweep covers.

A spec is data (YAML, read safely, repeated keys refused) so a sweep can be rerun, resumed and
reviewed like any other file in a repository. Every field is validated up front, and every grid
key and value against its profile (``sweep.check_profiles``), so a bad spec fails with the file,
the field's dotted location and the offending value before any model is run.

Inputs from your own data (paths relative to the spec file): ``file`` is a ``.pt`` (a tensor, or
``{x, y}`` with labels), ``.npy`` or ``.npz`` file, time-first ``[T, B, ...]`` with
``time_first: true``, static frames ``[B, ...]`` the encoder expands with ``time_first: false``;
``dataset: nmnist | shd | dvsgesture`` with ``root`` reads that data set's test split with tonic
(nothing is downloaded) into ``steps`` spike frames. With labels, the accuracy on all of them is
recorded next to the energy.

Example::

    name: digits-chips
    models:
      - source: zoo:scnn                     # or pkg.mod:factory, file.py:factory, .onnx, .nir
        variants: {beta: [0.8, 0.95]}       # factory keyword arguments, every combination
        input: {samples: 16, encoder: rate}  # the front door's InputSpec (see the README)
      - source: my_model.py:build
        weights: my_model.pt                 # a state_dict file, relative to this file
        input: {shape: [1, 28, 28], steps: 25}
      - source: my_model.py:build
        name: my-model-on-my-data
        input: {file: data/test.pt, time_first: true}  # torch.save({"x": [T, B, ...], "y": ...})
      - source: my_snn.py:build              # an N-MNIST model: frames [2, 34, 34]
        input: {dataset: nmnist, root: data, steps: 20}  # data/NMNIST/Test/<digit>/*.bin
    profiles:
      - cmos45                               # swept over the shared grid below
      - profile: loihi                       # a grid of its own (its keys differ)
        grid: {neuron.spike_out: [50, 69.3]}
    grid:                                    # profile fields by dotted path, every combination
      memory.sram_8k.capacity: [8, 16, 64]   # in the unit the profile states (KiB)
      operating_point.voltage_v: [0.7, 0.9]
    simulate: false
    results: results/digits-chips            # relative to this file

``neurocost profiles show ID --keys`` lists every key a grid may sweep, with its unit.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from neurocost.errors import NeurocostError
from neurocost.strict_yaml import read_yaml_file
from neurocost.tracing.workload import InputSpec

# Values to try for each key, every combination taken; an empty list would silently drop rows.
Grid = Annotated[dict[str, list[Any]], AfterValidator(lambda grid: _check_grid(grid))]

MAX_ROWS = 1_000_000  # result rows per spec unless the spec raises max_rows; 10,000 price in ~2 s


class SweepSpecError(NeurocostError):
    """A sweep spec that cannot be read or does not validate; the message names file and field."""


class SweepInput(InputSpec):
    """What each model of a sweep is traced on: the front door's ``InputSpec``
    (``neurocost.tracing.workload``), with 16 samples by default (figures are per sample, so
    this sets precision, not scale)."""

    samples: int = Field(default=16, ge=1, validation_alias=AliasChoices("samples", "batch"))


class SweepModel(BaseModel):
    """One model (or a family of variants) to sweep.

    source: ``zoo:NAME``, ``package.module:factory`` or a model file, as on the command line.
    name: the label in results and reports (defaults to ``source``).
    variants: factory keyword arguments, each with a list of values; every combination is swept.
    weights: a ``state_dict`` file (``torch.save``) loaded into each built model, relative to
        the spec file; trained weights make the measured accuracy meaningful.
    input: what the model runs on (``SweepInput``); its ``file`` and ``root`` are relative to
        the spec file too.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    name: str | None = None
    variants: Grid = Field(default_factory=dict)
    weights: str | None = None
    input: SweepInput = Field(default_factory=SweepInput)

    @property
    def label(self) -> str:
        return self.name or self.source

    def variant_kwargs(self) -> list[dict[str, Any]]:
        """Every combination of the variant lists (one empty dict when there are none)."""
        return expand_grid(self.variants)


class ProfileGrid(BaseModel):
    """A profile with a grid of its own, which replaces the spec's shared ``grid`` for it (keys
    differ between profiles: a memory level or a constant one profile has, another lacks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: str = Field(min_length=1)
    grid: Grid = Field(default_factory=dict)


class SweepSpec(BaseModel):
    """A whole sweep: models x profiles x profile-parameter grid.

    profiles: built-in ids or profile files; an entry ``{profile: ID, grid: {...}}`` brings its
        own grid instead of the shared one.
    grid: profile fields by dotted path (``memory.sram_8k.capacity``) with the values to try;
        every combination is priced on every profile listed by name alone.
    simulate: also run the simpy timing simulation for every variant (slower; parallel).
    convention: a named counting convention (``bireal``, ``snn-energy`` ...) the figures follow;
        None prices the exact counts.
    results: directory of the Parquet results store, relative to the spec file.
    seed: recorded on every row; seeds model construction where a factory takes ``seed``.
    max_rows: the most result rows (model variants x profiles x grid points) the spec may ask
        for; checked from the list lengths before anything is expanded, so a mistyped grid fails
        at once instead of allocating until ``MemoryError``. Raise it in the spec when a sweep
        really is that large.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    models: list[SweepModel] = Field(min_length=1)
    profiles: list[str | ProfileGrid] = Field(min_length=1)
    grid: Grid = Field(default_factory=dict)
    simulate: bool = False
    convention: str | None = None
    results: str = "results"
    seed: int = 0
    max_rows: int = Field(default=MAX_ROWS, gt=0)

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)

    @model_validator(mode="after")
    def _profiles_once(self) -> SweepSpec:
        names = [p if isinstance(p, str) else p.profile for p in self.profiles]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"profile {twice[0]!r} is listed twice; give it one entry (with "
                             "its own grid if it needs one)")
        return self

    @model_validator(mode="after")
    def _bounded(self) -> SweepSpec:
        rows = self.row_count()
        if rows > self.max_rows:
            raise ValueError(
                f"the spec asks for {rows:,} result rows (model variants x profiles x grid "
                f"points), more than max_rows = {self.max_rows:,}; shrink the grid or raise "
                "max_rows in the spec"
            )
        return self

    def row_count(self) -> int:
        """Result rows the sweep will have, from the list lengths alone (nothing expanded)."""
        variants = sum(math.prod(len(v) for v in m.variants.values()) for m in self.models)
        return variants * sum(math.prod(len(v) for v in grid.values())
                              for grid in self.profile_grids().values())

    def profile_grids(self) -> dict[str, dict[str, list[Any]]]:
        """Each profile's grid, in the spec's order: its own, else the shared ``grid``."""
        grids = {}
        for entry in self.profiles:
            if isinstance(entry, str):
                grids[entry] = self.grid
            else:
                grids[entry.profile] = entry.grid
        return grids

    @property
    def base_dir(self) -> Path:
        """The directory relative paths in the spec are resolved against."""
        return self._base_dir

    def profile_source(self, name: str) -> str:
        """What ``load_profile`` takes for a spec's profile entry: a file relative to the spec
        when there is one, else the built-in id."""
        path = self.resolve(name)
        return str(path) if path.is_file() else name

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self._base_dir / path

    @property
    def results_dir(self) -> Path:
        return self.resolve(self.results)


def expand_grid(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """All combinations of ``grid``'s value lists, in the order the keys were written."""
    keys = list(grid)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*grid.values())]


def _check_grid(grid: dict[str, list[Any]]) -> dict[str, list[Any]]:
    for key, values in grid.items():
        if not values:
            raise ValueError(f"{key!r} has an empty list of values; give at least one")
    return grid


def load_spec(
    source: str | Path | dict[str, Any] | SweepSpec, base_dir: Path | None = None
) -> SweepSpec:
    """Read and validate a sweep spec from a YAML file, a mapping, or pass a ``SweepSpec`` through.

    Relative paths in a file's spec resolve against the file's directory; in a mapping, against
    ``base_dir`` (default: the current directory).
    """
    if isinstance(source, SweepSpec):
        return source
    where = "<mapping>"
    if isinstance(source, dict):
        data = source
    else:
        path = Path(source)
        where = str(path)
        data = read_yaml_file(path, "sweep spec", SweepSpecError)
        base_dir = path.resolve().parent
        if not isinstance(data, dict):
            raise SweepSpecError(f"{path}: a sweep spec is a mapping, got {type(data).__name__}")
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as err:
        raise SweepSpecError(f"{where}: {_describe(err)}") from None
    spec._base_dir = (base_dir or Path.cwd()).resolve()
    return spec


def _describe(err: ValidationError) -> str:
    parts = []
    for problem in err.errors():
        message = problem["msg"].removeprefix("Value error, ")
        if not problem["loc"]:  # a rule over the whole spec: its message says what is wrong
            parts.append(message)
            continue
        field = ".".join(str(p) for p in problem["loc"])
        value = _short(problem.get("input"))
        parts.append(f"field {field!r}: {message} (got {value})")
    return "; ".join(parts)


def _short(value: Any, limit: int = 120) -> str:
    """``repr(value)`` cut to ``limit`` characters: an error quotes the value, not a whole spec."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
