"""Binary and k-bit quantised Linear / Conv layers that declare their operand encodings.

Each layer quantises its weight (``effective_weight()``, the weight actually applied: integer
levels times a per-output-channel scale) and, unless its activation width is 32, its input, then
runs the ordinary float op on the quantised values. The tracer reads ``weight_encoding`` and
``input_encoding`` (the operand the layer multiplies after its own input quantiser) to classify
the ops: W1A1 is XNOR-popcount (BOP), W1A32 add/subtract, W4A4 a 4-bit MAC. The per-channel scale
is applied after the accumulation, so it does not change the op class.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from neurocost.models.encodings import BINARY, Encoding
from neurocost.models.layers.quantizers import (
    FULL_PRECISION,
    encoding_for_bits,
    parse_precision,
    quantize_activation,
    quantize_weight,
)


class _QuantizedOperands:
    """Shared state of a quantised layer: bit widths, declared encodings, the quantised operands."""

    # Class defaults describe the default configuration (W1A1); __init__ sets the instance's own.
    input_encoding: Encoding | None = BINARY
    weight_encoding: Encoding = BINARY
    weight_bits: int = 1
    act_bits: int = 1

    def _set_precision(self, weight_bits: int, act_bits: int, precision: str | None) -> None:
        if precision is not None:
            weight_bits, act_bits = parse_precision(precision)
        self.weight_encoding = encoding_for_bits(weight_bits)
        self.input_encoding = None if act_bits == FULL_PRECISION else encoding_for_bits(act_bits)
        self.weight_bits, self.act_bits = weight_bits, act_bits

    def effective_weight(self) -> torch.Tensor:
        """The quantised weight the forward pass applies (its zeros are the non-zero mask's)."""
        return quantize_weight(self.weight, self.weight_bits)  # type: ignore[attr-defined]

    def quantize_input(self, x: torch.Tensor) -> torch.Tensor:
        """The input on this layer's activation grid (unchanged at 32 bits)."""
        return quantize_activation(x, self.act_bits)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, precision=W{self.weight_bits}A{self.act_bits}"  # type: ignore[misc]


class QuantLinear(_QuantizedOperands, nn.Linear):
    """Linear layer with ``weight_bits``-bit weights and ``act_bits``-bit inputs (or a preset)."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        weight_bits: int = 1,
        act_bits: int = 1,
        precision: str | None = None,
    ) -> None:
        super().__init__(in_features, out_features, bias=bias)
        self._set_precision(weight_bits, act_bits, precision)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(self.quantize_input(x), self.effective_weight(), self.bias)


class _QuantConv(_QuantizedOperands):
    """Conv arguments as in torch plus precision; the forward convolves quantised operands."""

    def __init__(
        self, *args: object, weight_bits: int = 1, act_bits: int = 1,
        precision: str | None = None, **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._set_precision(weight_bits, act_bits, precision)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = self.effective_weight()
        return self._conv_forward(self.quantize_input(x), weight, self.bias)  # type: ignore[attr-defined]


class QuantConv1d(_QuantConv, nn.Conv1d):
    """Conv1d with quantised weights and inputs; same arguments as ``nn.Conv1d`` plus precision."""


class QuantConv2d(_QuantConv, nn.Conv2d):
    """Conv2d with quantised weights and inputs; same arguments as ``nn.Conv2d`` plus precision."""


class BinaryLinear(QuantLinear):
    """1-bit weights (sign x per-output scale); inputs binarised too unless told otherwise."""

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True,
        binary_activations: bool = True,
    ) -> None:
        super().__init__(
            in_features, out_features, bias,
            weight_bits=1, act_bits=1 if binary_activations else FULL_PRECISION,
        )


class BinaryConv2d(QuantConv2d):
    """Conv2d with 1-bit weights; inputs binarised too unless ``binary_activations=False``."""

    def __init__(self, *args: object, binary_activations: bool = True, **kwargs: object) -> None:
        act_bits = 1 if binary_activations else FULL_PRECISION
        super().__init__(*args, weight_bits=1, act_bits=act_bits, **kwargs)


class ActQuantizer(nn.Module):
    """Quantises a tensor to ``bits`` bits and tags it (``output_encoding``) for the next op.

    Used where the consumer is not a layer that quantises its own input, e.g. before the
    activation x activation matmuls of binary attention.
    """

    output_encoding: Encoding = BINARY

    def __init__(self, bits: int = 1) -> None:
        super().__init__()
        if bits == FULL_PRECISION:
            raise ValueError("ActQuantizer: bits=32 would not quantise; leave the module out")
        self.bits = bits
        self.output_encoding = encoding_for_bits(bits)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return quantize_activation(x, self.bits)

    def extra_repr(self) -> str:
        return f"bits={self.bits}"


class QuantEmbedding(nn.Embedding):
    """Embedding table of ``weight_bits``-bit entries times a per-row scale (signs at 1 bit,
    {-1, 0, +1} at 2 bits, as ``quantize_weight`` quantises an output channel).

    ``scale_bits``: the width a checkpoint stores each row's scale at. When given, the layer
    declares those scales in ``storage_overheads``, so model size and ``bits_per_weight`` include
    them (``weight_bits + scale_bits / embedding_dim`` bits per entry); unset, only the entries
    are counted, as BiBERT-style size figures count them.
    """

    weight_encoding: Encoding = BINARY
    weight_bits: int = 1

    def __init__(self, *args: object, weight_bits: int = 1, scale_bits: int | None = None,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.weight_bits = weight_bits
        self.weight_encoding = encoding_for_bits(weight_bits)
        if scale_bits is not None:
            self.storage_overheads = {"scales": float(self.num_embeddings * scale_bits)}

    def effective_weight(self) -> torch.Tensor:
        """The quantised table the lookup reads."""
        return quantize_weight(self.weight, self.weight_bits)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return F.embedding(ids, self.effective_weight(), self.padding_idx)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, weight_bits={self.weight_bits}"


class BinaryEmbedding(QuantEmbedding):
    """Embedding table stored as signs times a per-row scale (1 bit per entry)."""
