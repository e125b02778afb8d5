"""Models: operand encodings, binary/quantised layers, encoders, the model zoo, neuron state and
training on shipped data. Files from outside (ONNX, NIR, factories) come in through
``neurocost.interchange``.

Names are resolved lazily (``neurocost.models.train`` imports the training loop on first use),
so importing ``neurocost.models.encodings`` stays cheap.
"""

from __future__ import annotations

from neurocost._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
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
    "reset_state": "neurocost.models.state",
    "register_state_reset": "neurocost.models.state",
}


_MODULES: dict[str, str] = {m: f"neurocost.models.{m}" for m in ("zoo", "layers", "encoders")}

__getattr__, __dir__ = lazy_exports("neurocost.models", _EXPORTS, _MODULES)
