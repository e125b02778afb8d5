"""hw: CUDA kernels, their NumPy references and the GPU benchmark harness (imported lazily)."""
