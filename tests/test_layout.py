"""The stages import one way: a folder of ``neurocost/`` imports only the stages before it.

The order is the README's table ("How the code is laid out"); every ``import`` is read from the
source, including imports inside functions that are deferred to keep ``import neurocost`` light.
"""

from __future__ import annotations

import ast
from pathlib import Path

import neurocost

STAGES = ["models", "interchange", "tracing", "sim", "energy", "sweeps", "reports", "claims",
          "hw", "cli"]
ROOT = Path(neurocost.__file__).parent


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def test_every_folder_is_a_stage() -> None:
    folders = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(STAGES)


def test_no_stage_imports_a_later_one() -> None:
    backwards = []
    for path in ROOT.rglob("*.py"):
        stage = path.relative_to(ROOT).parts[0]
        if stage not in STAGES:
            continue
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] == "neurocost" and len(parts) > 1 and parts[1] in STAGES \
                    and STAGES.index(parts[1]) > STAGES.index(stage):
                backwards.append(f"{path.relative_to(ROOT)} imports {module}")
    assert backwards == []
