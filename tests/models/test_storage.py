"""Model size as a checkpoint holds it: shared parameters once, persistent buffers, declared
overheads (``neurocost.tracing.static.model_size`` through ``models/contract.py``)."""

from __future__ import annotations

import pytest
import snntorch as snn
import torch
import torch.nn as nn

from neurocost.models.layers import BinaryLinear, QuantEmbedding
from neurocost.tracing.static import model_size


class _TiedLM(nn.Module):
    """An embedding and an LM head sharing one weight, with a LayerNorm between."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.norm = nn.LayerNorm(16)
        self.head = nn.Linear(16, 50)
        self.head.weight = self.embed.weight

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.norm(self.embed(ids)))


def _state_dict_bits(model: nn.Module) -> int:
    """Bits of the tensors ``torch.save(model.state_dict())`` writes, each storage once."""
    seen, bits = set(), 0
    for tensor in model.state_dict().values():
        if tensor.data_ptr() in seen:
            continue
        seen.add(tensor.data_ptr())
        bits += tensor.numel() * tensor.element_size() * 8
    return bits


@pytest.mark.parametrize("build", [
    _TiedLM,
    lambda: nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(),
                          nn.Linear(8, 2)),
    lambda: nn.Sequential(nn.Linear(4, 6), snn.Leaky(0.9, init_hidden=True)),
], ids=["tied-lm", "cnn-bn", "snn"])
def test_an_unquantised_model_is_the_size_of_its_state_dict(build):
    model = build()
    assert model_size(model).bits == _state_dict_bits(model)


def test_a_tied_weight_is_stored_once():
    size = model_size(_TiedLM())
    # embed 50 x 16 (shared with head), head bias 50, norm 16 + 16
    assert size.parameters == 50 * 16 + 50 + 32
    assert list(size.tensors["name"]).count("head.weight") == 0


def test_buffers_are_counted_but_neuron_state_is_not():
    model = nn.Sequential(nn.Linear(4, 6), snn.Leaky(0.9, init_hidden=True))
    before = model_size(model).bits
    with torch.no_grad():
        model(torch.rand(32, 4))  # snnTorch's mem becomes a batch-shaped, non-persistent buffer
    assert model_size(model).bits == before
    buffers = model_size(nn.BatchNorm1d(5)).tensors.query("kind == 'buffer'")
    # running_mean, running_var: 5 x fp32 each; num_batches_tracked: one int64
    assert list(buffers["bits"]) == [160, 160, 64]


def test_declared_overheads_count_in_bits_per_weight():
    emb = QuantEmbedding(100, 8, weight_bits=2, scale_bits=16)
    # 2 bits per entry plus one 16-bit scale per 8-entry row: 2 + 16 / 8 = 4
    assert model_size(emb).bits_per_weight == 4.0
    assert model_size(emb).bits == 100 * 8 * 2 + 100 * 16


def test_a_binary_embedding_reads_signs_times_a_row_scale():
    emb = QuantEmbedding(10, 6, weight_bits=1)
    table = emb.effective_weight()
    assert all(row.abs().unique().numel() == 1 for row in table)
    assert str(emb.weight_encoding) == "binary"


def test_a_negative_overhead_is_refused():
    layer = BinaryLinear(4, 4)
    layer.storage_overheads = {"mask": -1}
    with pytest.raises(ValueError, match="storage_overheads"):
        model_size(layer)
