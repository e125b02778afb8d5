"""Finding and reading profiles: built-in ids, YAML files (safe loading only), Profile objects.

All reading of profile files happens here, so every error names the file, the field path and the
problem in one message.

A profile file may start from another with ``extends: ID-or-path`` (a path relative to the file):
the chip's sibling, or a user's variant of a shipped chip, then states only what differs.
Mappings merge key by key, any other value replaces the base's, and ``null`` removes a key (a
memory level the sibling lacks). Whatever is inherited keeps its ``source``; the extending file
says in its notes why those sources hold for it.
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
    profile = profile_from_dict(_read_extended(path, ()), origin=str(path))
    if profile.id != path.stem:
        raise ProfileError(
            f"{path}: field id: {profile.id!r} must match the file name {path.stem!r}"
        )
    return profile


def _read_extended(path: Path, seen: tuple[Path, ...]) -> Any:
    """The file's mapping with its ``extends`` chain merged in (base first)."""
    data = read_yaml_file(path, "profile", ProfileError)
    if not isinstance(data, dict) or "extends" not in data:
        return data
    base_name = data.pop("extends")
    if not isinstance(base_name, str) or not base_name:
        raise ProfileError(f"{path}: field extends: give a profile id or file, got {base_name!r}")
    base_path = _base_file(path, base_name)
    chain = (*seen, path.resolve())
    if base_path.resolve() in chain:
        names = " -> ".join(p.name for p in (*chain, base_path))
        raise ProfileError(f"{path}: field extends: profiles extend each other in a loop ({names})")
    base = _read_extended(base_path, chain)
    if not isinstance(base, dict):
        raise ProfileError(f"{base_path}: a profile must be a mapping, got {type(base).__name__}")
    return _merged(base, data)


def _base_file(path: Path, name: str) -> Path:
    relative = path.parent / name
    if relative.is_file():
        return relative
    builtin = PROFILE_DIR / f"{name}.yaml"
    if builtin.is_file():
        return builtin
    raise ProfileError(f"{path}: field extends: {name!r} is neither a file beside it nor a "
                       f"built-in id (built-in: {', '.join(builtin_ids())})")


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` laid over it: mappings merge, ``None`` deletes, others replace."""
    out = dict(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def profile_from_dict(data: Any, origin: str = "<dict>") -> Profile:
    """Validate a parsed profile; ``origin`` (a file name) starts every error message."""
    if not isinstance(data, dict):
        raise ProfileError(f"{origin}: a profile must be a mapping, got {type(data).__name__}")
    try:
        return Profile.model_validate(data)
    except ValidationError as err:
        raise ProfileError(f"{origin}: {field_problems(err, top='(profile)')}") from None

