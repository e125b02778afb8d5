"""Every kernel compiles for sm_90 without spills, and its SASS holds the expected instructions."""

import pytest

from neurocost.hw.kernels.catalog import KERNEL_FILES
from neurocost.hw.kernels.toolchain import kernel_sources, parse_ptxas, split_sass_functions

FILES = sorted(KERNEL_FILES)


def test_catalog_lists_every_kernel_file():
    assert sorted(p.name for p in kernel_sources()) == FILES


@pytest.mark.parametrize("file", FILES)
def test_compiles_for_sm90_with_every_entry_point(compiled, file):
    result = compiled(file)
    assert set(result.resources) == set(KERNEL_FILES[file].entries), result.ptxas_log


@pytest.mark.parametrize("file", FILES)
def test_meets_catalog_expectations(compiled, sass_of, file):
    # no spills in hot kernels; required SASS present (e.g. BMMA...AND.POPC), forbidden absent
    spec, result, functions = KERNEL_FILES[file], compiled(file), sass_of(file)
    for entry in spec.entries:
        assert not spec.problems(entry, functions[entry], result.resources[entry]), entry


def test_catalog_flags_spills_and_missing_instructions():
    from neurocost.hw.kernels.toolchain import Resources

    spec = KERNEL_FILES["bgemm_bmma.cu"]
    spilled = Resources(registers=255, spill_store_bytes=8, spill_load_bytes=8,
                        stack_frame_bytes=8, shared_bytes=0)
    found = spec.problems("bgemm_bmma", "BMMA.168256.XOR.POPC", spilled)
    assert len(found) == 3  # lacks AND.POPC, contains XOR, spills


def test_bmma_kernel_uses_only_and_popc(sass_of):
    text = sass_of("bgemm_bmma.cu")["bgemm_bmma"]
    bmma = [line for line in text.splitlines() if "BMMA" in line]
    # 2 x 4 MMA tiles per warp x 2 k256 steps per stage = 16 BMMAs per unrolled stage
    assert bmma and len(bmma) % 16 == 0
    assert all("BMMA.168256.AND.POPC" in line for line in bmma)


def test_ptxas_report_parser():
    log = (
        "ptxas info    : Compiling entry function 'k' for 'sm_90'\n"
        "ptxas info    : Function properties for k\n"
        "    8 bytes stack frame, 4 bytes spill stores, 12 bytes spill loads\n"
        "ptxas info    : Used 255 registers, used 1 barriers, 26880 bytes smem, 400 bytes cmem[0]\n"
    )
    res = parse_ptxas(log)["k"]
    assert (res.registers, res.spill_store_bytes, res.spill_load_bytes) == (255, 4, 12)
    assert (res.stack_frame_bytes, res.shared_bytes, res.spills) == (8, 26880, True)


def test_sass_listing_is_split_per_function():
    listing = "\tcode for sm_90\n\t\tFunction : a\n\tX ;\n\t\tFunction : b\n\tY ;\n"
    assert split_sass_functions(listing) == {"a": "\n\tX ;\n", "b": "\n\tY ;\n"}
