"""What each kernel file holds and what its machine code must (and must not) contain.

CI compiles every file for sm_90 and checks these expectations against ptxas' report and the
SASS, so a silent regression (a register spill in a hot loop, a tensor-core path quietly
falling back to the emulated XOR form, a fused multiply-add that breaks bit-exact agreement
with the CPU reference) fails the build without a GPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neurocost.hw.kernels.toolchain import Resources


@dataclass(frozen=True)
class KernelFile:
    """One ``kernels/*.cu`` file.

    ``entries``: its ``extern "C"`` kernels. ``hot``: register spills or local-memory traffic in
    any entry fail CI. ``sass_required`` / ``sass_forbidden``: substrings that must / must not
    appear in every entry's SASS, each with the reason.
    """

    file: str
    entries: tuple[str, ...]
    hot: bool = True
    sass_required: tuple[tuple[str, str], ...] = ()
    sass_forbidden: tuple[tuple[str, str], ...] = ()

    def problems(self, entry: str, sass_text: str, resources: Resources) -> list[str]:
        """What is wrong with one compiled entry point (empty when it meets every expectation)."""
        found = [f"lacks {n} ({why})" for n, why in self.sass_required if n not in sass_text]
        found += [f"contains {n} ({why})" for n, why in self.sass_forbidden if n in sass_text]
        if self.hot and (resources.spills or resources.stack_frame_bytes):
            found.append(f"spills or uses a stack frame in a hot kernel ({resources})")
        return found


_NO_LOCAL = (
    ("LDL", "local-memory loads mean a spilled or indexed register array"),
    ("STL", "local-memory stores mean a spilled or indexed register array"),
)

KERNEL_FILES: dict[str, KernelFile] = {
    k.file: k
    for k in (
        KernelFile(
            "pack_bits.cu", ("pack_bits_f32", "pack_bits_u8"),
            sass_required=(("VOTE.ANY", "__ballot_sync builds each word"),),
            sass_forbidden=_NO_LOCAL,
        ),
        KernelFile(
            "bgemm_popc.cu", ("bgemm_popc",),
            sass_required=(("POPC", "CUDA-core popcount GEMM"),),
            sass_forbidden=_NO_LOCAL,
        ),
        KernelFile(
            "bgemm_bmma.cu", ("bgemm_bmma",),
            sass_required=(("BMMA.168256.AND.POPC", "native binary tensor-core MMA on sm_90"),),
            sass_forbidden=(
                ("XOR", "sm_90 emulates .xor.popc with two AND BMMAs: half rate"),
                *_NO_LOCAL,
            ),
        ),
        KernelFile(
            "bconv2d.cu", ("bconv2d_popc",),
            sass_required=(("POPC", "CUDA-core popcount implicit GEMM"),),
            sass_forbidden=_NO_LOCAL,
        ),
        KernelFile(
            "lif_step.cu", ("lif_steps",),
            sass_required=(("VOTE.ANY", "__ballot_sync compacts spikes into words"),),
            sass_forbidden=(
                ("FFMA", "a fused multiply-add would round differently from the NumPy reference"),
                *_NO_LOCAL,
            ),
        ),
        KernelFile(
            "spike_gather.cu", ("spike_gather_f32", "spike_gather_f16", "spike_gather_i8"),
            sass_required=(("FLO", "__ffs walks the set spike bits"),),
            sass_forbidden=(("ATOM", "accumulation is gather-only, without atomics"), *_NO_LOCAL),
        ),
    )
}
