"""The model zoo: ``get(name, **kw)``, ``names()``, ``entry(name)``, ``example_input(name, ...)``.

Importing this package registers every entry (``zoo:NAME`` on the command line).
"""

from __future__ import annotations

from neurocost.models.zoo import (  # noqa: F401  (importing registers the entries)
    bert,
    feedforward,
    hugging_face,
    reactnet,
    resnets,
    seq2seq,
    spikformer,
)
from neurocost.models.zoo.registry import (
    UnknownModelError,
    ZooEntry,
    entry,
    example_input,
    get,
    names,
)

__all__ = ["UnknownModelError", "ZooEntry", "entry", "example_input", "get", "names"]
