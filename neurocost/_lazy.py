"""Lazy public names for a package: imported on first use, so importing the package stays light.

``import neurocost`` must not pull in torch, pandas or CUDA bindings until a name that needs them
is used; the package's ``__getattr__`` and ``__dir__`` come from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(
    package: str, exports: dict[str, str], modules: dict[str, str] | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``.

    ``exports`` maps a public name to the module that defines it; ``modules`` maps a public name
    to a module that is itself the export (a subpackage, or a module of named objects).
    """
    modules = modules or {}

    def __getattr__(name: str) -> Any:  # noqa: N807
        if name in modules:
            return importlib.import_module(modules[name])
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    def __dir__() -> list[str]:  # noqa: N807
        return sorted([*exports, *modules])

    return __getattr__, __dir__
