"""The contract the suite judges by, and the facts it takes from it (fields, flags, zones, lengths, "blank").

The suite shares no code with the servers it judges: whatever it knows of a user's fields it reads here,
from openapi.yaml itself, so a change to the spec changes the judge with it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

__all__ = [
    "ADMIN_ONLY_FLAGS",
    "FLAGS",
    "INVITATION_FIELDS",
    "MAX_LENGTHS",
    "SPEC",
    "TIME_ZONES",
    "USER_FIELDS",
    "document",
    "is_blank",
    "schema_errors",
]

_HERE = Path(__file__).resolve().parent
# Installed (`pip install "deployhq-users[contract]"`) the spec ships inside this package; in a checkout it is the
# repository's openapi.yaml, one folder up. The wheel's copy is built from that same file (tests/test_packaging.py).
SPEC = next((p for p in (_HERE / "openapi.yaml", _HERE.parent / "openapi.yaml") if p.is_file()), _HERE / "openapi.yaml")


@functools.cache
def document() -> Mapping[str, Any]:
    """openapi.yaml, parsed once per process."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    parsed: Mapping[str, Any] = yaml.load(SPEC.read_bytes(), Loader=loader)  # a safe loader, the C one when available
    return parsed


def _schemas() -> Mapping[str, Any]:
    schemas: Mapping[str, Any] = document()["components"]["schemas"]
    return schemas


_INVITATION = _schemas()["UserInvitation"]["properties"]
# The invitation's fields in the spec's order; the permission flags are its booleans.
INVITATION_FIELDS: tuple[str, ...] = tuple(_INVITATION)
FLAGS: tuple[str, ...] = tuple(name for name, prop in _INVITATION.items() if prop.get("type") == "boolean")
# "account_administrator and the can_* capabilities" (createUser's description): all_projects_allowed is
# project access, which a caller who may manage users may grant.
ADMIN_ONLY_FLAGS: tuple[str, ...] = tuple(f for f in FLAGS if f == "account_administrator" or f.startswith("can_"))
USER_FIELDS: frozenset[str] = frozenset(_schemas()["User"]["properties"])
TIME_ZONES: tuple[str, ...] = tuple(_schemas()["TimeZone"]["enum"])
MAX_LENGTHS: Mapping[str, int] = {n: int(p["maxLength"]) for n, p in _INVITATION.items() if "maxLength" in p}

# "Blank" is what the spec's `pattern` for first_name says, read by the engine schemathesis validates with:
# JSON Schema patterns are ECMA-262 regexes, whose \s is not Python's (str.strip() calls "\x1c" blank).
_NOT_BLANK = jsonschema_rs.validator_for({"type": "string", "pattern": _INVITATION["first_name"]["pattern"]})


def is_blank(value: object) -> bool:
    """Whether *value* is missing or a string of white space only, as the spec's `\\S` pattern decides it."""
    return value is None or (isinstance(value, str) and not _NOT_BLANK.is_valid(value))


@functools.cache
def _validator(schema_name: str) -> Any:
    resolved = {"$ref": f"#/components/schemas/{schema_name}", "components": document()["components"]}
    return jsonschema_rs.validator_for(resolved, validate_formats=True)


def schema_errors(schema_name: str, value: object) -> list[str]:
    """What makes *value* break the spec's schema *schema_name* (formats checked), in the validator's words."""
    return [error.message for error in _validator(schema_name).iter_errors(value)]
