"""One list of a user's fields: the `User` dataclass, equal to the spec's, and everything derived from it."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Any

from deployhq_sandbox import Invitation, Store, User
from deployhq_sandbox._models import ADMIN_ONLY_FLAGS, COLUMNS, FLAGS, WRITABLE


def test_user_fields_are_the_spec_user_properties(spec: dict[str, Any]) -> None:
    """The dataclass has the spec's `User` properties, in the spec's order, and all of them are required there."""
    user = spec["components"]["schemas"]["User"]
    names = [field.name for field in dataclasses.fields(User)]
    assert (list(user["properties"]), user["required"]) == (names, names)


def test_flags_are_the_spec_boolean_invitation_properties(spec: dict[str, Any]) -> None:
    """The permission flags are the invitation's boolean properties, and they are the update's too."""
    schemas = spec["components"]["schemas"]
    booleans = [
        [name for name, prop in schemas[schema]["properties"].items() if prop.get("type") == "boolean"]
        for schema in ("UserInvitation", "UserChanges")
    ]
    assert [list(FLAGS), list(FLAGS)] == booleans


def test_writable_fields_are_the_invitation_and_update_properties(spec: dict[str, Any]) -> None:
    """What a request may set is exactly what the invitation and the update schemas list."""
    schemas = spec["components"]["schemas"]
    assert [list(WRITABLE), list(WRITABLE)] == [
        list(schemas[name]["properties"]) for name in ("UserInvitation", "UserChanges")
    ]


def test_admin_only_flags_are_those_the_spec_reserves(spec: dict[str, Any]) -> None:
    """The admin-only flags are the update's flags the spec says only an administrator may change."""
    properties = spec["components"]["schemas"]["UserChanges"]["properties"]
    reserved = [
        name for name, prop in properties.items() if "Only an account administrator" in prop.get("description", "")
    ]
    assert reserved == list(ADMIN_ONLY_FLAGS)


def test_invitation_is_the_writable_fields_plus_the_address_key() -> None:
    """A validated invitation holds every writable field and the key duplicates are decided on."""
    assert {*WRITABLE, "email_key"} == {field.name for field in dataclasses.fields(Invitation)}


def test_schema_has_a_column_per_field(database: Path) -> None:
    """schema.sql's table has one column per field of `User`, plus the address key."""
    Store(database).close()
    with sqlite3.connect(database) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(users)")]
    connection.close()
    assert sorted([*COLUMNS, "email_key"]) == sorted(columns)
