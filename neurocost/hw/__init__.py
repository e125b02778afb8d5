"""hw: CUDA kernels, their NumPy references and the GPU benchmark harness (imported lazily).

- ``kernels``: the kernels (``*.cu``, ``extern "C"``, no torch headers) listed in ``catalog``;
  ``toolchain`` (nvcc / cuobjdump / nvdisasm from Python: compile and SASS checks, no GPU);
  ``runtime`` and ``launch``, the GPU path (CuPy NVRTC, torch tensors, torch's stream).
- ``reference``: the bit ``layout``, ``bmma_layout`` and ``conv_geometry`` shared by kernels and
  references; NumPy references ``bgemm``, ``bconv``, ``spikes``; ``work``, each kernel's logical
  work in the tracer's units.
- ``bench``: ``cases`` (one kernel at one size), the ``harness`` (time and NVML energy, ``nvml``),
  dense ``baselines`` through torch, and ``calibrate`` (bench JSON -> h100 profile fields).

Only ``kernels.runtime``/``kernels.launch``/``bench.harness`` touch CUDA, and only when called.
"""
