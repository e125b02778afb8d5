"""The 2-D mesh network-on-chip: dimension-order routes, hop counts and link contention.

Each directed link between neighbouring tiles is busy for one hop latency per packet it carries,
first come, first served; ``free`` is when a link has finished the work already given to it.
A train of ``n`` packets injected ``interval`` apart crosses a route like a pipeline: at each
link the head waits until the link is free, then takes the link's latency; the link gets ``n``
latencies of work from then on (as a fluid: a sparse train does not hold a link through its
gaps, and the trains one source emits together interleave, as their packets do); the tail
arrives after the head by ``(n - 1)`` times the slowest spacing so far (injection interval or
link latency), and no earlier than the link's work is done. With ``n = 1`` this is per-packet
store-and-forward, which the exact simulation uses (``send_packet``); the aggregated simulation
sends one train per (source core, destination tile) and step (``send_trains``). Links are
reserved in the order packets or trains are sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurocost.sim.architecture import Mesh

_EAST, _WEST, _NORTH, _SOUTH = range(4)


@dataclass(frozen=True)
class Train:
    """``packets`` packets for ``dst_tile``, the first sent at ``first_s``, then every
    ``interval_s``."""

    first_s: float
    packets: float
    interval_s: float
    dst_tile: int


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
        self._hops: dict[tuple[int, int], tuple[int, int]] = {}

    def tile_of(self, core: int) -> int:
        return core // self.cores_per_tile

    def hops(self, src_tile: int, dst_tile: int) -> tuple[int, int]:
        """(east-west, north-south) hops between two tiles."""
        key = (src_tile, dst_tile)
        cached = self._hops.get(key)
        if cached is None:
            sx, sy = src_tile % self.columns, src_tile // self.columns
            dx, dy = dst_tile % self.columns, dst_tile // self.columns
            cached = self._hops[key] = (abs(dx - sx), abs(dy - sy))
        return cached

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

    def send_packet(self, sent_s: float, src_tile: int, dst_tile: int) -> float:
        """Route one packet sent at ``sent_s`` (first come, first served); its arrival time."""
        links = self.route(src_tile, dst_tile)
        if not links:
            return sent_s + self.local_latency_s
        arrival = sent_s
        link_free = self._link_free
        for link, latency in links:
            arrival = max(arrival, link_free.get(link, 0.0)) + latency
            link_free[link] = arrival
        return arrival

    def send_trains(self, src_tile: int, trains: list[Train]) -> list[Delivery]:
        """Route trains that one source emits together, interleaved.

        On a link several of them share, a train's head waits only for work reserved before
        this call; together they keep the link busy for their summed ``packets x latency``, and
        each tail leaves the link no earlier than that.
        """
        link_free = self._link_free
        batch_start: dict[tuple[int, int], float] = {}
        batch_work: dict[tuple[int, int], float] = {}
        routes = [self.route(src_tile, train.dst_tile) for train in trains]
        heads: list[list[float]] = []
        for train, links in zip(trains, routes, strict=True):
            head = train.first_s
            per_link = []
            for link, latency in links:
                free = link_free.get(link, 0.0)
                start = head if head > free else free
                head = start + latency
                if link in batch_work:
                    batch_work[link] += train.packets * latency
                    if start < batch_start[link]:
                        batch_start[link] = start
                else:
                    batch_work[link] = train.packets * latency
                    batch_start[link] = start
                per_link.append(head)
            heads.append(per_link)
        done = {link: batch_start[link] + work for link, work in batch_work.items()}
        deliveries = []
        for train, links, per_link in zip(trains, routes, heads, strict=True):
            body = max(train.packets - 1, 0)
            tail = train.first_s + body * train.interval_s
            if not per_link:
                head = train.first_s + self.local_latency_s
                deliveries.append(Delivery(head, tail + self.local_latency_s))
                continue
            spacing = train.interval_s
            for (link, latency), head in zip(links, per_link, strict=True):
                spacing = max(spacing, latency)
                tail = max(head + body * spacing, tail + latency, done[link])
            deliveries.append(Delivery(per_link[-1], tail))
        link_free.update(done)
        return deliveries
