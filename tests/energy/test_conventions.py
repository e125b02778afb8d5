"""Paper counting conventions on hand-built traces (per sample, summed over steps)."""

from __future__ import annotations

import dataclasses

import pytest

from neurocost.energy.conventions import (
    SnnEnergy,
    UnknownConventionError,
    get_convention,
    names,
)
from neurocost.energy.pricing import price
from neurocost.energy.registry import load_profile
from tests.energy.builders import FC1, FC2, build_trace, two_layer_trace

# A binary conv (6400 BOPs per step as papers count them) between real-valued first/last layers
BINARY = dict(FC1, layer="bconv", kind="conv2d", op_class="bop", in_encoding="binary",
              weight_encoding="binary", in_bits=1, weight_bits=1, dense_ops=6400,
              effective_ops=6400, nominal_ops=6400)


def _counts(convention, trace):
    return {k: q.value for k, q in get_convention(convention).counts(trace).items()}


def test_registered_names():
    assert names() == ["bireal", "bert", "op-counter", "snn-energy", "thop", "fvcore",
                       "mmengine", "ptflops", "spikingjelly", "kbit", "kbit-bert", "snn-rates"]


def test_bireal_ops_are_bops_over_64_plus_flops():
    counts = _counts("bireal", build_trace([FC1, BINARY], steps=1))
    # BOPs 6400; FLOPs = fc1's 100 MACs (1 MAC = 1 FLOP); OPs = 6400 / 64 + 100 = 200
    assert counts == {"bops": 6400, "flops": 100, "ops": 200}


def test_bert_flops_are_twice_the_macs_with_binary_ops_over_64():
    counts = _counts("bert", build_trace([FC1, BINARY], steps=1))
    # FLOPs = 2 x (100 MACs + 6400 / 64) = 400
    assert counts == {"macs": 100, "bops": 6400, "flops": 400}


def test_op_counter_counts_every_synaptic_op_as_a_mac():
    counts = _counts("op-counter", build_trace([FC1, BINARY, FC2], steps=1))
    # 100 + 6400 + 50 nominal ops, whatever the operand types
    assert counts == {"macs": 6550, "flops": 13100}


def test_snn_energy_uses_the_convention_profile_constants():
    prof = load_profile("snn-45nm-ac-mac")
    e_mac, e_ac = prof.compute.mac["any"].si, prof.compute.ac["any"].si
    counts = _counts("snn-energy", two_layer_trace(steps=2))
    # MACs: fc1's 100 nominal ops at each of 2 steps; ACs: fc2's 15 effective ops x 2 steps
    assert counts["macs"] == 200 and counts["acs"] == 30
    assert counts["energy"] == pytest.approx(200 * e_mac + 30 * e_ac)


def test_snn_energy_can_count_the_encoding_layer_once():
    once = SnnEnergy("snn-energy", "1", "", encoding_times_steps=False)
    counts = {k: q.value for k, q in once.counts(two_layer_trace(steps=2)).items()}
    assert counts["macs"] == 100
    assert once.label == "snn-energy@1[encoding once]"


def test_a_convention_that_changes_counts_changes_the_priced_compute():
    once = SnnEnergy("snn-energy", "1", "", encoding_times_steps=False)
    trace = two_layer_trace(steps=2)
    every_step = price(trace, "snn-45nm-ac-mac")
    counted_once = price(trace, "snn-45nm-ac-mac", convention=once)
    e_mac = load_profile("snn-45nm-ac-mac").compute.mac["any"].si
    # fc1's 160 effective MACs over two steps become 80
    assert every_step.energy_j - counted_once.energy_j == pytest.approx(80 * e_mac)


def test_estimates_carry_the_convention_label_and_figures():
    est = price(two_layer_trace(steps=2), "snn-45nm-ac-mac", convention="op-counter")
    assert est.convention == "op-counter@1"
    # fc1 100 + fc2 50 nominal ops per step, 2 steps
    assert est.counts["macs"].value == 300
    assert est.to_dict()["convention"] == "op-counter@1"


def test_unknown_convention_lists_the_known_ones():
    with pytest.raises(UnknownConventionError, match=r"unknown convention 'bop64'.*bireal"):
        get_convention("bop64")


# A W2A2 linear layer: 640 nominal ops (per sample), int2 x int2 operands
W2A2 = dict(FC1, layer="q2", op_class="mac", in_encoding="int2", weight_encoding="int2",
            in_bits=2, weight_bits=2, dense_ops=600, effective_ops=500, nominal_ops=640)


def test_kbit_counts_a_bw_ba_product_as_bw_times_ba_over_64():
    counts = _counts("kbit", build_trace([FC1, BINARY, W2A2], steps=1))
    # fc1 fp32: 100 x 1; bconv W1A1: 6400 x 1/64 = 100; q2 W2A2: 640 x 4/64 = 40
    assert counts == {"low_bit_macs": 6400 + 640, "macs": 240, "flops": 240}
    assert _counts("kbit-bert", build_trace([FC1, BINARY, W2A2], steps=1))["flops"] == 480


def test_kbit_matches_bireal_on_one_bit_products():
    trace = build_trace([FC1, BINARY], steps=1)
    assert _counts("kbit", trace)["macs"] == _counts("bireal", trace)["ops"]


@pytest.mark.parametrize("name", ["bireal", "bert", "op-counter", "snn-energy", "thop",
                                  "fvcore", "mmengine", "ptflops", "spikingjelly", "kbit",
                                  "kbit-bert", "snn-rates"])
def test_every_convention_has_a_border_choice(name):
    nominal = get_convention(name)
    exact = dataclasses.replace(nominal, border="exact")
    trace = build_trace([FC1, W2A2], steps=1)
    assert nominal.border == "nominal" and exact.label.endswith("[exact]")
    # q2's nominal 640 vs exact 600 (its padded border): every op total moves by the same rows
    first = next(k for k in ("ops", "macs") if k in get_convention(name).counts(trace))
    assert exact.counts(trace)[first].value < nominal.counts(trace)[first].value


def test_an_unknown_border_is_refused():
    with pytest.raises(ValueError, match="border must be one of"):
        dataclasses.replace(get_convention("thop"), border="padded")
