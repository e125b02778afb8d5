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

import math
from dataclasses import dataclass

from neurocost.sim.architecture import Mesh

_EAST, _WEST, _NORTH, _SOUTH = range(4)


@dataclass(frozen=True)
class Fanout:
    """The routes from one source tile to each destination tile of a unit, in the unit's order.

    Route ``i`` (to ``dst_tiles[i]``, holding ``cores_in_tile[i]`` of the unit's cores) is
    ``routes[i]``, ``(slot, hop latency, spacing)`` per link: a slot indexes ``slot_links``
    (the distinct link ids of all the routes), the spacing is that of the train's packets
    after the link (the larger of ``spacing_s[i]``, their spacing when sent, and the slowest
    hop so far); a route inside a tile is empty. ``hops_ew[i]`` and ``hops_ns[i]`` are its
    hops, ``dest_cores`` the unit's cores. Built once per source tile, unit and sending
    interval, so sending a step's trains looks up no route and hashes no link.
    """

    dst_tiles: tuple[int, ...]
    cores_in_tile: tuple[int, ...]
    dest_cores: int
    routes: tuple[tuple[tuple[int, float, float], ...], ...]
    slot_links: tuple[int, ...]
    spacing_s: tuple[float, ...]
    hops_ew: tuple[int, ...]
    hops_ns: tuple[int, ...]


class MeshNetwork:
    """Routes and link reservations of one simulation run (not shared between runs).

    A link is the id ``4 x tile + direction`` of the link leaving ``tile`` in that direction.
    """

    def __init__(self, mesh: Mesh) -> None:
        self.columns = int(mesh.columns.value)
        self.cores_per_tile = int(mesh.cores_per_tile.value)
        self.latency = {_EAST: mesh.hop_latency_ew.si, _WEST: mesh.hop_latency_ew.si,
                        _NORTH: mesh.hop_latency_ns.si, _SOUTH: mesh.hop_latency_ns.si}
        self.local_latency_s = mesh.local_latency.si
        self._link_free = [0.0] * (4 * mesh.tiles)
        self._routes: dict[tuple[int, int], list[tuple[int, float]]] = {}
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

    def route(self, src_tile: int, dst_tile: int) -> list[tuple[int, float]]:
        """The X-then-Y route as ``[(link id, latency_s), ...]``."""
        key = (src_tile, dst_tile)
        cached = self._routes.get(key)
        if cached is not None:
            return cached
        x, y = src_tile % self.columns, src_tile // self.columns
        tx, ty = dst_tile % self.columns, dst_tile // self.columns
        links: list[tuple[int, float]] = []
        while x != tx:
            direction = _EAST if tx > x else _WEST
            links.append((4 * (y * self.columns + x) + direction, self.latency[direction]))
            x += 1 if tx > x else -1
        while y != ty:
            direction = _NORTH if ty > y else _SOUTH
            links.append((4 * (y * self.columns + x) + direction, self.latency[direction]))
            y += 1 if ty > y else -1
        self._routes[key] = links
        return links

    def fanout(
        self, src_tile: int, groups: list[tuple[int, int]], interval_s: float
    ) -> Fanout:
        """Routes from ``src_tile`` to ``[(destination tile, cores on it), ...]`` for a source
        that sends one packet every ``interval_s``, round-robin over the destination cores."""
        dest_cores = sum(cores for _, cores in groups)
        slot_of: dict[int, int] = {}
        routes, spacings = [], []
        for tile, cores in groups:
            spacing = interval_s * dest_cores / cores
            spacings.append(spacing)
            route = []
            for link, latency in self.route(src_tile, tile):
                slot = slot_of.setdefault(link, len(slot_of))
                spacing = max(spacing, latency)
                route.append((slot, latency, spacing))
            routes.append(tuple(route))
        hops = [self.hops(src_tile, tile) for tile, _ in groups]
        return Fanout(
            dst_tiles=tuple(tile for tile, _ in groups),
            cores_in_tile=tuple(cores for _, cores in groups),
            dest_cores=dest_cores,
            routes=tuple(routes),
            slot_links=tuple(slot_of),
            spacing_s=tuple(spacings),
            hops_ew=tuple(ew for ew, _ in hops),
            hops_ns=tuple(ns for _, ns in hops),
        )

    def send_packet(self, sent_s: float, route: list[tuple[int, float]]) -> float:
        """Send one packet at ``sent_s`` along ``route`` (from ``route``), each link first come,
        first served; its arrival time."""
        if not route:
            return sent_s + self.local_latency_s
        arrival = sent_s
        link_free = self._link_free
        for link, latency in route:
            free = link_free[link]
            arrival = (arrival if arrival > free else free) + latency
            link_free[link] = arrival
        return arrival

    def send_trains(
        self, fanout: Fanout, t0: float, spikes: float
    ) -> tuple[list[float], list[float]]:
        """Send ``spikes`` events from ``t0`` to every core of ``fanout``'s unit, interleaved.

        The cores of each destination tile get one train of ``spikes x cores`` packets, the
        first sent one spacing (``fanout.spacing_s``) after ``t0``. Returns when each train's
        first and last packets arrive (two lists). On a link several trains share, a train's
        head waits only for work reserved before this call; together they keep the link busy
        for their summed ``packets x latency``, and each tail leaves the link no earlier than
        that.
        """
        link_free = self._link_free
        free = [link_free[link] for link in fanout.slot_links]
        batch_start = [math.inf] * len(free)
        batch_work = [0.0] * len(free)
        trains = []
        for route, cores, spacing in zip(
            fanout.routes, fanout.cores_in_tile, fanout.spacing_s, strict=True
        ):
            n = spikes * cores
            head = first = t0 + spacing
            link_heads = []
            for slot, latency, _ in route:
                start = free[slot]
                if head > start:
                    start = head
                head = start + latency
                batch_work[slot] += n * latency
                if start < batch_start[slot]:
                    batch_start[slot] = start
                link_heads.append(head)
            trains.append((first, n, spacing, link_heads))
        done = [start + work for start, work in zip(batch_start, batch_work, strict=True)]
        heads, tails = [], []
        local_s = self.local_latency_s
        for route, (first, n, spacing, link_heads) in zip(fanout.routes, trains, strict=True):
            body = n - 1 if n > 1 else 0
            tail = first + body * spacing
            if not route:
                heads.append(first + local_s)
                tails.append(tail + local_s)
                continue
            for (slot, latency, link_spacing), head in zip(route, link_heads, strict=True):
                tail += latency  # the largest of this, the head's + body, the link's work
                body_s = head + body * link_spacing
                if body_s > tail:
                    tail = body_s
                if done[slot] > tail:
                    tail = done[slot]
            heads.append(head)
            tails.append(tail)
        for link, link_done in zip(fanout.slot_links, done, strict=True):
            link_free[link] = link_done
        return heads, tails
