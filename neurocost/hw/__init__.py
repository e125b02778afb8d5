"""hw: CUDA kernels, their NumPy references and the GPU benchmark harness (imported lazily).

- ``kernels/*.cu``: the kernels (``extern "C"``, no torch headers), listed in ``catalog``.
- ``layout``, ``bmma_layout``, ``conv_geometry``: the bit layout and index math shared by the
  kernels and the references; ``ref_bgemm``, ``ref_bconv``, ``ref_spikes``: NumPy references;
  ``work``: each kernel's logical work in the tracer's units.
- ``toolchain``: nvcc / cuobjdump / nvdisasm from Python (compile and SASS checks, no GPU).
- ``runtime``, ``launch``, ``baselines``: the GPU path (CuPy NVRTC, torch tensors, torch's
  stream); ``bench_cases``, ``bench``, ``nvml``: the benchmark harness; ``calibrate``: bench
  JSON -> h100 profile fields.

Only ``runtime``/``launch``/``bench`` touch CUDA, and only when called.
"""
