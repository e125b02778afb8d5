"""Fixtures for the hw/ tests: the CUDA toolchain, found from Python, and one compile per file.

Compile and SASS tests skip only when nvcc is absent *and* NEUROCOST_REQUIRE_NVCC is unset; CI
sets the variable, so a machine that lost its nvcc fails there instead of passing by skipping.
"""

from __future__ import annotations

import os

import pytest

from neurocost.hw.kernels import toolchain

REQUIRE_ENV = "NEUROCOST_REQUIRE_NVCC"


def _tool_or_skip(name: str):
    path = toolchain.find_tool(name)
    if path is None:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set but {_why(name)}")
        pytest.skip(f"{name} not installed (set {REQUIRE_ENV}=1 to make this a failure)")
    return path


def _why(name: str) -> str:
    try:
        toolchain.require_tool(name)
    except toolchain.ToolNotFoundError as err:
        return str(err)
    return ""


@pytest.fixture(scope="session")
def compiled():
    """``compiled(file)`` -> toolchain.Compiled for sm_90, compiled once per session."""
    _tool_or_skip("nvcc")
    cache: dict[str, toolchain.Compiled] = {}

    def get(file: str) -> toolchain.Compiled:
        if file not in cache:
            cache[file] = toolchain.compile_cubin(file, arch="sm_90")
        return cache[file]

    return get


@pytest.fixture(scope="session")
def sass_of(compiled):
    """``sass_of(file)`` -> {function: SASS text} of the sm_90 cubin (cuobjdump + nvdisasm)."""
    _tool_or_skip("cuobjdump")
    _tool_or_skip("nvdisasm")
    cache: dict[str, dict[str, str]] = {}

    def get(file: str) -> dict[str, str]:
        if file not in cache:
            cache[file] = toolchain.sass(compiled(file).cubin)
        return cache[file]

    return get
