"""``neurocost demo``: the whole pipeline on shipped data, in one command a newcomer can run.

Train a spiking CNN and its binary and fp32 twins on scikit-learn's 8x8 digits, write a sweep
spec that names the trained weights and ``dataset: digits``, run it through the ordinary sweep
engine (which measures each model's test accuracy and traces it on test images), and render the
ordinary report. Nothing here prices or plots: the demo only prepares inputs for the engine and
the renderer, so its figures are exactly what ``neurocost sweep`` + ``neurocost report`` give on
the spec it leaves behind (``DIR/sweep.yaml``).

The spiking CNN is fed rate-coded spikes rather than the analog frame, so its first layer
accumulates instead of multiplying: that is what lets Loihi (no MAC path) run it. The binary CNN
needs an XNOR-popcount (BOP) energy, which not every profile declares (loihi and
snn-45nm-ac-mac have none); the report lists those pairs as "cannot run" rather than pricing
them at zero.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from neurocost.errors import NeurocostError
from neurocost.reports.render import ReportFiles, write_report
from neurocost.sweeps.sweep import sweep

if TYPE_CHECKING:
    from neurocost.models.datasets import LabelledData

# Built-in profiles the demo prices on: a 45 nm CMOS accelerator, the SNN papers' compute-only
# convention, an event-driven neuromorphic chip and a datacentre GPU.
MARKER = ".neurocost-demo"  # in an output folder the demo made and may therefore rewrite
PROFILES = ("cmos45", "snn-45nm-ac-mac", "loihi", "h100")
SPIKING_STEPS = 4
QUICK_TRAIN_SAMPLES = 240  # --quick: a slice of the training split, enough to exercise every stage
QUICK_STEPS = 2
TRACED_SAMPLES = 64  # test images per trace: figures are per sample, this sets their precision

Log = Callable[[str], None]


@dataclass(frozen=True)
class DemoModel:
    """One trained model: its zoo entry, how its input is encoded, a phrase for the log, and
    conv widths where the demo departs from the zoo's digits sizing."""

    name: str
    encoder: str
    role: str
    channels: tuple[int, ...] | None = None

    def sizes(self) -> dict[str, Any]:
        """Zoo keywords sizing the model for 8x8 digits (lists, so they read back from YAML)."""
        from neurocost.models.datasets import DIGITS_SIZES

        sizes = dict(DIGITS_SIZES[self.name])
        if self.channels is not None:
            sizes["channels"] = self.channels
        return {k: list(v) if isinstance(v, tuple) else v for k, v in sizes.items()}


# The spiking CNN is widened from the zoo's digits sizing (8, 16): on rate-coded spikes the
# narrow one ends near 90% test accuracy after 5 epochs, the wider one clears it with margin at
# almost the same training time (small convolutions cost little next to the per-step loop).
_SPIKING_CHANNELS = (16, 32)


class DemoError(NeurocostError):
    """An output folder or option the demo cannot use; the message names it."""


MODELS = (
    DemoModel("scnn", "rate", "spiking CNN, rate-coded spikes in", _SPIKING_CHANNELS),
    DemoModel("scnn_ann", "direct", "fp32 ANN twin of the spiking CNN", _SPIKING_CHANNELS),
    DemoModel("bcnn", "direct", "binary CNN, W1A1 hidden conv"),
    DemoModel("bcnn_ann", "direct", "fp32 ANN twin of the binary CNN"),
)


@dataclass
class DemoOutcome:
    """What the demo wrote and measured: the report files (with the three summary lines), the
    sweep spec and results store it used, each model's training accuracy and the wall time."""

    report: ReportFiles
    spec: Path
    results: Path
    trained: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


def run_demo(
    out: str | Path, *, epochs: int = 5, seed: int = 0, quick: bool = False,
    progress: bool = True, log: Log | None = None,
) -> DemoOutcome:
    """Train, sweep and report into ``out``; returns where everything is.

    epochs: training epochs per model. seed: model initialisation, shuffling and spike draws.
    quick: train on a small slice for one epoch with fewer time steps (for tests; accuracies are
    then far below the 90% bar, and the summary says so).
    ``out/results`` is rewritten on every run, so a report never mixes two trainings; ``out``
    must be new, empty or a folder an earlier demo made (it holds ``MARKER``), so the demo never
    deletes or overwrites anything of the user's.
    """
    if epochs < 1:
        raise DemoError(f"--epochs must be >= 1, got {epochs}")
    say = log or (lambda _line: None)
    started = time.perf_counter()
    out = _demo_folder(Path(out))
    results = _fresh_results_dir(out / "results")
    steps = QUICK_STEPS if quick else SPIKING_STEPS
    trained = _train_all(out / "weights", 1 if quick else epochs, seed, steps, quick, progress,
                         say)
    spec_path = out / "sweep.yaml"
    spec_path.write_text(yaml.safe_dump(_spec(seed, steps, quick), sort_keys=False))
    say(f"sweep spec: {spec_path}")
    # in this process: 16 pricing units take milliseconds, a worker pool seconds to start
    sweep(spec_path, workers=1, progress=progress, log=say)
    report = write_report(results, out / "report")
    return DemoOutcome(report, spec_path, results, trained, time.perf_counter() - started)


def _train_all(weights: Path, epochs: int, seed: int, steps: int, quick: bool, progress: bool,
               say: Log) -> dict[str, float]:
    """Train every demo model on digits; save each state dict to ``weights/NAME.pt``."""
    from neurocost.models import zoo
    from neurocost.models.datasets import load_digits
    from neurocost.models.encoders import make_encoder
    from neurocost.models.training import evaluate, train
    from neurocost.models.weights import save_weights

    data = load_digits()
    if quick:
        data = _first(data, QUICK_TRAIN_SAMPLES)
    accuracies = {}
    for model_spec in MODELS:
        model = zoo.get(model_spec.name, seed=seed, **model_spec.sizes())
        stepwise = zoo.entry(model_spec.name).stepwise
        options: dict[str, Any] = {}
        if stepwise:
            options = {"steps": steps, "encoder": make_encoder(model_spec.encoder, seed)}
        result = train(model, data, epochs=epochs, seed=seed, progress=progress, **options)
        save_weights(model, weights / f"{model_spec.name}.pt")
        # measured as the report measures it: a freshly seeded encoder, not the training one
        accuracy = evaluate(model, data, steps if stepwise else None,
                            make_encoder(model_spec.encoder, seed))
        accuracies[model_spec.name] = accuracy
        say(f"trained {model_spec.name} ({model_spec.role}): test accuracy "
            f"{accuracy:.1%} after {epochs} epoch(s), {result.seconds:.1f} s")
    return accuracies


def _spec(seed: int, steps: int, quick: bool) -> dict[str, Any]:
    """The sweep spec of the trained models (paths relative to the spec file)."""
    from neurocost.models import zoo

    models = []
    for model_spec in MODELS:
        stepwise = zoo.entry(model_spec.name).stepwise
        models.append({
            "source": f"zoo:{model_spec.name}",
            "name": model_spec.name,
            "variants": {k: [v] for k, v in model_spec.sizes().items()},
            "weights": f"weights/{model_spec.name}.pt",
            "input": {"dataset": "digits", "samples": TRACED_SAMPLES, "seed": seed,
                      "encoder": model_spec.encoder, **({"steps": steps} if stepwise else {})},
        })
    return {"name": "demo-quick" if quick else "demo", "models": models,
            "profiles": list(PROFILES), "results": "results", "seed": seed}


def _first(data: LabelledData, samples: int) -> LabelledData:
    """``data`` with only its first ``samples`` training samples (the test split untouched)."""
    return replace(data, train_x=data.train_x[:samples], train_y=data.train_y[:samples])


def _demo_folder(out: Path) -> Path:
    """``out``, created or checked: the demo writes only into a folder that is new, empty, or
    holds ``MARKER`` (written by an earlier demo); anything else may be the user's own work."""
    if out.exists() and not out.is_dir():
        raise DemoError(f"{out}: is a file; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise DemoError(
            f"{out}: exists, is not empty and was not made by `neurocost demo` (no {MARKER}); "
            "the demo rewrites its output folder, so choose a new or empty --out"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / MARKER).write_text("written by `neurocost demo`; the demo rewrites this folder\n")
    except OSError as err:
        raise DemoError(f"{out}: cannot write the demo's output here ({err.strerror})") from None
    return out


def _fresh_results_dir(path: Path) -> Path:
    """Remove a previous demo's results store at ``path`` inside the demo's own folder."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise DemoError(f"{path}: is not the demo's results folder; choose another --out")
    if path.exists():
        shutil.rmtree(path)
    return path
