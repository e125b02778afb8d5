"""Layer-to-core mapping: units, greedy placement by neurons and synapse memory, user mappings."""

from __future__ import annotations

import re

import pytest

from neurocost.sim.mapping import (
    MappingError,
    greedy_mapping,
    share,
    units_of,
    user_mapping,
)
from neurocost.sim.simulate import simulate
from neurocost.sim.synthetic import chain_trace
from tests.sim.toy_chip import toy, toy_chip


def test_units_pair_each_neuron_layer_with_the_synaptic_layer_before_it():
    units = units_of(chain_trace([10, 20, 30], steps=2), toy_chip())
    assert [u.layers for u in units] == [("fc1", "lif1"), ("fc2", "lif2")]
    # neurons per sample; synapses per connection x 8-bit weights (chain_trace's weights)
    assert [(u.neurons, u.synapse_bits) for u in units] == [(20, 10 * 20 * 8), (30, 20 * 30 * 8)]


def test_per_weight_storage_counts_the_weight_tensor_once():
    chip = toy_chip()
    chip = chip.model_copy(
        update={"cores": chip.cores.model_copy(update={"synapse_storage": "per_weight"})}
    )
    units = units_of(chain_trace([10, 20], steps=1), chip)
    # weight_bits_read of a linear layer is its whole weight tensor: 10 x 20 x 8 bits
    assert units[0].synapse_bits == 10 * 20 * 8


def _storing(bits: int, storage: str = "per_connection"):
    chip = toy_chip()
    cores = chip.cores.model_copy(update={"weight_bits": toy(bits, "bit"),
                                          "synapse_storage": storage})
    return chip.model_copy(update={"cores": cores})


@pytest.mark.parametrize("storage", ["per_connection", "per_weight"])
def test_weights_are_stored_at_the_chip_precision_and_the_quantisation_is_reported(storage):
    trace = chain_trace([10, 20], steps=1)  # 8-bit weights
    chip = _storing(4, storage)
    units = units_of(trace, chip)
    assert units[0].synapse_bits == 10 * 20 * 4
    assert units[0].quantised == (("fc1", 8, 4),)
    timing = simulate(trace, chip)
    assert "weights of 'fc1' stored at 4 bits (the chip's weight precision), quantised from " \
           "the traced 8 bits" in timing.notes


def test_narrower_weights_keep_their_own_width():
    units = units_of(chain_trace([10, 20], steps=1), _storing(16))
    assert units[0].synapse_bits == 10 * 20 * 8
    assert units[0].quantised == ()


def test_greedy_takes_enough_cores_for_neurons():
    # 250 neurons at 100 per core -> ceil(2.5) = 3 cores; the next unit starts after them
    mapping = greedy_mapping(units_of(chain_trace([10, 250, 50], steps=1), toy_chip()), toy_chip())
    assert [p.cores for p in mapping.placements] == [(0, 1, 2), (3,)]


def test_greedy_takes_enough_cores_for_synapse_memory():
    # 100 x 50 connections x 8 bits = 40,000 bits at 10,000 bits per core -> 4 cores,
    # although the 50 neurons would fit one core
    chip = toy_chip(synapse_bits_per_core=10_000)
    mapping = greedy_mapping(units_of(chain_trace([100, 50], steps=1), chip), chip)
    assert mapping.placements[0].cores == (0, 1, 2, 3)


def test_greedy_packs_small_units_into_one_core():
    # 20 + 30 + 40 neurons <= 100 per core; synapses 10*20*8 + 20*30*8 + 30*40*8 = 16,000 bits
    chip = toy_chip()
    mapping = greedy_mapping(units_of(chain_trace([10, 20, 30, 40], steps=1), chip), chip)
    assert [p.cores for p in mapping.placements] == [(0,), (0,), (0,)]


def test_network_too_large_names_cores_needed_and_largest_layer():
    # lif1: 1,000 neurons -> 10 cores; lif2: 2,000 -> 20 cores; 30 > 16
    chip = toy_chip(synapse_bits_per_core=10**9)
    units = units_of(chain_trace([10, 1000, 2000], steps=1), chip)
    with pytest.raises(MappingError) as err:
        greedy_mapping(units, chip)
    message = str(err.value)
    assert "needs 30 cores, the profile has 16" in message
    assert "largest layer 'lif2' (fc2+lif2) needs 20 cores" in message


def test_user_mapping_is_accepted_by_any_layer_name_of_a_unit():
    chip = toy_chip()
    units = units_of(chain_trace([10, 20, 30], steps=1), chip)
    mapping = user_mapping(units, {"fc1": 5, "lif2": [7, 9]}, chip)
    assert [p.cores for p in mapping.placements] == [(5,), (7, 9)]


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ({"fc1": 0, "lif2": 1, "conv9": 2}, "unknown layers ['conv9']"),
        ({"fc1": 0}, "without cores: ['lif2']"),
        ({"fc1": 0, "lif2": 16}, "core indices in [0, 16)"),
        ({"fc1": 0, "lif1": 1, "lif2": 2}, "different cores"),
    ],
)
def test_user_mapping_errors_name_the_problem(assignment, expected):
    chip = toy_chip()
    units = units_of(chain_trace([10, 20, 30], steps=1), chip)
    with pytest.raises(MappingError, match=re.escape(expected)):
        user_mapping(units, assignment, chip)


def test_user_mapping_over_capacity_names_the_core():
    # 150 neurons on one core of 100
    chip = toy_chip()
    units = units_of(chain_trace([10, 150], steps=1), chip)
    with pytest.raises(MappingError, match="core 3 .* holds 150 neurons"):
        user_mapping(units, {"lif1": 3}, chip)


def test_share_splits_whole_counts_exactly():
    assert share(10, 4).tolist() == [3, 3, 2, 2]
    assert share(10, 4).sum() == 10
    assert share(2.5, 2).tolist() == [1.25, 1.25]


def test_user_mapping_takes_sanafe_core_addresses():
    chip = toy_chip(cores=16, columns=2, rows=2, cores_per_tile=4)
    units = units_of(chain_trace([10, 20, 30], steps=1), chip)
    # "tile.core": core 1 of tile 2 is core 2 x 4 + 1 = 9
    mapping = user_mapping(units, {"fc1": "2.1", "lif2": ["0.0", 3]}, chip)
    assert [p.cores for p in mapping.placements] == [(9,), (0, 3)]
    with pytest.raises(MappingError, match=r"core address '0.4'.*below 4"):
        user_mapping(units, {"fc1": "0.4", "fc2": 0}, chip)
