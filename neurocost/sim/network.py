"""The 2-D mesh network-on-chip: dimension-order routes, hop counts and link contention.

Each directed link between neighbouring tiles is busy for one hop latency per packet it carries,
first come, first served; ``free`` is when a link has finished the work already given to it.
A train of ``n`` packets injected ``interval`` apart crosses a route like a pipeline: at each
link the head waits until the link is free, then takes the link's latency; the link gets ``n``
latencies of work from then on (as a fluid: packets of trains that overlap in time interleave,
so a sparse train does not hold a link through its gaps); the tail arrives after the head by
``(n - 1)`` times the slowest spacing so far (injection interval or link latency), and no
earlier than the link's work is done. With ``n = 1`` this is per-packet store-and-forward, which
the exact simulation uses; the aggregated simulation sends one train per (source core,
destination tile) and step. Links are reserved in the order packets or trains are sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurocost.sim.architecture import Mesh

_EAST, _WEST, _NORTH, _SOUTH = range(4)


@dataclass(frozen=True)
class Delivery:
    """When a train's first and last packets reach the destination tile (seconds)."""

    head_s: float
    tail_s: float


class MeshNetwork:
    """Routes and link reservations of one simulation run (not shared between runs)."""

    def __init__(self, mesh: Mesh) -> None:
        self.columns = int(mesh.columns.value)
        self.cores_per_tile = int(mesh.cores_per_tile.value)
        self.latency = {_EAST: mesh.hop_latency_ew.si, _WEST: mesh.hop_latency_ew.si,
                        _NORTH: mesh.hop_latency_ns.si, _SOUTH: mesh.hop_latency_ns.si}
        self.local_latency_s = mesh.local_latency.si
        self._link_free: dict[tuple[int, int], float] = {}
        self._routes: dict[tuple[int, int], list[tuple[tuple[int, int], float]]] = {}

    def tile_of(self, core: int) -> int:
        return core // self.cores_per_tile

    def hops(self, src_tile: int, dst_tile: int) -> tuple[int, int]:
        """(east-west, north-south) hops between two tiles."""
        sx, sy = src_tile % self.columns, src_tile // self.columns
        dx, dy = dst_tile % self.columns, dst_tile // self.columns
        return abs(dx - sx), abs(dy - sy)

    def route(self, src_tile: int, dst_tile: int) -> list[tuple[tuple[int, int], float]]:
        """The X-then-Y route as ``[((tile, direction), latency_s), ...]``."""
        key = (src_tile, dst_tile)
        cached = self._routes.get(key)
        if cached is not None:
            return cached
        x, y = src_tile % self.columns, src_tile // self.columns
        tx, ty = dst_tile % self.columns, dst_tile // self.columns
        links: list[tuple[tuple[int, int], float]] = []
        while x != tx:
            direction = _EAST if tx > x else _WEST
            links.append(((y * self.columns + x, direction), self.latency[direction]))
            x += 1 if tx > x else -1
        while y != ty:
            direction = _NORTH if ty > y else _SOUTH
            links.append(((y * self.columns + x, direction), self.latency[direction]))
            y += 1 if ty > y else -1
        self._routes[key] = links
        return links

    def send(
        self, first_s: float, packets: int | float, interval_s: float, src_tile: int, dst_tile: int
    ) -> Delivery:
        """Reserve the route for ``packets`` packets, the first injected at ``first_s``."""
        links = self.route(src_tile, dst_tile)
        body = max(packets - 1, 0)
        if not links:
            head = first_s + self.local_latency_s
            return Delivery(head, head + body * interval_s)
        head = first_s
        tail = first_s + body * interval_s
        spacing = interval_s
        link_free = self._link_free
        for link, latency in links:
            start = max(head, link_free.get(link, 0.0))
            head = start + latency
            link_free[link] = start + packets * latency
            spacing = max(spacing, latency)
            tail = max(head + body * spacing, tail + latency, link_free[link])
        return Delivery(head, tail)
