"""The CUDA kernels (``*.cu``), what their machine code must hold, and how to build and launch
them."""
