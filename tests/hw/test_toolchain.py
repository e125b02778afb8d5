"""Finding the CUDA tools from Python, and the CI rule for when nvcc is missing."""

import pytest

from neurocost.hw.kernels import toolchain
from tests.hw import conftest


def test_missing_nvcc_skips_when_not_required(monkeypatch):
    monkeypatch.setattr(toolchain, "find_tool", lambda name: None)
    monkeypatch.delenv(conftest.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        conftest._tool_or_skip("nvcc")


def test_missing_nvcc_fails_when_ci_requires_it(monkeypatch):
    monkeypatch.setattr(toolchain, "find_tool", lambda name: None)
    monkeypatch.setenv(conftest.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="nvcc not found"):
        conftest._tool_or_skip("nvcc")


def test_wheel_tools_are_found_without_path(monkeypatch):
    monkeypatch.setenv("PATH", "")
    found = toolchain.find_tool("cuobjdump")
    if found is None:
        pytest.skip("nvidia-cuda-cuobjdump wheel not installed")
    assert found.name == "cuobjdump" and found.parent.name == "bin"


def test_unknown_kernel_file_names_the_directory():
    with pytest.raises(FileNotFoundError, match="no_such.cu"):
        toolchain.compile_cubin("no_such.cu")
