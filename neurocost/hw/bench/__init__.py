"""The GPU benchmark: cases, the timing and NVML energy harness, dense baselines, calibration."""
