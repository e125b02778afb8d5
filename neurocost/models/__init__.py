"""Models: operand encodings, binary/quantised layers, encoders, the model zoo, training on
shipped data, loaders and ONNX/NIR interchange.

Names are resolved lazily (``neurocost.models.train`` imports the training loop on first use),
so importing ``neurocost.models.encodings`` stays cheap.
"""

from __future__ import annotations

from neurocost._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
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


_MODULES: dict[str, str] = {m: f"neurocost.models.{m}" for m in ("zoo", "layers", "encoders")}

__getattr__, __dir__ = lazy_exports("neurocost.models", _EXPORTS, _MODULES)
