"""One YAML reader for every file neurocost loads (profiles, architectures, claims, sweep specs).

Safe loading only (no Python objects), and a key given twice in one mapping is an error rather
than YAML's silent last-one-wins: in a profile or a claim, a repeated key is almost always a typo
that would otherwise change a number without anyone noticing.

The reader is also bounded, because these files come from other people's repositories and CI:
- **nesting** deeper than ``MAX_DEPTH`` levels is refused while the document is composed (PyYAML's
  composer recurses per level, so a 5,000-deep ``[[[...]]]`` would end in ``RecursionError``);
- **aliases** may add at most ``MAX_ALIAS_NODES`` nodes once expanded: a "billion laughs" file of a
  few hundred bytes whose aliases expand to 10^9 nodes is refused before anything walks it
  (validation copies aliased subtrees, which is where such a file used to grow past 2 GB);
- a file larger than ``MAX_FILE_BYTES`` is refused before it is read;
- a file that is not UTF-8 is an error naming the file and the byte offset.

``read_yaml_file`` is the one entry point for files: its errors all read
``<path>: <problem>`` and are raised as the caller's own ``NeurocostError`` subclass.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from neurocost.errors import NeurocostError

MAX_DEPTH = 64  # levels of nested mappings/lists; hand-written files use fewer than 10
MAX_ALIAS_NODES = 100_000  # nodes aliases may add when expanded; ordinary anchors add tens
MAX_FILE_BYTES = 32 * 2**20  # 32 MiB; the largest shipped file is a few KiB


class YamlLimitError(yaml.YAMLError):
    """A document over one of the reader's limits (nesting, alias expansion)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a repeated key and nesting deeper than ``MAX_DEPTH``."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102 (PyYAML hook)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlLimitError(
                    f"nesting deeper than {MAX_DEPTH} levels at line {mark.line + 1}, "
                    f"column {mark.column + 1}"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, Hashable):  # e.g. "{}: x", a mapping used as a key
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be a plain value, not a {type(key).__name__}",
                key_node.start_mark,
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def _expanded_size(root: yaml.Node) -> tuple[int, int]:
    """(distinct nodes, nodes once every alias is expanded), without expanding anything."""
    sizes: dict[int, int] = {}
    order: list[yaml.Node] = []
    stack = [root]
    while stack:  # iterative post-order: the graph may be as deep as MAX_DEPTH, and shared
        node = stack.pop()
        if id(node) in sizes:
            continue
        sizes[id(node)] = -1
        order.append(node)
        stack.extend(_children(node))
    for node in reversed(order):
        sizes[id(node)] = 1 + sum(sizes[id(child)] for child in _children(node))
    return len(order), sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_yaml(text: str) -> Any:
    """Parse YAML text safely; ``yaml.YAMLError`` (with line and column) on bad or repeated keys,
    nesting deeper than ``MAX_DEPTH`` or aliases that expand past ``MAX_ALIAS_NODES`` nodes."""
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        distinct, expanded = _expanded_size(node)
        if expanded - distinct > MAX_ALIAS_NODES:
            raise YamlLimitError(
                f"aliases expand to {expanded:,} nodes from {distinct:,} written; at most "
                f"{MAX_ALIAS_NODES:,} nodes may come from aliases"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_yaml_file(path: str | Path, kind: str, error: type[NeurocostError]) -> Any:
    """Read one YAML file of ``kind`` ("profile", "claims", ...) through ``load_yaml``.

    Every problem (missing, unreadable, too large, not UTF-8, not valid YAML, over a limit) is
    raised as ``error`` with a message that starts with the file's path, so each file kind reports
    its errors the same way.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise error(
                f"{path}: {kind} file is {size:,} bytes; at most {MAX_FILE_BYTES:,} are read"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such {kind} file (not found)") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {kind} file") from None
    except OSError as err:
        raise error(f"{path}: cannot read the {kind} file: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        bad = raw[err.start : err.start + 1]
        raise error(f"{path}: {kind} file is not UTF-8 text (byte {err.start}: {bad!r})") from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as err:
        raise error(f"{path}: not valid YAML: {_one_line(err)}") from None
    except RecursionError:
        raise error(f"{path}: not valid YAML: nested too deeply") from None


def field_problems(err: ValidationError, top: str = "(top level)") -> str:
    """A schema error as ``field a.b: problem; field c: problem``: the form profile and
    architecture errors share after the file name (pydantic's own text is many lines with
    links). ``top`` names a problem of the whole document."""
    problems = []
    for problem in err.errors():
        parts = [str(p) for p in problem["loc"] if not str(p).startswith("function-after")]
        message = problem["msg"].removeprefix("Value error, ")
        problems.append(f"field {'.'.join(parts) or top}: {message}")
    return "; ".join(problems)


def _one_line(err: yaml.YAMLError) -> str:
    """A YAML error as one line: the problem and where it is (line, column)."""
    if isinstance(err, yaml.MarkedYAMLError):
        problem = err.problem or err.context or "syntax error"
        mark = err.problem_mark or err.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return f"{problem}{where}"
    return str(err)
