"""``neurocost claims check|validate FILE...``: efficiency claims for CI without pytest.

``check`` prints a Markdown summary (ready for a CI job page, e.g. ``>> $GITHUB_STEP_SUMMARY``)
and exits 1 when any claim does not hold or could not be measured, 2 on an input error (and when
no claim was checked); ``validate`` only reads the files against the schema.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("claims", help="check efficiency claims (*.claims.yaml)")
    actions = parser.add_subparsers(dest="claims_command", required=True)

    check = actions.add_parser("check", help="measure every claim; exit 1 if any does not hold")
    check.add_argument("files", nargs="+", metavar="FILE", help="*.claims.yaml files")
    check.add_argument(
        "--update",
        action="store_true",
        help="re-record golden values (each rewritten value is listed)",
    )
    check.add_argument(
        "--report", metavar="PATH", help="also write the summary to PATH (JSON if it ends in .json)"
    )
    check.set_defaults(func=_check)

    validate = actions.add_parser("validate", help="check the files against the schema only")
    validate.add_argument("files", nargs="+", metavar="FILE", help="*.claims.yaml files")
    validate.set_defaults(func=_validate)


def _check(args: argparse.Namespace) -> int:
    from neurocost.claims.files import ClaimsFileError
    from neurocost.claims.report import markdown_summary, write_claims_report
    from neurocost.claims.runner import check_claims
    from neurocost.cli import EXIT_CLAIM_FAILED, EXIT_OK

    result = check_claims(args.files, update=args.update)
    if not result.outcomes:
        raise ClaimsFileError(f"{', '.join(args.files)}: no claim was checked")
    sys.stdout.write(markdown_summary(result.outcomes, result.golden_changes))
    if args.report:
        write_claims_report(args.report, result.outcomes, result.golden_changes)
    return EXIT_OK if result.passed else EXIT_CLAIM_FAILED


def _validate(args: argparse.Namespace) -> int:
    from neurocost.claims.files import load_claims
    from neurocost.cli.common import console

    for path in args.files:
        claims = load_claims(path).claims
        console.print(f"{path}: {len(claims)} claims, schema ok")
    return 0
