"""Optional libraries a user's model may bring (transformers), imported the one way that works.

transformers imports torchvision and torchaudio whenever they are installed. PyPI's builds of
both (pulled in by spikingjelly, among others) cannot load against a CPU build of torch, and an
unloadable one makes every Hugging Face model fail to import. neurocost uses neither, so before
it imports transformers it hides an unloadable one: ``importlib.util.find_spec`` then reports it
absent and transformers does without it. A loadable one is left alone.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

_VISION_AND_AUDIO = ("torchvision", "torchaudio")


def hide_unloadable(package: str) -> bool:
    """Hide ``package`` if it is installed but fails to import; True when it was hidden."""
    if package in sys.modules:
        return sys.modules[package] is None
    try:
        importlib.import_module(package)
    except ModuleNotFoundError:
        return False
    except Exception:  # RuntimeError or OSError from its operator registry or a missing .so
        for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[name]
        sys.modules[package] = None  # type: ignore[assignment]
        return True
    return False


def import_transformers() -> ModuleType:
    """``transformers``, after hiding an unloadable torchvision or torchaudio; an ImportError
    that says how to install it when it is missing."""
    for package in _VISION_AND_AUDIO:
        hide_unloadable(package)
    try:
        return importlib.import_module("transformers")
    except ImportError as err:
        raise ImportError("this needs Hugging Face transformers: pip install "
                          "'neurocost[transformers]'") from err
