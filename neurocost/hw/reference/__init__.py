"""NumPy references for the kernels and the bit layout and index math they share."""
