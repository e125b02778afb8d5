"""Binary, ternary, k-bit and partially binarised layers, and signed spiking neurons.

Every layer declares its operand encodings (``input_encoding``, ``weight_encoding``,
``output_encoding``), exposes the weight it applies as ``effective_weight()``, and, when its
storage is mixed precision, ``bits_per_weight``; ``neurocost.trace`` reads these instead of
guessing from values. Graded {0, 1} x amplitude spikes need no class of their own: snnTorch's
``Leaky(graded_spikes_factor=a, learn_graded_spikes_factor=True)`` emits them, and the next layer
folds the amplitude into its weights (still one AC per spike); ``TernaryLeaky`` adds the sign.
"""

from neurocost.models.layers.partial import PartiallyBinarizedLinear
from neurocost.models.layers.quantized import (
    ActQuantizer,
    BinaryConv2d,
    BinaryEmbedding,
    BinaryLinear,
    QuantConv1d,
    QuantConv2d,
    QuantEmbedding,
    QuantLinear,
)
from neurocost.models.layers.quantizers import encoding_for_bits, parse_precision
from neurocost.models.layers.spikes import TernaryLeaky

__all__ = [
    "ActQuantizer",
    "BinaryConv2d",
    "BinaryEmbedding",
    "BinaryLinear",
    "PartiallyBinarizedLinear",
    "QuantConv1d",
    "QuantConv2d",
    "QuantEmbedding",
    "QuantLinear",
    "TernaryLeaky",
    "encoding_for_bits",
    "parse_precision",
]
