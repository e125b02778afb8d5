"""Bench CLI and sizes parsing (no GPU), and the bench-JSON -> h100 calibration hook."""

import json

import pytest

from neurocost.cli import main
from neurocost.hw.bench.calibrate import h100_overrides
from neurocost.hw.bench.harness import FORMAT, Protocol, parse_size
from neurocost.provenance import Sourced


def test_bench_help_documents_the_nvml_protocol(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["hw", "bench", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for phrase in ("idle baseline", "NVML total-energy difference", "throttle reasons",
                   "dynamic = (dE - P_idle * dt) / ops", "--window-s", "--kernels"):
        assert phrase in text


def test_parse_size_reads_names_and_numbers():
    assert parse_size("m=8192, n=64,density=0.01") == {"m": 8192.0, "n": 64.0, "density": 0.01}


def test_parse_size_names_the_bad_item():
    with pytest.raises(ValueError, match="'k8'"):
        parse_size("m=1,k8")


def test_protocol_rejects_zero_repeats():
    with pytest.raises(ValueError, match="repeats"):
        Protocol(repeats=0)


def _bench(results, idle_w=None):
    data = {"format": FORMAT, "format_version": 1, "date": "2026-11-24T00:00:00+00:00",
            "command": "neurocost hw bench --out x.json",
            "device": {"name": "NVIDIA H100 80GB HBM3", "driver": "580.00"}, "results": results}
    if idle_w is not None:
        data["idle"] = {"power_w": idle_w, "seconds": 10.0, "energy_j": idle_w * 10.0}
    return data


def _result(label, op_class, ops_per_s, pj_dynamic=None, stream=None, pj_gross=None):
    result = {"label": label, "op_class": op_class,
              "time": {"throughput_ops_per_s": ops_per_s}}
    if stream is not None:
        result["time"]["stream_bytes_per_s"] = stream
    if pj_dynamic is not None:
        result["energy"] = {"pj_per_op_dynamic": {"median": pj_dynamic},
                            "pj_per_op_gross": {"median": pj_gross or 2 * pj_dynamic}}
    return result


def test_calibration_takes_best_rate_and_median_energy():
    # Synthetic figures, not measurements: three bop cases at 1e15, 4e15, 2e15 ops/s and
    # 0.05, 0.02, 0.03 pJ -> rate = max = 4e15, energy = median(0.05, 0.02, 0.03) = 0.03.
    bench = _bench([
        _result("bgemm_bmma:a", "bop", 1e15, 0.05),
        _result("bgemm_bmma:b", "bop", 4e15, 0.02),
        _result("bgemm_popc:c", "bop", 2e15, 0.03),
        _result("gather_float16:d", "ac_fp16", 1.2e12, 2.0, stream=2.4e12),
    ], idle_w=70.0)
    out = h100_overrides(bench, energy="dynamic")
    assert out["throughput.bop"]["value"] == 4e15
    assert "bgemm_bmma:b" in out["throughput.bop"]["source"]
    assert out["compute.bop"]["value"] == pytest.approx(0.03)
    assert out["compute.bop"]["unit"] == "pJ"
    # 2.4e12 B/s = 2.4 TB/s
    assert out["memory.hbm3.bandwidth"]["value"] == pytest.approx(2.4)
    assert out["static_power"]["value"] == 70.0
    for value in out.values():
        fields = {k: v for k, v in value.items() if k != "includes"}
        assert Sourced(**fields).basis == "measured"


def test_calibration_fits_only_the_named_cases():
    bench = _bench([_result("bgemm_bmma:a", "bop", 1e15), _result("bgemm_bmma:b", "bop", 4e15)])
    assert h100_overrides(bench, fit_labels=["bgemm_bmma:a"])["throughput.bop"]["value"] == 1e15
    with pytest.raises(ValueError, match="bgemm_bmma:zz"):
        h100_overrides(bench, fit_labels=["bgemm_bmma:zz"])


def test_calibrate_command_prints_overrides(tmp_path, capsys):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(_bench([_result("lif:t=1", "neuron_update", 2e11)])))
    assert main(["hw", "calibrate", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["throughput.neuron_update"]["value"] == 2e11


def test_calibrate_refuses_other_json(tmp_path):
    path = tmp_path / "trace.json"
    path.write_text(json.dumps({"format": "neurocost.trace"}))
    with pytest.raises(ValueError, match="not a neurocost hw bench file"):
        h100_overrides(path)


def test_gross_energy_is_all_in_and_applies_to_the_shipped_h100_profile():
    from neurocost.energy.registry import load_profile
    from neurocost.hw.bench.calibrate import calibrated_profile

    # synthetic: gross 0.08 pJ per bit-op, 6 pJ per fp32 synaptic event, 1.5 pJ per update
    bench = _bench([
        _result("bgemm_bmma:a", "bop", 4e15, 0.03, pj_gross=0.08),
        _result("gather_float32:a", "ac_fp32", 7e11, 5.0, stream=2.8e12, pj_gross=6.0),
        _result("lif:a", "neuron_update", 2e11, 1.0, pj_gross=1.5),
    ], idle_w=70.0)
    out = h100_overrides(bench)
    assert "static_power" not in out  # idle power is inside every gross figure
    profile = calibrated_profile(load_profile("h100"), out)
    assert profile.compute.bop.value == pytest.approx(0.08)
    assert profile.compute.bop.basis == "all-in" and "static" in profile.compute.bop.includes
    assert profile.compute.ac["fp32"].value == pytest.approx(6.0)
    assert profile.neuron.update["default"].value == pytest.approx(1.5)
    assert profile.throughput.bop.value == 4e15
    assert profile.memory["hbm3"].bandwidth.value == pytest.approx(2.8)
    assert "hw bench" in profile.throughput.bop.source


def test_unknown_energy_convention_is_refused():
    with pytest.raises(ValueError, match="energy convention"):
        h100_overrides(_bench([_result("lif:a", "neuron_update", 1e11)]), energy="net")


def test_unknown_kernel_is_named():
    import numpy as np

    from neurocost.hw.bench.harness import build_cases

    with pytest.raises(ValueError, match="unknown kernel 'bgemm_xor'"):
        build_cases(["bgemm_xor"], [], np.random.default_rng(0), torch=None)


def test_each_kernel_takes_only_sizes_it_understands(monkeypatch):
    import numpy as np

    from neurocost.hw.bench import harness as bench

    seen = []

    def fake_builder(rng, torch, m, n, k):
        seen.append((m, n, k))

    monkeypatch.setitem(bench.KERNELS, "fake", (fake_builder, [{"m": 1, "n": 2, "k": 3}]))
    bench.build_cases(["fake"], [{"m": 8, "n": 8, "k": 8}, {"b": 1, "density": 0.1}],
                      np.random.default_rng(0), torch=None)
    bench.build_cases(["fake"], [{"b": 1, "density": 0.1}], np.random.default_rng(0), torch=None)
    assert seen == [(8, 8, 8), (1, 2, 3)]  # the gather-style size falls back to the default
