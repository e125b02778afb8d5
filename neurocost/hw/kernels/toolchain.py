"""The CUDA command-line tools, found from Python: nvcc (compile), cuobjdump + nvdisasm (SASS).

CI has no GPU but does have nvcc, so every kernel is compiled for sm_90 there and its ptxas
resource report and SASS are checked. The tools are looked up on PATH, under ``CUDA_HOME`` /
``CUDA_PATH``, in ``/usr/local/cuda/bin``, and inside the NVIDIA pip wheels
(``nvidia-cuda-cuobjdump``, ``nvidia-cuda-nvdisasm``, ``nvidia-cuda-nvcc``), so no PATH setup is
needed. Compiled cubins are cached by a hash of the sources, the flags and the nvcc version.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from neurocost.errors import NeurocostError

KERNEL_DIR = Path(__file__).parent
CACHE_ENV = "NEUROCOST_CUBIN_CACHE"
_LOCAL_INCLUDE = re.compile(r'^#include "([\w.]+)"\s*$', re.MULTILINE)


class ToolNotFoundError(NeurocostError, RuntimeError):
    """A CUDA command-line tool (nvcc, cuobjdump, nvdisasm) is not installed where we look."""


class CompileError(NeurocostError, RuntimeError):
    """nvcc rejected a kernel source; the message carries the file and nvcc's output."""


def find_tool(name: str) -> Path | None:
    """Path of the CUDA tool ``name``, or None when it is nowhere we look (see module doc)."""
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    for candidate in _candidate_dirs():
        path = candidate / name
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


def require_tool(name: str) -> Path:
    """Like ``find_tool``, but raises ``ToolNotFoundError`` saying where it looked."""
    path = find_tool(name)
    if path is None:
        looked = ", ".join(str(d) for d in _candidate_dirs()) or "(no CUDA or wheel dirs)"
        hint = {"nvcc": "the CUDA toolkit (nvcc 12.8+ for sm_90)"}.get(
            name, f"pip install nvidia-cuda-{name}"
        )
        raise ToolNotFoundError(f"{name} not found on PATH nor in {looked}; install {hint}")
    return path


def _candidate_dirs() -> list[Path]:
    dirs = [Path(os.environ[v]) / "bin" for v in ("CUDA_HOME", "CUDA_PATH") if os.environ.get(v)]
    dirs.append(Path("/usr/local/cuda/bin"))
    spec = importlib.util.find_spec("nvidia")
    for root in (spec.submodule_search_locations or []) if spec else []:
        dirs.extend(sorted(Path(root).glob("*/bin")))
    return dirs


@dataclass(frozen=True)
class Resources:
    """ptxas' report for one kernel: registers per thread, spills, stack, static shared memory."""

    registers: int
    spill_store_bytes: int
    spill_load_bytes: int
    stack_frame_bytes: int
    shared_bytes: int

    @property
    def spills(self) -> bool:
        return bool(self.spill_store_bytes or self.spill_load_bytes)


@dataclass(frozen=True)
class Compiled:
    """A compiled kernel file: its cubin and what ptxas said about each entry point."""

    source: Path
    arch: str
    cubin: Path
    ptxas_log: str
    resources: dict[str, Resources]


_ENTRY = re.compile(r"Function properties for (\w+)\s*\n\s*(\d+) bytes stack frame, "
                    r"(\d+) bytes spill stores, (\d+) bytes spill loads\s*\n"
                    r"ptxas info\s*: Used (\d+) registers([^\n]*)")
_SHARED = re.compile(r"(\d+) bytes smem")


def parse_ptxas(log: str) -> dict[str, Resources]:
    """Resources per entry point from ``-Xptxas -v`` output (kernel name -> Resources)."""
    found = {}
    for match in _ENTRY.finditer(log):
        name, stack, stores, loads, regs, rest = match.groups()
        smem = _SHARED.search(rest)
        found[name] = Resources(
            int(regs), int(stores), int(loads), int(stack), int(smem.group(1)) if smem else 0
        )
    return found


def compile_cubin(
    source: str | Path, arch: str = "sm_90", defines: tuple[str, ...] = ()
) -> Compiled:
    """Compile a ``kernels/*.cu`` file to a cubin with nvcc (``-Xptxas -v``), cached on disk.

    nvcc compiles the header-expanded text, the very text the GPU path hands to NVRTC, so the
    checks cover what runs. The cache key is a hash of that text, the flags and
    ``nvcc --version``.
    """
    source = _resolve_source(source)
    nvcc = require_tool("nvcc")
    flags = (f"-arch={arch}", "-cubin", "-std=c++17", "-lineinfo", "-Xptxas", "-v",
             *(f"-D{d}" for d in defines))
    text = expanded_source(source)
    key = _cache_key(text, flags, _nvcc_version(str(nvcc)))
    cubin = _cache_dir() / f"{source.stem}-{arch}-{key}.cubin"
    log_file = cubin.with_suffix(".ptxas.txt")
    if not (cubin.is_file() and log_file.is_file()):
        cubin.parent.mkdir(parents=True, exist_ok=True)
        partial = cubin.with_suffix(f".{os.getpid()}.tmp")
        unit = cubin.with_suffix(f".{os.getpid()}.cu")
        unit.write_text(text)
        run = subprocess.run([str(nvcc), *flags, "-o", str(partial), str(unit)],
                             capture_output=True, text=True)
        unit.unlink()
        if run.returncode != 0:
            raise CompileError(f"nvcc failed on {source} for {arch}:\n{run.stderr}{run.stdout}")
        log_file.write_text(run.stderr + run.stdout)
        partial.replace(cubin)
    log = log_file.read_text()
    return Compiled(source, arch, cubin, log, parse_ptxas(log))


def sass(cubin: str | Path) -> dict[str, str]:
    """SASS of each function in a cubin (``cuobjdump -sass``; nvdisasm must be findable)."""
    cuobjdump = require_tool("cuobjdump")
    nvdisasm = require_tool("nvdisasm")
    env = dict(os.environ, PATH=f"{nvdisasm.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    run = subprocess.run([str(cuobjdump), "-sass", str(cubin)], capture_output=True, text=True,
                         env=env)
    if run.returncode != 0:
        raise CompileError(f"cuobjdump -sass failed on {cubin}:\n{run.stderr}")
    return split_sass_functions(run.stdout)


def split_sass_functions(listing: str) -> dict[str, str]:
    """Split a cuobjdump listing into {function name: its SASS text}."""
    parts = re.split(r"^\s*Function : (\S+)\s*$", listing, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def expanded_source(source: str | Path) -> str:
    """A kernel file's text with each local ``#include "x.cuh"`` replaced by the header's text.

    The result needs no include path, which is what NVRTC (no system headers) requires.
    """
    path = _resolve_source(source)
    return _LOCAL_INCLUDE.sub(
        lambda m: (path.parent / m.group(1)).read_text().replace("#pragma once\n", ""),
        path.read_text(),
    )


def kernel_sources() -> list[Path]:
    """Every kernel file shipped in ``neurocost/hw/kernels``."""
    return sorted(KERNEL_DIR.glob("*.cu"))


def _resolve_source(source: str | Path) -> Path:
    path = Path(source)
    if not path.is_absolute() and not path.exists():
        path = KERNEL_DIR / path
    if not path.is_file():
        raise FileNotFoundError(f"kernel source {source} not found (looked in {KERNEL_DIR})")
    return path


def _cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "neurocost" / "cubin"


def _cache_key(text: str, flags: tuple[str, ...], nvcc_version: str) -> str:
    digest = hashlib.sha256("\0".join([text, *flags, nvcc_version]).encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=4)
def _nvcc_version(nvcc: str) -> str:
    return subprocess.run([nvcc, "--version"], capture_output=True, text=True).stdout
