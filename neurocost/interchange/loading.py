"""Resolve a model spec string to a torch module: the one entry point the CLI and ``trace`` share.

Accepted specs:
    ``zoo:NAME``               a zoo entry (keyword arguments resize it)
    ``package.module:factory`` an importable factory function
    ``path/to/file.py:factory`` a factory in a Python file (executed as a fresh module)
    ``path/to/model.onnx``     an ONNX graph, converted to a torch module
    ``path/to/model.nir``      a NIR graph (spiking), converted through snnTorch
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from torch import nn

from neurocost.errors import NeurocostError


class ModelSpecError(NeurocostError):
    """A model spec that cannot be resolved; the message names the spec and what is wrong."""


def load_model(spec: str, **kw: Any) -> nn.Module:
    """Build the module that ``spec`` names (see the module docstring for the forms)."""
    spec = spec.strip()
    if spec.startswith("zoo:"):
        from neurocost.models import zoo

        name = spec[len("zoo:") :]
        _check_keywords(spec, zoo.entry(name).factory, kw)
        return zoo.get(name, **kw)
    suffix = Path(spec).suffix.lower()
    if suffix == ".onnx":
        return _load_graph_file(spec, "onnx", kw)
    if suffix == ".nir":
        return _load_graph_file(spec, "nir", kw)
    target, sep, factory_name = spec.rpartition(":")
    if not sep or not target or not factory_name:
        raise ModelSpecError(
            f"model spec {spec!r}: expected zoo:NAME, package.module:factory, file.py:factory, "
            "a .onnx file or a .nir file"
        )
    if target.endswith(".py"):
        factory = getattr(_module_from_file(spec, Path(target)), factory_name, None)
    else:
        factory = getattr(_import(spec, target), factory_name, None)
    return _call_factory(spec, factory, kw)


def _import(spec: str, module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ImportError as err:
        raise ModelSpecError(f"model spec {spec!r}: cannot import {module_name!r}: {err}") from err


def _module_from_file(spec: str, path: Path) -> Any:
    if not path.is_file():
        raise FileNotFoundError(f"model spec {spec!r}: no such file {str(path)!r}")
    module_spec = importlib.util.spec_from_file_location(f"_neurocost_user_{path.stem}", path)
    if module_spec is None or module_spec.loader is None:
        raise ModelSpecError(f"model spec {spec!r}: cannot load {str(path)!r} as Python")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def _call_factory(spec: str, factory: Callable[..., Any] | None, kw: dict[str, Any]) -> nn.Module:
    if not callable(factory):
        raise ModelSpecError(
            f"model spec {spec!r}: the factory after ':' is missing or not callable"
        )
    _check_keywords(spec, factory, kw)
    try:
        model = factory(**kw)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RuntimeError) as err:
        given = f" with {kw}" if kw else ""
        raise ModelSpecError(f"model spec {spec!r}: building it{given} failed "
                             f"({type(err).__name__}: {err})") from err
    if not isinstance(model, nn.Module):
        raise ModelSpecError(
            f"model spec {spec!r}: factory returned {type(model).__name__}, not a torch nn.Module"
        )
    return model


def _check_keywords(spec: str, factory: Callable[..., Any], kw: dict[str, Any]) -> None:
    """Keywords the factory does not take are named, with those it does, before it runs."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # a builtin or C callable: let the call itself decide
        return
    try:
        signature.bind(**kw)
    except TypeError as err:
        accepted = [name for name, p in signature.parameters.items()
                    if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        raise ModelSpecError(f"model spec {spec!r}: {err}; its keywords: "
                             f"{', '.join(accepted) or 'none'}") from None


def _load_graph_file(spec: str, kind: str, kw: dict[str, Any]) -> nn.Module:
    path = Path(spec)
    if not path.is_file():
        raise FileNotFoundError(f"model spec {spec!r}: no such {kind} file")
    if kw:
        raise ModelSpecError(f"model spec {spec!r}: a {kind} file takes no keywords, got {kw}")
    if kind == "onnx":
        from neurocost.interchange.onnx_import import import_onnx

        return import_onnx(path)
    from neurocost.interchange.nir_io import import_nir

    return import_nir(path)
