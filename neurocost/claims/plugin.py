"""pytest plugin: every claim in a ``*.claims.yaml`` file is one test item.

Registered through the ``pytest11`` entry point, so it loads in every pytest run of anyone who
installs neurocost: importing it costs only pytest itself; claims, pydantic and torch are imported
when a ``*.claims.yaml`` file is actually collected. Nothing else is ever collected.

Options: ``--claims-update`` re-records golden values (each rewritten value is listed at the end
of the run), ``--claims-report PATH`` writes a Markdown (or, for ``*.json``, JSON) summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from neurocost.claims.files import ClaimsFile
    from neurocost.claims.outcome import Outcome
    from neurocost.claims.runner import ClaimsRun
    from neurocost.claims.schema import Claim

_RUN = pytest.StashKey["ClaimsRun"]()
_CHANGES = pytest.StashKey[list]()  # (golden file, GoldenChange) pairs


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("neurocost", "neurocost efficiency claims (*.claims.yaml)")
    group.addoption(
        "--claims-update",
        action="store_true",
        default=False,
        help="re-record the golden values of claims with 'expected: golden' (every rewritten "
        "value is listed at the end of the run; review them before committing)",
    )
    group.addoption(
        "--claims-report",
        metavar="PATH",
        default=None,
        help="write a summary of the checked claims to PATH (JSON for *.json, else Markdown)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "claim: an efficiency claim collected from *.claims.yaml")


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(".claims.yaml"):
        return ClaimsYamlFile.from_parent(parent, path=file_path)
    return None


class ClaimsYamlFile(pytest.File):
    """A ``*.claims.yaml`` file; a schema error is a collection error naming file and field."""

    def collect(self) -> Iterator[ClaimItem]:
        from neurocost.claims.files import load_claims

        claims_file = load_claims(self.path)
        for claim in claims_file.claims:
            yield ClaimItem.from_parent(self, name=claim.id, claims_file=claims_file, claim=claim)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        from neurocost.claims.files import ClaimsFileError
        from neurocost.claims.golden import GoldenFileError

        if isinstance(excinfo.value, ClaimsFileError | GoldenFileError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)


class ClaimDoesNotHold(AssertionError):
    """Raised by a claim item whose measured value disagrees with the expected one."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


class ClaimItem(pytest.Item):
    """One claim: measures it, compares it, and explains a failure with a per-layer breakdown."""

    def __init__(self, *, claims_file: ClaimsFile, claim: Claim, **kw: Any) -> None:
        super().__init__(**kw)
        self.claims_file = claims_file
        self.claim = claim
        self.add_marker("claim")

    def runtest(self) -> None:
        run = _run(self.config)
        try:
            outcome = run.check(self.claims_file, self.claim)
        except KeyboardInterrupt:
            raise
        except BaseException as err:  # sys.exit() in a user's model file fails this claim
            run.error_outcome(self.claims_file, self.claim, err)
            raise
        if outcome.status == "known-gap":
            pytest.xfail(f"{outcome.message}: {self.claim.known_gap}")
        if not outcome.passed:
            raise ClaimDoesNotHold(outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        from neurocost.claims.files import ClaimsFileError
        from neurocost.claims.golden import GoldenFileError

        if isinstance(excinfo.value, ClaimDoesNotHold):
            return excinfo.value.outcome.explain()
        if isinstance(excinfo.value, ClaimsFileError | GoldenFileError):
            return f"claim {self.claim.id!r}: {excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"claim {self.claim.id}: {self.claim.metric}"


def _run(config: pytest.Config) -> ClaimsRun:
    if _RUN not in config.stash:
        from neurocost.claims.runner import ClaimsRun

        config.stash[_RUN] = ClaimsRun(update=config.getoption("claims_update"))
    return config.stash[_RUN]


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if _RUN not in config.stash:
        return
    run = config.stash[_RUN]
    config.stash[_CHANGES] = changes = run.finish()
    report_path = config.getoption("claims_report")
    if report_path:
        from neurocost.claims.report import write_claims_report

        write_claims_report(report_path, run.outcomes, changes)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    changes = config.stash.get(_CHANGES, [])
    report_path = config.getoption("claims_report")
    if config.getoption("claims_update"):
        terminalreporter.section("neurocost golden values rewritten", yellow=True, bold=True)
        if not changes:
            terminalreporter.write_line("no golden value changed")
        for path, change in changes:
            terminalreporter.write_line(f"{path}: {change.describe()}")
    if report_path and _RUN in config.stash:
        terminalreporter.write_line(f"neurocost claims report written to {report_path}")
