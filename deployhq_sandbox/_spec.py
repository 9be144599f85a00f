"""The contract the server implements: openapi.yaml, read from the wheel or from a checkout.

The spec stays the source: the server serves it verbatim and takes its zone list and length limits from it.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Spec", "find_spec", "load_spec"]

_PACKAGE_DIR = Path(__file__).resolve().parent
# In a wheel pyproject force-includes the spec next to this module; in a checkout it is at the repo root.
_CANDIDATES = (_PACKAGE_DIR / "openapi.yaml", _PACKAGE_DIR.parent / "openapi.yaml")


@dataclass(frozen=True, slots=True)
class Spec:
    """The spec's bytes and the facts the server takes from it."""

    path: Path
    text: bytes
    time_zones: frozenset[str]
    max_lengths: dict[str, int]
    required: tuple[str, ...]

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> Spec:
        """Read an OpenAPI document and pick out the invitation's zone list, length limits and required fields."""
        path = Path(path)
        text = path.read_bytes()
        loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        document = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader, the C one when available)
        schemas = document["components"]["schemas"]
        properties = schemas["UserInvitation"]["properties"]
        max_lengths = {name: int(prop["maxLength"]) for name, prop in properties.items() if "maxLength" in prop}
        return cls(
            path=path,
            text=text,
            time_zones=frozenset(schemas["TimeZone"]["enum"]),
            max_lengths=max_lengths,
            required=tuple(schemas["UserInvitation"]["required"]),
        )


def find_spec() -> Path:
    """Where openapi.yaml is: inside the installed package, else at the root of the checkout."""
    for candidate in _CANDIDATES:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"openapi.yaml is neither in the package ({_CANDIDATES[0]}) nor at the repository root ({_CANDIDATES[1]}); "
        "reinstall the package or run from a checkout"
    )


@functools.cache
def load_spec() -> Spec:
    """The spec this package implements, read once per process."""
    return Spec.from_path(find_spec())
