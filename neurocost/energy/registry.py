"""Finding and reading profiles: built-in ids, YAML files (safe loading only), Profile objects.

All reading of profile files happens here, so every error names the file, the field path and the
problem in one message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from neurocost.energy.schema import Profile
from neurocost.errors import NeurocostError
from neurocost.strict_yaml import field_problems, read_yaml_file

PROFILE_DIR = Path(__file__).parent / "profiles"


class ProfileError(NeurocostError):
    """A profile that cannot be found or is malformed; the message names file, field and problem."""


def builtin_ids() -> list[str]:
    """Ids of the profiles shipped with neurocost."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def load_profile(spec: str | Path | Profile) -> Profile:
    """A ``Profile`` from a built-in id (``"loihi"``), a YAML path, or a Profile (returned)."""
    if isinstance(spec, Profile):
        return spec
    path = Path(spec)
    if path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        return read_profile_file(path)
    builtin = PROFILE_DIR / f"{spec}.yaml"
    if builtin.is_file():
        return read_profile_file(builtin)
    raise ProfileError(
        f"unknown profile {str(spec)!r}: not a file and not a built-in id "
        f"(built-in: {', '.join(builtin_ids())})"
    )


def read_profile_file(path: str | Path) -> Profile:
    """Parse and validate one profile YAML file; the file's stem must equal its ``id``."""
    path = Path(path)
    data = read_yaml_file(path, "profile", ProfileError)
    profile = profile_from_dict(data, origin=str(path))
    if profile.id != path.stem:
        raise ProfileError(
            f"{path}: field id: {profile.id!r} must match the file name {path.stem!r}"
        )
    return profile


def profile_from_dict(data: Any, origin: str = "<dict>") -> Profile:
    """Validate a parsed profile; ``origin`` (a file name) starts every error message."""
    if not isinstance(data, dict):
        raise ProfileError(f"{origin}: a profile must be a mapping, got {type(data).__name__}")
    try:
        return Profile.model_validate(data)
    except ValidationError as err:
        raise ProfileError(f"{origin}: {field_problems(err, top='(profile)')}") from None

