"""A profile file may extend another and state only what differs (``extends``)."""

from __future__ import annotations

import pytest
import yaml

from neurocost.energy.pricing import price
from neurocost.energy.registry import ProfileError, load_profile, read_profile_file
from neurocost.tracing.workload import InputSpec, ModelRef, prepare
from tests.energy.builders import toy_dict


def _write(tmp_path, name, data):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_h200_is_h100_compute_with_hbm3e():
    h100, h200 = load_profile("h100"), load_profile("h200")
    assert h200.compute == h100.compute and h200.throughput == h100.throughput
    assert list(h200.memory) == ["hbm3e"]  # h100's hbm3 level is removed, not kept beside it
    # NVIDIA H200 datasheet: 141 GB HBM3e at 4.8 TB/s
    assert h200.memory["hbm3e"].capacity.value == 141
    assert h200.architecture.dense.memory_bandwidth.value == 4.8
    assert h200.architecture.dense.peak_ops_per_s == h100.architecture.dense.peak_ops_per_s


def test_a_user_variant_changes_one_constant_of_a_builtin(tmp_path):
    path = _write(tmp_path, "my-h100", {
        "extends": "h100", "id": "my-h100", "version": "1",
        "compute": {"mac": {"int8": {"value": 0.5, "unit": "pJ", "basis": "measured",
                                     "source": "our bench, 2026"}}}})
    mine, base = read_profile_file(path), load_profile("h100")
    assert mine.compute.mac["int8"].value == 0.5
    assert mine.compute.mac["fp16"] == base.compute.mac["fp16"]  # siblings of the changed key stay


def test_extends_reads_a_file_beside_the_profile_first(tmp_path):
    _write(tmp_path, "toy", toy_dict())
    path = _write(tmp_path, "toy2", {"extends": "toy.yaml", "id": "toy2", "static_power": None})
    profile = read_profile_file(path)
    assert profile.id == "toy2" and profile.static_power is None
    assert profile.compute == read_profile_file(tmp_path / "toy.yaml").compute


def test_extending_an_unknown_profile_names_the_field(tmp_path):
    path = _write(tmp_path, "x", {"extends": "h900", "id": "x"})
    with pytest.raises(ProfileError, match=r"x.yaml: field extends: 'h900' is neither a file"):
        read_profile_file(path)


def test_profiles_extending_each_other_in_a_loop_are_refused(tmp_path):
    _write(tmp_path, "a", {"extends": "b.yaml", "id": "a"})
    path = _write(tmp_path, "b", {"extends": "a.yaml", "id": "b"})
    with pytest.raises(ProfileError, match=r"in a loop \(b.yaml -> a.yaml -> b.yaml\)"):
        read_profile_file(path)


@pytest.mark.parametrize("profile_id", ["h100", "h200"])
def test_gpus_price_a_binary_network_from_the_b1_tensor_core_path(profile_id):
    tr = prepare(ModelRef(source="zoo:bcnn"), InputSpec(samples=2)).trace()
    est = price(tr, profile_id)
    bop = load_profile(profile_id).compute.bop
    assert bop.basis == "all-in" and "to_verify" in bop.note
    # shared/reference/cuda.md sec. 3.4: A100's 4992 TOPS INT1 is 32,768 binary ops/clk/SM;
    # at H100's 132 SMs and 1.83 GHz tensor clock, 2 ops per bit-MAC, under the 700 W TDP
    bit_macs_per_s = 32_768 * 132 * 1.83e9 / 2
    assert bop.si == pytest.approx(700 / bit_macs_per_s, rel=1e-3)
    binary = tr.layers["op_class"] == "bop"
    assert binary.sum() == 1
    # all-in: one BOP costs the profile's figure, with nothing priced beside it
    per_sample_bops = tr.layers.loc[binary, "effective_ops"].sum() / tr.batch_size
    priced = est.breakdown[est.breakdown["op_class"] == "bop"]
    assert priced["compute_j"].sum() == pytest.approx(per_sample_bops * bop.si)
    assert priced["energy_j"].sum() == pytest.approx(per_sample_bops * bop.si)
    assert est.regime == "all-in compute+memory+static"
