"""neurocost beside its peer counters, timed and compared: writes ``docs/benchmarks.md``.

    python -m benchmarks.peers [--out docs/benchmarks.md] [--rounds N] [--only CASE ...]

Spiking models: a plain ``no_grad`` forward, ``nc.trace`` and each peer (NeuroBench,
SpikingJelly's op counter, syops, thop, fvcore) run on the same input in interleaved rounds; the
page gives the median over rounds of each tool's time / the plain forward's time in that round,
and each tool's counts beside neurocost's. Static models: ``nc.count_static`` and the FLOP
counters (thop, fvcore, ptflops) against a real fp32 forward, with each tool's figure beside
neurocost's view of the same count under that tool's rules. One torch thread; every tool is
called once before the rounds, so first-call costs (imports, JIT) are left out.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import torch
from torch import nn

from benchmarks import peer_tools
from benchmarks.models import frames, wide_scnn
from neurocost.models import zoo
from neurocost.models.state import reset_state

Workload = Callable[[], tuple[nn.Module, torch.Tensor]]
MIN_CALL_S = 0.02  # calls shorter than this are repeated within a round so timer noise is small


@dataclass(frozen=True)
class Case:
    """A model and its input; ``build`` makes a fresh, identically seeded copy on every call."""

    name: str
    about: str
    build: Workload
    encoding: str | None = None  # declared input encoding, for spiking cases


def _zoo_steps(name: str, batch: int, steps: int, **kw: object) -> Workload:
    return lambda: (zoo.get(name, **kw), zoo.example_input(name, batch, steps, **kw))


def _rate_coded_mlp() -> tuple[nn.Module, torch.Tensor]:
    net = zoo.get("smlp", hidden=(1000, 1000))
    rates = zoo.example_input("smlp", batch=1, steps=25)
    return net, torch.bernoulli(rates, generator=torch.Generator().manual_seed(2))


def _zoo_once(name: str) -> Workload:
    return lambda: (zoo.get(name), zoo.example_input(name, batch=1))


SPIKING = (
    Case("snn-cnn-b32", "snnTorch CNN 1-32-64 5x5 (the trace benchmark's), B=32, T=25, analog "
         "frames", lambda: (wide_scnn(), frames())),
    Case("scnn-b1", "zoo `scnn` (CNN 1-8-16 5x5), B=1, T=4, analog frames",
         _zoo_steps("scnn", batch=1, steps=4)),
    Case("smlp-1000-b1", "zoo `smlp` 784-1000-1000-10, B=1, T=25, Bernoulli spikes",
         _rate_coded_mlp, encoding="spike"),
)
STATIC = (
    Case("resnet18-shape", "zoo `binary_resnet18_ann`: fp32 ResNet-18 layout, 3x224x224, B=1",
         _zoo_once("binary_resnet18_ann")),
    Case("reactnet_a", "zoo `reactnet_a`: binary MobileNetV1 layout, 3x224x224, B=1",
         _zoo_once("reactnet_a")),
    Case("bcnn", "zoo `bcnn`: binary CNN 1x28x28, B=1", _zoo_once("bcnn")),
)
SPIKING_TOOLS = ("neurocost trace", "NeuroBench", "SpikingJelly", "syops", "thop", "fvcore")
STATIC_TOOLS = ("neurocost count_static", "thop", "fvcore", "ptflops")
_VERSIONS = {"NeuroBench": "neurobench", "SpikingJelly": "spikingjelly", "syops": "syops",
             "thop": "thop", "fvcore": "fvcore", "ptflops": "ptflops"}


def _spiking_tool(tool: str, net: nn.Module, x: torch.Tensor, case: Case) -> Callable[[], object]:
    batch = x.shape[1]
    return {
        "neurocost trace": lambda: peer_tools.neurocost_trace(net, x, case.encoding),
        "NeuroBench": lambda: peer_tools.neurobench(net, x, case.encoding),
        "SpikingJelly": lambda: peer_tools.spikingjelly(net, x, case.encoding),
        "syops": lambda: peer_tools.syops(net, x, case.encoding),
        "thop": lambda: {"dense": peer_tools.thop(peer_tools.TimeLoop(net), x, batch)},
        "fvcore": lambda: {"dense": peer_tools.fvcore(peer_tools.TimeLoop(net), x, batch)},
    }[tool]


def _static_tool(tool: str, net: nn.Module, x: torch.Tensor, case: Case) -> Callable[[], object]:
    return {
        "neurocost count_static": lambda: peer_tools.neurocost_static(net, x),
        "thop": lambda: peer_tools.thop(net, x, x.shape[0]),
        "fvcore": lambda: peer_tools.fvcore(net, x, x.shape[0]),
        "ptflops": lambda: peer_tools.ptflops(net, x, x.shape[0]),
    }[tool]


def _stepwise_forward(net: nn.Module, x: torch.Tensor) -> Callable[[], object]:
    def run() -> None:
        with torch.no_grad():
            reset_state(net)
            for x_t in x:
                net(x_t)
    return run


def _once_forward(net: nn.Module, x: torch.Tensor) -> Callable[[], object]:
    def run() -> torch.Tensor:
        with torch.no_grad():
            return net(x)
    return run


@dataclass
class Result:
    """One tool on one case: median seconds per call, median ratio to the plain forward of the
    same round, what the tool returned, or why it could not run."""

    tool: str
    seconds: float = math.nan
    ratio: float = math.nan
    output: object = None
    error: str | None = None


@dataclass
class CaseResult:
    """Every tool's result on one case, and the median plain forward time in seconds."""

    case: Case
    forward_s: float
    results: list[Result] = field(default_factory=list)


def _seconds(fn: Callable[[], object], number: int) -> tuple[float, object]:
    start = time.perf_counter()
    for _ in range(number):
        out = fn()
    return (time.perf_counter() - start) / number, out


def measure(case: Case, tools: Sequence[str], make_tool: Callable[..., Callable[[], object]],
            make_forward: Callable[..., Callable[[], object]], rounds: int) -> CaseResult:
    """Interleaved rounds of the plain forward and every tool, each on its own fresh model.

    A tool that raises in its first call is left out with its error, which the page prints."""
    forward = make_forward(*case.build())
    calls: dict[str, Callable[[], object]] = {}
    results = {tool: Result(tool) for tool in tools}
    for tool in tools:
        net, x = case.build()
        call = make_tool(tool, net, x, case)
        try:
            results[tool].output = call()
        except Exception as exc:  # a peer's failure is a finding for the page, not a crash
            if tool.startswith("neurocost"):
                raise
            results[tool].error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
            continue
        calls[tool] = call
    forward()  # warm, like every tool, before the forward sets how often calls repeat
    first, _ = _seconds(forward, 1)
    number = max(1, math.ceil(MIN_CALL_S / max(first, 1e-9)))
    forward_s, ratios, seconds = [], {t: [] for t in calls}, {t: [] for t in calls}
    for _ in range(rounds):
        plain, _ = _seconds(forward, number)
        forward_s.append(plain)
        for tool, call in calls.items():
            spent, results[tool].output = _seconds(call, number)
            seconds[tool].append(spent)
            ratios[tool].append(spent / plain)
    for tool in calls:
        results[tool].seconds = statistics.median(seconds[tool])
        results[tool].ratio = statistics.median(ratios[tool])
    return CaseResult(case, statistics.median(forward_s), [results[t] for t in tools])


def _fmt_count(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def _difference(theirs: float, ours: float) -> str:
    if theirs == ours:
        return "equal"
    if ours == 0:
        return f"{theirs:,.0f} vs 0"
    return f"{100 * (theirs - ours) / ours:+.2f} %"


def _versus(counts: dict[str, float], reference: dict[str, float]) -> str:
    parts = [f"{key} {_difference(counts[key], reference[key])}"
             for key in ("macs", "acs", "dense") if key in counts and key in reference]
    if parts and all(p.endswith("equal") for p in parts):
        return "equal"
    return ", ".join(parts) if parts else "—"


def _table(header: Sequence[str], measured: list[CaseResult],
           cells: Callable[[CaseResult, Result], list[str]]) -> list[str]:
    """Markdown rows ``model | tool | ...``: ``cells`` fills the rest, or the tool's error."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for cr in measured:
        for r in cr.results:
            rest = cells(cr, r) if r.error is None else \
                ["not run", *["—"] * (len(header) - 4), r.error]
            lines.append("| " + " | ".join([cr.case.name, r.tool, *rest]) + " |")
    return lines


def _spiking_cells(cr: CaseResult, r: Result) -> list[str]:
    counts = [_fmt_count(r.output.get(k)) for k in ("macs", "acs", "dense")]
    first = cr.results[0]
    return [f"{r.ratio:.2f}x", *counts, "—" if r is first else _versus(r.output, first.output)]


def _static_cells(cr: CaseResult, r: Result) -> list[str]:
    trace = cr.results[0].output
    timing = [f"{1e3 * r.seconds:.1f}", f"{r.ratio:.2f}x"]
    if r is cr.results[0]:
        return [*timing, f"{_fmt_count(peer_tools.static_view(trace, 'op-counter'))} synaptic",
                "—", "—"]
    ours = peer_tools.static_view(trace, r.tool)
    return [*timing, _fmt_count(r.output), _fmt_count(ours), _difference(r.output, ours)]


def spiking_table(measured: list[CaseResult]) -> list[str]:
    """Time ratio and counts of every tool on each spiking case."""
    header = ("model", "tool", "time / plain forward", "effective MACs", "ACs", "dense MACs",
              "vs neurocost")
    return _table(header, measured, _spiking_cells)


def static_table(measured: list[CaseResult]) -> list[str]:
    """Time per call, ratio to a forward and agreement of every static counter."""
    header = ("model", "tool", "ms per call", "time / fp32 forward", "tool's count",
              "neurocost, same rules", "agreement")
    return _table(header, measured, _static_cells)


def _versions(tools: Sequence[str]) -> str:
    found = [f"neurocost {metadata.version('neurocost')}" if _installed("neurocost") else
             "neurocost (source tree)", f"torch {torch.__version__}"]
    for tool in tools:
        package = _VERSIONS.get(tool)
        if package and _installed(package):
            found.append(f"{package} {metadata.version(package)}")
    return ", ".join(dict.fromkeys(found))


def _installed(package: str) -> bool:
    try:
        metadata.version(package)
    except metadata.PackageNotFoundError:
        return False
    return True


def _workloads(measured: list[CaseResult]) -> list[str]:
    lines = ["| case | model and input | plain forward (median) |", "|---|---|---|"]
    for cr in measured:
        lines.append(f"| {cr.case.name} | {cr.case.about} | {1e3 * cr.forward_s:.1f} ms |")
    return lines


def render(spiking: list[CaseResult], static: list[CaseResult], command: str,
           rounds: int) -> str:
    """The page: machine, command, tables and what each tool's figures mean."""
    intro = Path(__file__).with_name("peers_page.md").read_text().split("<!-- tables -->")
    machine = (f"{os.cpu_count()} CPUs ({platform.machine()}, {platform.platform()}), "
               f"Python {platform.python_version()}, torch threads: {torch.get_num_threads()}")
    body = [
        intro[0].rstrip(), "",
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `{command}` ({rounds} rounds).", "",
        f"- Machine: {machine}; load average {os.getloadavg()[0]:.2f} when the run ended. Other "
        "work on the same cores moves times far more than ratios, which is why the page gives "
        "medians of per-round ratios.",
        f"- Versions: {_versions(SPIKING_TOOLS + STATIC_TOOLS)}.", "",
        "### Workloads", "", *_workloads(spiking + static), "",
    ]
    if spiking:
        body += ["### Spiking models: counting while running", "",
                 "Counts per sample, summed over time steps. *vs neurocost* is each figure's "
                 "difference from neurocost's exact count in the same column.", "",
                 *spiking_table(spiking), ""]
    if static:
        body += ["### Static counters: counting from shapes", "",
                 "*tool's count* is the tool's total per sample; *neurocost, same rules* is "
                 "`nc.count_static` read under the convention that reproduces that tool "
                 "(`neurocost.energy.counters`); the neurocost row gives its synaptic products "
                 "(MACs and binary ops, padding included).", "",
                 *static_table(static), ""]
    return "\n".join(body) + "\n" + intro[1].lstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", action="append", metavar="CASE",
                        help="run only these cases (repeatable); known: "
                        + ", ".join(c.name for c in SPIKING + STATIC))
    args = parser.parse_args(argv)
    known = {c.name for c in SPIKING + STATIC}
    unknown = set(args.only or ()) - known
    if unknown:
        parser.error(f"unknown case(s) {sorted(unknown)}; known: {sorted(known)}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    chosen = set(args.only or known)
    torch.set_num_threads(1)
    spiking = [measure(c, SPIKING_TOOLS, _spiking_tool, _stepwise_forward, args.rounds)
               for c in SPIKING if c.name in chosen]
    static = [measure(c, STATIC_TOOLS, _static_tool, _once_forward, args.rounds)
              for c in STATIC if c.name in chosen]
    command = "python -m benchmarks.peers " + " ".join(argv if argv is not None else sys.argv[1:])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(spiking, static, command.strip(), args.rounds))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
