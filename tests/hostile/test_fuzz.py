"""Fuzzing every file kind: whatever a profile, claims file, sweep spec or trace holds, reading
it either gives a valid object whose numbers are finite and in range, or a ``NeurocostError``
naming the file. Any other exception, a hang, or a NaN/negative price is a bug.

Inputs are valid files with one leaf replaced by a hostile value (NaN, infinities, negatives,
huge integers, wrong types, deep lists, aliases), plus raw text for the YAML reader itself.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurocost.claims.files import load_claims
from neurocost.energy.pricing import price
from neurocost.energy.registry import read_profile_file
from neurocost.errors import NeurocostError
from neurocost.provenance import Sourced
from neurocost.strict_yaml import load_yaml
from neurocost.sweeps.spec import load_spec
from neurocost.tracing.trace_record import Trace
from tests.energy.builders import toy_dict, two_layer_trace

# The suite's run is derandomised (the same 150 examples every time, so CI cannot flake);
# NEUROCOST_FUZZ_EXAMPLES=5000 runs a longer, random hunt.
_HUNT = os.environ.get("NEUROCOST_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(_HUNT or "150"), deadline=None, derandomize=_HUNT is None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

HOSTILE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 10**30, -(10**30), True, None, "", "nan", ".inf", "-1e999"]),
    st.integers(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.recursive(st.integers(), lambda inner: st.lists(inner, max_size=2), max_leaves=40),
)


def _leaves(data: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _leaves(v, (*path, k))] + [path]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _leaves(v, (*path, i))] + [path]
    return [path]


def _replaced(data: Any, path: tuple, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _mutation(base: Any) -> st.SearchStrategy[Any]:
    paths = _leaves(base)
    return st.builds(_replaced, st.just(base), st.sampled_from(paths), HOSTILE)


def _write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def _read_or_named_error(read: Callable[[Path], Any], path: Path) -> Any | None:
    """What ``read(path)`` returns, or None after checking its error names the file in a
    message of bounded length (no input echoed whole)."""
    try:
        return read(path)
    except NeurocostError as err:
        assert str(err).startswith(str(path))
        assert len(str(err)) < 4000
        return None


def _sourced_values(obj: Any) -> list[Sourced]:
    if isinstance(obj, Sourced):
        return [obj]
    if hasattr(obj, "__pydantic_fields__"):
        return [s for name in obj.__pydantic_fields__ for s in _sourced_values(getattr(obj, name))]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _sourced_values(v)]
    if isinstance(obj, list | tuple):
        return [s for v in obj for s in _sourced_values(v)]
    return []


@FUZZ
@given(data=_mutation(toy_dict()))
def test_profiles_validate_to_finite_positive_constants_or_fail_by_name(
    tmp_path_factory: pytest.TempPathFactory, data: Any
) -> None:
    profile = _read_or_named_error(read_profile_file,
                                   _write(tmp_path_factory.mktemp("p"), "toy.yaml", data))
    if profile is None:
        return
    for value in _sourced_values(profile):
        assert math.isfinite(value.value) and value.value >= 0
    try:
        energy = price(two_layer_trace(), profile).energy_j
    except NeurocostError:
        return
    assert math.isfinite(energy) and energy > 0


CLAIMS = {"claims": [{"id": "c", "source": "s", "model": "zoo:scnn", "metric": "bops",
                      "expected": 0, "tolerance": "1%", "variant": {"steps": 2}}],
          "golden": "c.golden.json"}


@FUZZ
@given(data=_mutation(CLAIMS))
def test_claims_files_validate_or_fail_by_name(
    tmp_path_factory: pytest.TempPathFactory, data: Any
) -> None:
    path = _write(tmp_path_factory.mktemp("c"), "paper.claims.yaml", data)
    loaded = _read_or_named_error(load_claims, path)
    if loaded is None:
        return
    assert loaded.golden_path.resolve().is_relative_to(path.parent.resolve())
    for claim in loaded.claims:
        assert claim.expected == "golden" or math.isfinite(float(claim.expected))


SPEC = {"name": "fuzz", "models": [{"source": "zoo:smlp", "variants": {"seed": [0, 1]},
                                    "input": {"samples": 2}}],
        "profiles": ["cmos45"], "grid": {"memory.sram_8k.capacity": [8, 64]},
        "results": "results", "seed": 0}


@FUZZ
@given(data=_mutation(SPEC))
def test_sweep_specs_validate_within_their_size_or_fail_by_name(
    tmp_path_factory: pytest.TempPathFactory, data: Any
) -> None:
    spec = _read_or_named_error(load_spec, _write(tmp_path_factory.mktemp("s"), "spec.yaml", data))
    if spec is None:
        return
    assert spec.row_count() <= spec.max_rows


TRACE = json.loads(two_layer_trace().to_json())


@FUZZ
@given(data=_mutation(TRACE))
def test_traces_read_to_finite_counts_and_prices_or_fail_by_name(
    tmp_path_factory: pytest.TempPathFactory, data: Any
) -> None:
    from tests.energy.builders import toy

    path = tmp_path_factory.mktemp("t") / "trace.json"
    path.write_text(json.dumps(data))
    trace = _read_or_named_error(Trace.from_json, path)
    if trace is None:
        return
    try:
        energy = price(trace, toy()).energy_j
    except NeurocostError:  # e.g. a layer the profile cannot price, named by layer
        return
    assert all(math.isfinite(q.value) and q.value >= 0 for q in trace.totals().values())
    assert math.isfinite(energy) and energy >= 0


@FUZZ
@given(text=st.text(alphabet=st.sampled_from("[]{}:,&*ab- \n'\"!|>#0.9"), max_size=200))
def test_the_yaml_reader_returns_or_raises_a_yaml_error(text: str) -> None:
    try:
        load_yaml(text)
    except yaml.YAMLError:
        pass
