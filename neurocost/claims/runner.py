"""Checking claims: measure, compare with the published or golden value, record goldens on request.

One ``ClaimsRun`` serves a whole pytest session or CLI call, so claims that share a model and
input share one trace (the expensive part); goldens are written once, at ``finish``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from neurocost.claims.files import ClaimsFile, load_claims
from neurocost.claims.formatting import format_value
from neurocost.claims.golden import GoldenChange, GoldenEntry, GoldenStore, stale_reason
from neurocost.claims.outcome import Measurement, Outcome, Status
from neurocost.claims.schema import Claim, Term

if TYPE_CHECKING:
    from neurocost.claims.measure import ModelMeasurer

UPDATE_HINT = (
    "re-record with `pytest --claims-update` or `neurocost claims check --update FILE`, "
    "and review the rewritten values before committing"
)


@dataclass(frozen=True)
class ClaimsResult:
    """Every outcome of a run and every golden value it rewrote."""

    outcomes: list[Outcome]
    golden_changes: list[tuple[Path, GoldenChange]]

    @property
    def passed(self) -> bool:
        """Every claim holds, and there was at least one: a run that checked nothing has not
        shown anything, so it does not pass (CI must not go green on an empty claims file)."""
        return bool(self.outcomes) and all(outcome.passed for outcome in self.outcomes)


@contextlib.contextmanager
def beside(claims_path: Path) -> Iterator[None]:
    """Run with the claims file's folder as the working directory, so that relative model
    (``model.py:factory``, ``.onnx``, ``.nir``) and profile (``my_chip.yaml``) paths in a claims
    file mean the same wherever ``neurocost claims check`` or pytest is started from."""
    previous = Path.cwd()
    os.chdir(claims_path.resolve().parent)
    try:
        yield
    finally:
        os.chdir(previous)


class ClaimsRun:
    """Checks claims one at a time; ``update=True`` records golden values instead of comparing."""

    def __init__(self, update: bool = False) -> None:
        self.update = update
        self._measurer: ModelMeasurer | None = None
        self._stores: dict[Path, GoldenStore] = {}
        self._claim_ids: dict[Path, list[str]] = {}
        self.outcomes: list[Outcome] = []

    @property
    def measurer(self) -> ModelMeasurer:
        if self._measurer is None:
            from neurocost.claims.measure import ModelMeasurer  # torch is imported only here

            self._measurer = ModelMeasurer()
        return self._measurer

    def check(self, file: ClaimsFile, claim: Claim) -> Outcome:
        """Measure ``claim`` and judge it; a measurement error propagates (``error_outcome``)."""
        with beside(file.path):
            terms = tuple((term, self.measurer.measure(claim, term))
                          for term in claim.metric.terms)
        measured = _combine(terms)
        if claim.is_golden:
            outcome = self._against_golden(file, claim, terms, measured)
        else:
            outcome = _judge(file, claim, terms, measured, float(claim.expected), {})
        self.outcomes.append(outcome)
        return outcome

    def error_outcome(self, file: ClaimsFile, claim: Claim, err: BaseException) -> Outcome:
        """Record that measuring ``claim`` raised ``err``."""
        outcome = Outcome(claim, file.path, "error", f"{type(err).__name__}: {err}")
        self.outcomes.append(outcome)
        return outcome

    def finish(self) -> list[tuple[Path, GoldenChange]]:
        """Write the golden files that have recorded values; return every change made."""
        return [
            (store.path, change)
            for path, store in self._stores.items()
            for change in store.write(self._claim_ids[path])
        ]

    def _store(self, file: ClaimsFile) -> GoldenStore:
        if file.path not in self._stores:
            self._stores[file.path] = GoldenStore.load(file.golden_path)
            self._claim_ids[file.path] = [claim.id for claim in file.claims]
        return self._stores[file.path]

    def _against_golden(
        self,
        file: ClaimsFile,
        claim: Claim,
        terms: tuple[tuple[Term, Measurement], ...],
        measured: Measurement,
    ) -> Outcome:
        store = self._store(file)
        golden = store.get(claim.id)
        if self.update:
            store.record(
                claim.id,
                GoldenEntry(measured.value, measured.unit, measured.key, measured.per_layer),
            )
            was = "new" if golden is None else f"was {format_value(golden.value, golden.unit)}"
            message = f"golden value recorded ({was})"
            return Outcome(
                claim,
                file.path,
                "recorded",
                message,
                golden and golden.value,
                measured.value,
                terms,
            )
        if golden is None:
            message = f"no golden value for this claim in {file.golden_path}; {UPDATE_HINT}"
            return Outcome(claim, file.path, "no-golden", message, None, measured.value, terms)
        why = stale_reason(golden.key, measured.key)
        if golden.unit != measured.unit:  # an edited unit changes what the number means
            unit = f"unit was {golden.unit!r}, is {measured.unit!r} now"
            why = unit if why is None else f"{unit}; {why}"
        if why is not None:
            message = (
                f"the golden value was recorded under other conditions ({why}); comparing them "
                f"would mix different things, so {UPDATE_HINT}"
            )
            return Outcome(claim, file.path, "stale", message, golden.value, measured.value, terms)
        return _judge(file, claim, terms, measured, golden.value, golden.per_layer)


def check_claims(paths: list[str | Path], update: bool = False) -> ClaimsResult:
    """Check every claim in ``paths`` (``*.claims.yaml``); errors become ``error`` outcomes so
    one broken claim does not hide the others. With ``update``, golden values are re-recorded."""
    run = ClaimsRun(update=update)
    for path in paths:
        file = load_claims(path)
        for claim in file.claims:
            try:
                run.check(file, claim)
            except KeyboardInterrupt:
                raise
            except BaseException as err:  # noqa: BLE001 (user model code may sys.exit())
                # reported as this claim's outcome: a model file that calls sys.exit(0) on
                # import must fail its claim, not end the run as a success
                run.error_outcome(file, claim, err)
    return ClaimsResult(run.outcomes, run.finish())


def _combine(terms: tuple[tuple[Term, Measurement], ...]) -> Measurement:
    if len(terms) == 1:
        return terms[0][1]
    (top_term, top), (bottom_term, bottom) = terms
    if bottom.value == 0:
        raise ZeroDivisionError(f"ratio denominator {bottom_term} measured 0 {bottom.unit}")
    key = {str(top_term): top.key, str(bottom_term): bottom.key}
    return Measurement(top.value / bottom.value, "1", key)


def _judge(
    file: ClaimsFile,
    claim: Claim,
    terms: tuple[tuple[Term, Measurement], ...],
    measured: Measurement,
    expected: float,
    reference_per_layer: dict[str, float],
) -> Outcome:
    tolerance = claim.effective_tolerance()
    if tolerance is None:
        holds = measured.value == expected
    else:
        holds = tolerance.allows(expected, measured.value)
    status, message = _verdict(claim, holds)
    return Outcome(
        claim, file.path, status, message, expected, measured.value, terms, reference_per_layer
    )


def _verdict(claim: Claim, holds: bool) -> tuple[Status, str]:
    outside = f"measured value is outside {claim.describe_tolerance()}"
    if claim.known_gap is None:
        return ("passed", "within tolerance") if holds else ("failed", outside)
    if holds:
        return "gap-closed", "the claim now holds: remove its known_gap explanation"
    return "known-gap", f"{outside}, as expected (known gap)"
