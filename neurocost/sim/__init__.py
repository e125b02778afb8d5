"""Chip simulation: a trace mapped onto a chip's cores and run in simpy (``simulate``).

``architecture`` describes the chip (cores, mesh, barrier); ``mapping`` places layers on cores by
capacity; ``core_work`` turns a mapped trace into per-core, per-step work; ``chip`` is the simpy
model that runs it (aggregated or per event) over the mesh of ``network``; ``mapped`` schedules
the same jobs analytically (``mapped_timing``, the latency ``price`` uses); ``dense_timing`` is
the roofline timing of dense machines; ``timing`` holds the result.
"""
