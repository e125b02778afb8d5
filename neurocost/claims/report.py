"""Claims summaries: a Markdown table for people and CI job pages, JSON for machines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from neurocost.claims.formatting import format_value
from neurocost.claims.golden import GoldenChange
from neurocost.claims.outcome import Outcome

_MARK = {
    "passed": "pass",
    "recorded": "recorded",
    "known-gap": "known gap",
    "failed": "**FAIL**",
    "gap-closed": "**GAP CLOSED**",
    "stale": "**STALE**",
    "no-golden": "**NO GOLDEN**",
    "error": "**ERROR**",
}


def markdown_summary(outcomes: list[Outcome], changes: list[tuple[Path, GoldenChange]]) -> str:
    """A Markdown table of every claim, the messages of those that did not pass, and the
    golden values that were rewritten."""
    holding = sum(outcome.status in ("passed", "recorded") for outcome in outcomes)
    gaps = sum(outcome.status == "known-gap" for outcome in outcomes)
    gap_note = f" ({gaps} known gaps, explained below the table)" if gaps else ""
    lines = [
        "# neurocost efficiency claims",
        "",
        f"{holding} of {len(outcomes)} claims hold{gap_note}.",
        "",
        "| claim | metric | expected | measured | tolerance | result | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        cells = [
            f"`{o.claim.id}`",
            f"{o.claim.metric}",
            _cell(o.expected, o.unit) + (" (golden)" if o.claim.is_golden else ""),
            _cell(o.measured, o.unit),
            o.claim.describe_tolerance(),
            _MARK[o.status],
            o.claim.source.replace("|", "\\|"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    explained = [o for o in outcomes if o.status == "known-gap"]
    if explained:
        lines += ["", "## Known gaps", ""]
        lines += [f"- `{o.claim.id}`: {o.claim.known_gap}" for o in explained]
    failing = [o for o in outcomes if not o.passed]
    if failing:
        lines += ["", "## Claims that do not hold", ""]
        for o in failing:
            lines += ["```", o.explain(), "```", ""]
    if changes:
        lines += ["", "## Golden values rewritten", ""]
        lines += [f"- `{path}`: {change.describe()}" for path, change in changes]
    return "\n".join(lines).rstrip() + "\n"


def json_summary(
    outcomes: list[Outcome], changes: list[tuple[Path, GoldenChange]]
) -> dict[str, Any]:
    """Every outcome with its unit, tolerance and measured terms (keys hold the versions)."""
    return {
        "format": "neurocost.claims.report",
        "passed": all(o.passed for o in outcomes),
        "claims": [
            {
                "id": o.claim.id,
                "file": str(o.file),
                "status": o.status,
                "message": o.message,
                "metric": str(o.claim.metric),
                "unit": o.unit,
                "expected": o.expected,
                "expected_from": "golden" if o.claim.is_golden else "source",
                "measured": o.measured,
                "tolerance": o.claim.describe_tolerance(),
                "source": o.claim.source,
                "terms": [
                    {
                        "term": str(term),
                        "value": m.value,
                        "unit": m.unit,
                        "key": m.key,
                        "per_layer": m.per_layer,
                    }
                    for term, m in o.terms
                ],
            }
            for o in outcomes
        ],
        "golden_changes": [
            {"file": str(path), "change": change.describe()} for path, change in changes
        ],
    }


def write_claims_report(
    path: str | Path, outcomes: list[Outcome], changes: list[tuple[Path, GoldenChange]]
) -> Path:
    """Write the summary to ``path``: JSON when it ends in ``.json``, Markdown otherwise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".json":
        path.write_text(
            json.dumps(json_summary(outcomes, changes), indent=1) + "\n", encoding="utf-8"
        )
    else:
        path.write_text(markdown_summary(outcomes, changes), encoding="utf-8")
    return path


def _cell(value: float | None, unit: str) -> str:
    return "—" if value is None else format_value(value, unit)
