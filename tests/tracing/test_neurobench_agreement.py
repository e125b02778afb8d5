"""Agreement with NeuroBench's SynapticOperations, the field's reference counter (test-only oracle).

NeuroBench decides MAC vs AC by looking at values; neurocost by declaration. On these models the
two coincide once the input's encoding is declared: analog frames -> the first layer is MAC,
spike frames (declared ``spike``) -> every layer is AC. NeuroBench reports per sample, summed over
steps, as neurocost does; its Effective_ACs include +-1 inputs, so we compare acs + signed_acs.
"""

from __future__ import annotations

import pytest
import snntorch as snn
import torch
import torch.nn as nn
from neurobench.benchmarks import Benchmark
from neurobench.metrics.workload import SynapticOperations
from neurobench.models import SNNTorchModel

import neurocost as nc

T, B = 8, 6


def _cnn() -> nn.Module:
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 4, 5, padding=1), nn.MaxPool2d(2), snn.Leaky(beta=0.9, init_hidden=True),
        nn.Conv2d(4, 6, 3, stride=2), snn.Leaky(beta=0.9, init_hidden=True), nn.Flatten(),
        nn.Linear(6 * 6 * 6, 10), snn.Leaky(beta=0.9, init_hidden=True, output=True))
    return _scaled(net)


def _mlp() -> nn.Module:
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Flatten(), nn.Linear(28 * 28, 64), snn.Leaky(beta=0.8, init_hidden=True),
        nn.Linear(64, 32), snn.Synaptic(alpha=0.7, beta=0.8, init_hidden=True),
        nn.Linear(32, 10), snn.Leaky(beta=0.8, init_hidden=True, output=True))
    return _scaled(net)


def _scaled(net: nn.Module) -> nn.Module:
    """Scale default weights so that neurons fire, and prune some so zero weights are skipped."""
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.mul_(3 * (torch.rand(m.weight.shape, generator=g) > 0.2))
    return net


def _frames(kind: str) -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    image = torch.rand(B, 1, 28, 28, generator=g)
    analog = image.unsqueeze(0).expand(T, -1, -1, -1, -1)
    if kind == "analog":
        return analog.contiguous()
    return torch.bernoulli(0.3 * analog, generator=g)


def _neurobench_synops(net: nn.Module, x: torch.Tensor) -> dict[str, float]:
    data = x.transpose(0, 1)  # NeuroBench wants (batch, time, ...)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(data, torch.zeros(B)), batch_size=B)
    bench = Benchmark(SNNTorchModel(net), loader, [], [], [[], [SynapticOperations]])
    return bench.run(quiet=True)["SynapticOperations"]


@pytest.mark.parametrize("make", [_cnn, _mlp], ids=["cnn", "mlp"])
@pytest.mark.parametrize("kind", ["analog", "spike"])
def test_effective_and_dense_ops_equal_neurobench(make, kind):
    x = _frames(kind)
    theirs = _neurobench_synops(make(), x)
    totals = nc.trace(make(), x, input_encoding="spike" if kind == "spike" else None).totals()
    ours_acs = totals["effective_acs"].value + totals["effective_signed_acs"].value
    assert totals["effective_macs"].value == theirs["Effective_MACs"]
    assert ours_acs == theirs["Effective_ACs"]
    assert totals["dense_ops"].value == theirs["Dense"]
    assert theirs["Effective_ACs"] > 0  # the comparison exercises accumulates
