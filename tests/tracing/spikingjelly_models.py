"""A Spikformer and a SEW-ResNet written on SpikingJelly the way their authors' code is written.

Spikformer follows the official CIFAR model (Zhou et al., ICLR 2023, ``model.py`` of
ZK-Zhou/spikformer), shrunk: spiking patch splitting with a relative-position conv, spiking
self-attention (spike q, k, v, no softmax, ``attn_lif`` at threshold 0.5) and an MLP, each linear
run on ``x.flatten(0, 1)`` and BatchNorm1d over channels. SEW-ResNet follows SpikingJelly's
``sew_resnet.BasicBlock`` (Fang et al., NeurIPS 2021): conv-BN in ``SeqToANNContainer``s,
multi-step IF neurons, ADD connections. Both run multi-step, input ``[T, B, C, H, W]``.
(SpikingJelly's own ``model`` package imports torchvision, which is not a neurocost dependency.)
"""

from __future__ import annotations

import torch
from spikingjelly.activation_based import functional, layer, neuron, op_counter
from torch import nn


def lif(v_threshold: float = 1.0) -> neuron.LIFNode:
    return neuron.LIFNode(tau=2.0, v_threshold=v_threshold, detach_reset=True, step_mode="m")


class _LinearBNLIF(nn.Module):
    """Linear on the flattened sequence, BatchNorm1d over channels, LIF: Spikformer's unit."""

    def __init__(self, d_in: int, d_out: int, v_threshold: float = 1.0) -> None:
        super().__init__()
        self.linear = nn.Linear(d_in, d_out)
        self.bn = nn.BatchNorm1d(d_out)
        self.lif = lif(v_threshold)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, b, n, _ = x.shape
        y = self.linear(x.flatten(0, 1))
        y = self.bn(y.transpose(-1, -2)).transpose(-1, -2).reshape(t, b, n, -1).contiguous()
        return self.lif(y)


class SSA(nn.Module):
    """Spiking self-attention: (Q K^T) V * scale on spikes, no softmax."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads, self.scale = heads, 0.125
        self.q, self.k, self.v = (_LinearBNLIF(dim, dim) for _ in range(3))
        self.attn_lif = lif(0.5)
        self.proj = _LinearBNLIF(dim, dim)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        t, b, n, c = x.shape
        return x.reshape(t, b, n, self.heads, c // self.heads).permute(0, 1, 3, 2, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, b, n, c = x.shape
        q, k, v = (self._split(unit(x)) for unit in (self.q, self.k, self.v))
        attn = (q @ k.transpose(-2, -1)) * self.scale
        y = (attn @ v).transpose(2, 3).reshape(t, b, n, c).contiguous()
        return self.proj(self.attn_lif(y))


class SpikformerBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: int) -> None:
        super().__init__()
        self.attn = SSA(dim, heads)
        self.mlp = nn.Sequential(_LinearBNLIF(dim, dim * mlp_ratio),
                                 _LinearBNLIF(dim * mlp_ratio, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(x)
        return x + self.mlp(x)


class SPS(nn.Module):
    """Spiking patch splitting: conv-BN-LIF stages with max-pooling, plus a relative-position
    conv added to its own input; tokens ``[T, B, N, D]``."""

    def __init__(self, in_channels: int, dim: int) -> None:
        super().__init__()
        self.stages = nn.Sequential(
            layer.Conv2d(in_channels, dim // 2, 3, padding=1, bias=False),
            layer.BatchNorm2d(dim // 2), lif(), layer.MaxPool2d(3, 2, 1),
            layer.Conv2d(dim // 2, dim, 3, padding=1, bias=False),
            layer.BatchNorm2d(dim), lif(), layer.MaxPool2d(3, 2, 1),
        )
        self.rpe = nn.Sequential(layer.Conv2d(dim, dim, 3, padding=1, bias=False),
                                 layer.BatchNorm2d(dim), lif())
        functional.set_step_mode(self, "m")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feat = self.stages(x)
        x = self.rpe(feat) + feat
        return x.flatten(-2).transpose(-1, -2)


class Spikformer(nn.Module):
    def __init__(self, in_channels: int = 3, dim: int = 32, heads: int = 4, depth: int = 1,
                 mlp_ratio: int = 2, classes: int = 10) -> None:
        super().__init__()
        self.patch_embed = SPS(in_channels, dim)
        self.blocks = nn.ModuleList(SpikformerBlock(dim, heads, mlp_ratio) for _ in range(depth))
        self.head = nn.Linear(dim, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(x)
        for block in self.blocks:
            x = block(x)
        return self.head(x.mean(2)).mean(0)


def _conv_bn(c_in: int, c_out: int, kernel: int, stride: int) -> layer.SeqToANNContainer:
    return layer.SeqToANNContainer(
        nn.Conv2d(c_in, c_out, kernel, stride, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(c_out))


def _if() -> neuron.IFNode:
    return neuron.IFNode(detach_reset=True, step_mode="m")


class SEWBlock(nn.Module):
    """SpikingJelly's SEW BasicBlock with the ADD connect function."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1, self.sn1 = _conv_bn(c_in, c_out, 3, stride), _if()
        self.conv2, self.sn2 = _conv_bn(c_out, c_out, 3, 1), _if()
        self.downsample = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Sequential(_conv_bn(c_in, c_out, 1, stride), _if())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.sn2(self.conv2(self.sn1(self.conv1(x))))
        identity = x if self.downsample is None else self.downsample(x)
        return identity + out


class SEWResNet(nn.Module):
    def __init__(self, in_channels: int = 3, width: int = 8, classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(layer.Conv2d(in_channels, width, 3, padding=1, bias=False),
                                  layer.BatchNorm2d(width), _if(), layer.MaxPool2d(2))
        self.layers = nn.Sequential(SEWBlock(width, width), SEWBlock(width, 2 * width, 2))
        self.pool = layer.AdaptiveAvgPool2d((1, 1))
        self.fc = layer.Linear(2 * width, classes)
        functional.set_step_mode(self, "m")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.layers(self.stem(x)))
        return self.fc(torch.flatten(x, 2)).mean(0)


def seeded(factory: type[nn.Module], seed: int = 0, **kw: object) -> nn.Module:
    """The model with seeded weights and BN statistics that make about a fifth of the neurons
    fire (an untrained model's are silent past the first layers), in eval mode."""
    torch.manual_seed(seed)
    model = factory(**kw)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.running_var.uniform_(0.05, 0.2)
                module.bias.uniform_(0.0, 1.0)
    return model.eval()


def recorded(model: nn.Module, x: torch.Tensor, modules: list[nn.Module], step_mode: str,
             want_input: bool = False) -> list[list[torch.Tensor]]:
    """Per module, every step's output (or input) from a plain run with forward hooks, started
    and ended with SpikingJelly's own ``functional.reset_net``."""
    seen: list[list[torch.Tensor]] = [[] for _ in modules]

    def keep(i: int):
        def hook(m, args, out):
            value = (args[0] if want_input else out).detach().clone()
            if step_mode == "m":  # one call holds the whole sequence
                seen[i].extend(value.unbind(0))
            else:
                seen[i].append(value)
        return hook

    handles = [m.register_forward_hook(keep(i)) for i, m in enumerate(modules)]
    functional.reset_net(model)
    with torch.no_grad():
        if step_mode == "m":
            model(x)
        else:
            for t in range(x.shape[0]):
                model(x[t])
    for h in handles:
        h.remove()
    functional.reset_net(model)
    return seen


def spikingjelly_op_counts(model: nn.Module, x: torch.Tensor
                           ) -> tuple[dict[str, int], dict[str, int]]:
    """SpikingJelly's SynOps and MACs per module scope (``"Global"``: all), per batch.

    Scopes are named ``ClassName.path.to.module`` (the model's class name, then its path)."""
    synops, macs = op_counter.SynOpCounter(), op_counter.MACCounter()
    functional.reset_net(model)
    with torch.no_grad(), op_counter.DispatchCounterMode([synops, macs], strict=False):
        model(x)
    functional.reset_net(model)
    return tuple({scope: int(sum(by_op.values())) for scope, by_op in c.get_counts().items()}
                 for c in (synops, macs))


def sew_resnet() -> nn.Module:
    """A factory for ``neurocost trace tests.tracing.spikingjelly_models:sew_resnet``."""
    return seeded(SEWResNet)
