"""Bench JSON -> calibrated parameters of the ``h100`` profile, as dotted-path overrides.

The profile (``neurocost/energy/profiles/h100.yaml``) starts from datasheet bounds; this turns a
``neurocost hw bench`` run into measured values for the same fields, each with its unit and a
source naming the file, device, driver, date and cases it rests on. ``fit_labels`` restricts the
fit to some cases so the rest can validate the calibrated profile.

Rules: a rate is the best throughput measured for that op class (the profile's sustained
peak). An energy is the median over fitted cases of the pJ per op, in one of two conventions:
``gross`` (default) is board energy / ops, an all-in figure holding memory traffic and static
power like the datasheet bounds it replaces; ``dynamic`` subtracts idle power and adds
``static_power`` (the idle baseline), which the profile schema accepts only once no all-in op
energy is left. Op classes map to profile fields as in ``FIELDS``.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

from neurocost.hw.bench.harness import FORMAT
from neurocost.provenance import Sourced

# bench op class -> (energy path, rate path)
FIELDS: dict[str, tuple[str, str]] = {
    "bop": ("compute.bop", "throughput.bop"),
    "mac_int8": ("compute.mac.int8", "throughput.mac.int8"),
    "mac_fp16": ("compute.mac.fp16", "throughput.mac.fp16"),
    "ac_fp32": ("compute.ac.fp32", "throughput.ac.fp32"),
    "ac_fp16": ("compute.ac.fp16", "throughput.ac.fp16"),
    "ac_int8": ("compute.ac.int8", "throughput.ac.int8"),
    "neuron_update": ("neuron.update.default", "throughput.neuron_update"),
}
STATIC_POWER = "static_power"
BANDWIDTH = "memory.hbm3.bandwidth"
_CONVENTIONS = {  # energy convention -> (bench field, basis, terms the figure already holds)
    "gross": ("pj_per_op_gross", "all-in", ["weight_read", "state_rw", "activation_rw", "static"]),
    "dynamic": ("pj_per_op_dynamic", "measured", ["weight_read", "state_rw", "activation_rw"]),
}


def load_bench(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    """A bench report from a path or an already-parsed dict; checks its format tag."""
    if isinstance(source, dict):
        data, where = source, "bench report"
    else:
        where = str(source)
        data = json.loads(Path(source).read_text())
    if data.get("format") != FORMAT:
        raise ValueError(f"{where}: not a neurocost hw bench file (format={data.get('format')!r})")
    return data


def h100_overrides(
    bench: str | Path | dict[str, Any], fit_labels: Collection[str] | None = None,
    energy: str = "gross",
) -> dict[str, dict[str, Any]]:
    """Dotted profile path -> sourced value (``value``, ``unit``, ``source``, ``basis``, ``note``).

    Only fields the bench measured appear. Raises ValueError if ``fit_labels`` names a case the
    file lacks, if ``energy`` is not ``gross`` or ``dynamic``, or if nothing can be fitted.
    """
    if energy not in _CONVENTIONS:
        raise ValueError(f"energy convention must be one of {sorted(_CONVENTIONS)}, got {energy!r}")
    energy_key, basis, includes = _CONVENTIONS[energy]
    data = load_bench(bench)
    results = data["results"]
    labels = {r["label"] for r in results}
    if fit_labels is not None:
        missing = sorted(set(fit_labels) - labels)
        if missing:
            raise ValueError(f"fit cases not in the bench file: {', '.join(missing)}")
        results = [r for r in results if r["label"] in set(fit_labels)]
    origin = (f"neurocost hw bench on {data['device'].get('name', '?')} (driver "
              f"{data['device'].get('driver', '?')}, {data['date']})")
    overrides: dict[str, dict[str, Any]] = {}
    for op_class, (energy_path, rate_path) in FIELDS.items():
        rows = [r for r in results if r["op_class"] == op_class]
        if not rows:
            continue
        best = max(rows, key=lambda r: r["time"]["throughput_ops_per_s"])
        overrides[rate_path] = _sourced(
            best["time"]["throughput_ops_per_s"], "ops/s", origin, [best["label"]],
            "best measured throughput (median over repeats)")
        with_energy = [r for r in rows if "energy" in r]
        if with_energy:
            pj = float(np.median([r["energy"][energy_key]["median"] for r in with_energy]))
            overrides[energy_path] = {
                **_sourced(pj, "pJ", origin, [r["label"] for r in with_energy],
                           f"median NVML energy per op ({energy})", basis),
                "includes": includes,
            }
    streamed = [r for r in results if "stream_bytes_per_s" in r["time"]]
    if streamed:
        best = max(streamed, key=lambda r: r["time"]["stream_bytes_per_s"])
        overrides[BANDWIDTH] = _sourced(
            best["time"]["stream_bytes_per_s"] / 1e12, "TB/s", origin, [best["label"]],
            "bytes a kernel must stream (weights per event, currents) / median time; a lower "
            "bound on achieved bandwidth")
    if energy == "dynamic" and "idle" in data:
        overrides[STATIC_POWER] = _sourced(data["idle"]["power_w"], "W", origin, ["idle"],
                                           "board power at idle (NVML counter over the window)")
    if not overrides:
        raise ValueError("no calibratable results in the bench file (no known op class)")
    return overrides


def _sourced(value: float, unit: str, origin: str, labels: list[str], how: str,
             basis: str = "measured") -> dict[str, Any]:
    checked = Sourced(value=float(value), unit=unit, basis=basis,
                      source=f"{origin}: {', '.join(labels)}", note=how)
    return checked.model_dump(exclude_none=True)


def calibrated_profile(profile: Any, overrides: dict[str, dict[str, Any]]) -> Any:
    """``profile`` (an energy ``Profile``) with each dotted path replaced by its measured value.

    Unlike a sweep override (a new number under the old source), the whole constant is
    replaced, so the profile names the measurement as its source. The result is re-validated
    by the profile schema, whose errors name the field.
    """
    from neurocost.energy.registry import profile_from_dict

    data = profile.model_dump(mode="python", by_alias=True)
    for path, value in overrides.items():
        *parents, leaf = path.split(".")
        node = data
        for part in parents:
            if not isinstance(node, dict) or not isinstance(node.get(part), dict):
                raise ValueError(f"profile {profile.id}: calibrated path {path!r}: no {part!r}")
            node = node[part]
        node[leaf] = value
    return profile_from_dict(data, origin=f"profile {profile.id} calibrated by hw bench")
