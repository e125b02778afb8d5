"""Writing a file so that readers see the old whole file or the new whole file, nothing between.

Every file neurocost rewrites in place (results parts, cached traces, golden files) goes through
``write_atomically``. The data is written to a temporary file in the same folder whose name is
unique and created exclusively (``tempfile.mkstemp``: ``O_CREAT | O_EXCL``, so an existing file or
a symlink planted at that name is never opened or followed), flushed to disk, then renamed over
the target; the rename replaces a symlink at the target rather than writing through it. Fixed
temporary names (``part.parquet.tmp``) did follow symlinks and let two writers clobber each other.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

TMP_SUFFIX = ".tmp"


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write`` on a fresh exclusive temporary file beside ``path``, fsync it, rename it to
    ``path``; on any error the temporary file is removed and ``path`` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomically(path: Path, text: str) -> Path:
    """``write_atomically`` for UTF-8 text."""
    return write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))
