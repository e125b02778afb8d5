"""Reading ``*.claims.yaml`` files: safe YAML, schema validation, errors naming file and field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from neurocost.claims.schema import Claim, ClaimsDocument
from neurocost.errors import NeurocostError
from neurocost.strict_yaml import read_yaml_file

CLAIMS_SUFFIX = ".claims.yaml"
GOLDEN_SUFFIX = ".golden.json"


class ClaimsFileError(NeurocostError):
    """A claims file that cannot be read or does not follow the schema."""


@dataclass(frozen=True)
class ClaimsFile:
    """A validated claims file: where it is, its claims, and the golden file that goes with it."""

    path: Path
    claims: list[Claim]
    golden_path: Path


def load_claims(path: str | Path) -> ClaimsFile:
    """Read and validate one claims file; ``ClaimsFileError`` names the file, claim and field."""
    path = Path(path)
    if not path.name.endswith(CLAIMS_SUFFIX):
        raise ClaimsFileError(f"{path}: a claims file is named *{CLAIMS_SUFFIX}")
    # safe, bounded loading that also refuses a key given twice (YAML keeps the last silently)
    data = read_yaml_file(path, "claims", ClaimsFileError)
    if not isinstance(data, dict):
        raise ClaimsFileError(
            f"{path}: a claims file is a mapping with a 'claims:' list, got {type(data).__name__}"
        )
    try:
        document = ClaimsDocument.model_validate(data)
    except ValidationError as err:
        raise ClaimsFileError(_describe(path, data, err)) from None
    default_golden = path.name[: -len(CLAIMS_SUFFIX)] + GOLDEN_SUFFIX
    golden_path = path.parent / (document.golden or default_golden)
    _check_inside(path, golden_path)
    return ClaimsFile(path=path, claims=document.claims, golden_path=golden_path)


def _check_inside(path: Path, golden_path: Path) -> None:
    """Refuse a golden file outside the claims file's folder: ``--update-golden`` writes it, and a
    claims file from another repository must not be able to make CI write ``../../anything``."""
    folder = path.parent.resolve()
    if not golden_path.resolve().is_relative_to(folder):
        raise ClaimsFileError(
            f"{path}: field 'golden': {str(golden_path)!r} is outside "
            f"the claims file's folder {str(folder)!r}; name a file in that folder or below it"
        )


def _describe(path: Path, data: dict[str, Any], err: ValidationError) -> str:
    """One line per schema problem: file, claim id, dotted field, problem, offending value."""
    lines = [f"{path}: {err.error_count()} problem(s) in the claims file"]
    for problem in err.errors():
        where = list(problem["loc"])
        label = ".".join(str(part) for part in where) or "(top level)"
        if len(where) >= 2 and where[0] == "claims" and isinstance(where[1], int):
            field = ".".join(str(part) for part in where[2:]) or "(claim)"
            label = f"claim {_claim_id(data, where[1])}, field '{field}'"
        value = "" if problem["type"] == "missing" else f" (got {problem['input']!r})"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"  {label}: {message}{value}")
    return "\n".join(lines)


def _claim_id(data: dict[str, Any], index: int) -> str:
    claim = data["claims"][index]
    given = claim.get("id") if isinstance(claim, dict) else None
    return f"{given!r} (claims[{index}])" if given else f"claims[{index}]"
