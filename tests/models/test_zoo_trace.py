"""``neurocost.trace`` on every zoo entry (small shapes), and the op classes the entries declare."""

from __future__ import annotations

import functools

import pytest

import neurocost as nc
from neurocost.models import zoo
from tests.models.test_zoo import SMALL


@functools.cache
def _trace(name: str, steps: int | None = None) -> nc.Trace:
    kw = SMALL.get(name, {})
    x = zoo.example_input(name, batch=2, steps=steps, **kw)
    return nc.trace(zoo.get(name, **kw), x, steps=None if zoo.entry(name).stepwise else 1)


@pytest.mark.parametrize("name", [n for n in zoo.names() if not n.endswith("_base")])
def test_every_entry_traces_with_full_coverage(name: str) -> None:
    trace = _trace(name)
    assert trace.coverage == 1.0
    assert trace.totals()["dense_ops"].value > 0


def test_scnn_dense_counts_per_step() -> None:
    per_layer = _trace("scnn", steps=1).per_layer().set_index("layer")["dense_ops"]
    # conv 1->8 5x5 on 28x28 -> 24x24x8 outputs x 25 = 115,200 MACs; conv 8->16 5x5 on 12x12 ->
    # 8x8x16 outputs x 200 = 204,800 ACs (fed spikes); linear 256 x 10 = 2,560 ACs
    assert sorted(int(v) for v in per_layer.values if v) == [2_560, 115_200, 204_800]


def test_bibert_is_binary_except_its_classifier() -> None:
    totals = _trace("bibert").totals()
    # only the fp32 classifier multiplies: d_model 128 x 2 classes = 256 MACs per sample
    assert totals["dense_macs"].value == 128 * 2
    assert totals["dense_bops"].value == totals["dense_ops"].value - 256


def test_spiking_bert_projections_are_signed_accumulates() -> None:
    totals = _trace("spiking_bert", steps=1).totals()
    # ternary spikes feed every projection and both attention matmuls; the classifier
    # (128 x 2) reads the fp32 pooler output
    assert totals["dense_macs"].value == 128 * 2
    assert totals["dense_signed_acs"].value == totals["dense_ops"].value - 256


def test_reactnet_a_real_layers_are_only_stem_and_classifier() -> None:
    totals = _trace("reactnet_a").totals()
    # width 0.25: stem 3 -> 8 channels, last stage 256. 32x32 input, stem 3x3 stride 2 padding 1
    # -> 16x16: output row 0 sees 2 real input rows, the other 15 see 3 (padding is not
    # counted), same for columns: (2 + 15*3)^2 = 2209 taps per channel pair, x 3 x 8 = 53,016
    # MACs; classifier 256 x 1000
    assert totals["dense_macs"].value == 47 * 47 * 3 * 8 + 256 * 1000
