"""Models: operand encodings, binary/quantised layers, encoders, the model zoo, training on
shipped data, loaders and ONNX/NIR interchange.

Names are resolved lazily (``neurocost.models.train`` imports the training loop on first use),
so importing ``neurocost.models.encodings`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "zoo": "neurocost.models.zoo",
    "layers": "neurocost.models.layers",
    "encoders": "neurocost.models.encoders",
    "load_model": "neurocost.models.loading",
    "train": "neurocost.models.training",
    "evaluate": "neurocost.models.training",
    "TrainResult": "neurocost.models.training",
    "load_digits": "neurocost.models.datasets",
    "load_mnist": "neurocost.models.mnist",
    "load_nmnist": "neurocost.models.nmnist",
    "LabelledData": "neurocost.models.datasets",
    "DIGITS_SIZES": "neurocost.models.datasets",
    "save_weights": "neurocost.models.weights",
    "load_weights": "neurocost.models.weights",
    "export_onnx": "neurocost.models.onnx_export",
    "import_onnx": "neurocost.models.onnx_import",
    "export_nir": "neurocost.models.nir_io",
    "import_nir": "neurocost.models.nir_io",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'neurocost.models' has no attribute {name!r}")
    if module.endswith(f".{name}"):
        return importlib.import_module(module)
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
