"""The promises of openapi.yaml that no built-in schemathesis check knows, as plain functions.

Each returns a list of broken promises in plain words (empty when kept). `checks.py` registers them
with schemathesis; the client round-trip tests call them directly.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
FLAGS = (
    "account_administrator",
    "can_manage_users",
    "can_manage_billing",
    "can_create_projects",
    "can_manage_agents",
    "all_projects_allowed",
)
ECHOED = ("first_name", "last_name", "email_address", "time_zone")
DEFAULTS: Mapping[str, Any] = {"time_zone": "Etc/UTC", "last_name": None}


def _user_schema_fields() -> frozenset[str]:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return frozenset(spec["components"]["schemas"]["User"]["properties"])


USER_FIELDS = _user_schema_fields()


def created_user_promises(sent: Mapping[str, Any], user: Mapping[str, Any]) -> list[str]:
    """What a 201 to POST /users must show, given the `user` object that was sent (by an administrator)."""
    broken = [f"the created user has no {name} field" for name in sorted(USER_FIELDS - set(user))]
    for flag in FLAGS:
        if flag not in user:
            continue  # a missing field is the schema checks' business
        if flag not in sent:
            if user[flag] is not False:
                broken.append(f"permission flag {flag} was omitted but came back {_show(user[flag])}")
        elif isinstance(sent[flag], bool) and user[flag] != sent[flag]:
            broken.append(f"permission flag {flag} was sent {_show(sent[flag])} but came back {_show(user[flag])}")
    for name in ECHOED:
        if name not in user:
            continue
        if name in sent:
            if user[name] != sent[name]:
                broken.append(f"{name} was sent as {sent[name]!r} but came back {user[name]!r}")
        elif name in DEFAULTS and user[name] != DEFAULTS[name]:
            expected = _show(DEFAULTS[name])
            broken.append(f"{name} was omitted, so it must come back {expected}, but came back {user[name]!r}")
    if "activated" in user and user["activated"] is not False:
        broken.append(f"a new invitation must not be activated, but activated came back {_show(user['activated'])}")
    identifier = user.get("identifier")
    if "identifier" in user and not _is_uuid(identifier):
        broken.append(f"identifier must be a UUID, but came back {identifier!r}")
    if "id" in user and (not isinstance(user["id"], int) or isinstance(user["id"], bool)):
        broken.append(f"id must be an integer, but came back {user['id']!r}")
    return broken


def refusal_promises(sent: Mapping[str, Any], status: int, body: Any) -> list[str]:
    """A POST /users whose `user` lacks a required value must be refused with a 422 naming that field."""
    missing = [name for name in ("first_name", "email_address") if _blank(sent.get(name))]
    if not missing or status in (401, 403, 429):
        return []
    if 200 <= status < 300:
        return [f"an invitation with {' and '.join(missing)} missing or blank was accepted with {status}"]
    if status == 422:
        named = body if isinstance(body, Mapping) else {}
        return [
            f"422 for a missing or blank {name} does not name {name} (body: {body!r:.200})"
            for name in missing
            if name not in named
        ]
    return []


def unknown_fields(user: Mapping[str, Any]) -> set[str]:
    """Response fields the spec does not know: additive drift, reported but allowed."""
    return set(user) - USER_FIELDS


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _show(value: Any) -> str:
    """JSON spelling for true/false/null, repr for the rest."""
    for literal, spelling in ((True, "true"), (False, "false"), (None, "null")):
        if value is literal:
            return spelling
    return repr(value)
