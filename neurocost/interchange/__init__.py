"""Interchange: models from outside and out again.

``load_model`` resolves a model reference (``zoo:NAME``, ``pkg.mod:factory``, ``file.py:factory``,
an ``.onnx`` or ``.nir`` file); ``import_onnx``/``export_onnx`` and ``import_nir``/``export_nir``
translate between torch modules and those formats, keeping declared operand encodings.
"""

from __future__ import annotations

from neurocost._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "load_model": "neurocost.interchange.loading",
    "export_onnx": "neurocost.interchange.onnx_export",
    "import_onnx": "neurocost.interchange.onnx_import",
    "export_nir": "neurocost.interchange.nir_io",
    "import_nir": "neurocost.interchange.nir_io",
}

__getattr__, __dir__ = lazy_exports("neurocost.interchange", _EXPORTS)
