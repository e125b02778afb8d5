"""Board energy through NVML's total-energy counter, with the protocol's guards.

``nvmlDeviceGetTotalEnergyConsumption`` returns mJ since driver load and is refreshed every
20-100 ms; instantaneous power is sampled on Hopper for only part of the time (Yang et al.,
arXiv 2312.02741). So energy is read as a counter difference over windows of >= 10 s, an idle
baseline is subtracted, and a 50 Hz sampler records power, SM clock and throttle reasons so a
power-capped or clock-dropping window is visible in the JSON. Nothing here changes clocks,
power limits or persistence mode. Needs ``nvidia-ml-py`` (imported only when used).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SAMPLE_HZ = 50.0


class Nvml:
    """One GPU seen through NVML (``pynvml`` from the ``nvidia-ml-py`` package)."""

    def __init__(self, index: int = 0) -> None:
        try:
            import pynvml
        except ImportError as err:
            raise RuntimeError(
                "NVML bindings missing: pip install nvidia-ml-py (or pass --no-energy)"
            ) from err
        self._nvml = pynvml
        pynvml.nvmlInit()
        self.handle = pynvml.nvmlDeviceGetHandleByIndex(index)

    def energy_j(self) -> float:
        """Board energy since driver load, in J."""
        return self._nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle) / 1e3

    def power_w(self) -> float:
        """Instantaneous board power if the driver offers it, else NVML's averaged reading (W)."""
        nvml = self._nvml
        field_id = getattr(nvml, "NVML_FI_DEV_POWER_INSTANT", None)
        if field_id is not None:
            value = nvml.nvmlDeviceGetFieldValues(self.handle, [field_id])[0]
            if value.nvmlReturn == nvml.NVML_SUCCESS:
                return value.value.uiVal / 1e3
        return nvml.nvmlDeviceGetPowerUsage(self.handle) / 1e3

    def sm_clock_mhz(self) -> int:
        return self._nvml.nvmlDeviceGetClockInfo(self.handle, self._nvml.NVML_CLOCK_SM)

    def throttle_reasons(self) -> int:
        nvml = self._nvml
        getter = getattr(nvml, "nvmlDeviceGetCurrentClocksEventReasons", None)
        if getter is None:  # bindings older than the 'clocks event' renaming
            getter = nvml.nvmlDeviceGetCurrentClocksThrottleReasons
        return int(getter(self.handle))

    def state(self) -> dict[str, Any]:
        """The device as found: name, driver, clocks, power limit, temperature, persistence."""
        nvml, h = self._nvml, self.handle
        name = nvml.nvmlDeviceGetName(h)
        return {
            "name": name.decode() if isinstance(name, bytes) else name,
            "driver": _text(nvml.nvmlSystemGetDriverVersion()),
            "sm_clock_mhz": self.sm_clock_mhz(),
            "mem_clock_mhz": nvml.nvmlDeviceGetClockInfo(h, nvml.NVML_CLOCK_MEM),
            "max_sm_clock_mhz": nvml.nvmlDeviceGetMaxClockInfo(h, nvml.NVML_CLOCK_SM),
            "power_limit_w": nvml.nvmlDeviceGetEnforcedPowerLimit(h) / 1e3,
            "temperature_c": nvml.nvmlDeviceGetTemperature(h, nvml.NVML_TEMPERATURE_GPU),
            "persistence_mode": int(nvml.nvmlDeviceGetPersistenceMode(h)),
            "throttle_reasons": self.throttle_reasons(),
        }


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class Sampler:
    """Background thread reading (t, power W, SM clock MHz, throttle reasons) at ``SAMPLE_HZ``."""

    nvml: Nvml
    samples: list[tuple[float, float, int, int]] = field(default_factory=list)

    def __enter__(self) -> Sampler:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(1.0 / SAMPLE_HZ):
            self.samples.append((time.perf_counter(), self.nvml.power_w(),
                                 self.nvml.sm_clock_mhz(), self.nvml.throttle_reasons()))

    def summary(self) -> dict[str, Any]:
        """Mean power and clock, the trapezoid integral of power, and every throttle flag seen."""
        if len(self.samples) < 2:
            return {"samples": len(self.samples)}
        times, power, clock, reasons = zip(*self.samples, strict=True)
        integral = sum((times[i + 1] - times[i]) * (power[i + 1] + power[i]) / 2
                       for i in range(len(times) - 1))
        flags = 0
        for r in reasons:
            flags |= r
        return {
            "samples": len(self.samples),
            "mean_power_w": sum(power) / len(power),
            "sampled_energy_j": integral,
            "sampled_seconds": times[-1] - times[0],
            "mean_sm_clock_mhz": sum(clock) / len(clock),
            "min_sm_clock_mhz": min(clock),
            "throttle_reasons_seen": flags,
        }


def idle_power(nvml: Nvml, seconds: float) -> dict[str, float]:
    """Board power with nothing running: counter difference over ``seconds`` of sleep (W)."""
    e0, t0 = nvml.energy_j(), time.perf_counter()
    time.sleep(seconds)
    e1, t1 = nvml.energy_j(), time.perf_counter()
    return {"seconds": t1 - t0, "energy_j": e1 - e0, "power_w": (e1 - e0) / (t1 - t0)}


def measure_window(nvml: Nvml, launch_batch: Callable[[], int], synchronize: Callable[[], None],
                   min_seconds: float) -> dict[str, Any]:
    """Run ``launch_batch`` (returns launches issued) until ``min_seconds`` have passed.

    Reads the energy counter after a synchronize on both ends, so the window holds exactly the
    launches counted. Returns launches, seconds, energy and the sampler's summary.
    """
    synchronize()
    launches = 0
    with Sampler(nvml) as sampler:
        e0, t0 = nvml.energy_j(), time.perf_counter()
        while time.perf_counter() - t0 < min_seconds:
            launches += launch_batch()
            synchronize()
        e1, t1 = nvml.energy_j(), time.perf_counter()
    return {"launches": launches, "seconds": t1 - t0, "energy_j": e1 - e0,
            "power": sampler.summary()}
