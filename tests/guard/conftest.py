"""A small OpenAPI 3.1 document to mutate, and a throwaway checkout (spec, pyproject, changelog, releases/)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from spec_guard._project import Project

ROOT = Path(__file__).resolve().parents[2]

Spec = dict[str, Any]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


BASE: Spec = {
    "openapi": "3.1.0",
    "info": {"title": "Users", "version": "1.0.0", "description": "A small users API."},
    "paths": {
        "/users": {
            "post": {
                "operationId": "createUser",
                "summary": "Invite a user",
                "requestBody": {"required": True, "content": json_body(ref("Invitation"))},
                "responses": {
                    "201": {"description": "Invited.", "content": json_body(ref("User"))},
                    "422": {"description": "Refused.", "content": json_body(ref("Errors"))},
                },
            },
        },
        "/users/{identifier}": {
            "parameters": [
                {"name": "identifier", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
            ],
            "get": {
                "operationId": "getUser",
                "parameters": [{"name": "fields", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "The user.", "content": json_body(ref("User"))},
                    "404": {"description": "No such user."},
                },
            },
            "delete": {
                "operationId": "deleteUser",
                "responses": {"200": {"description": "Removed.", "content": json_body(ref("Deleted"))}},
            },
        },
    },
    "components": {
        "schemas": {
            "Invitation": {
                "type": "object",
                "required": ["first_name", "email_address"],
                "properties": {
                    "first_name": {"type": "string", "maxLength": 255},
                    "last_name": {"type": ["string", "null"]},
                    "email_address": {"type": "string", "format": "email"},
                    "role": ref("Role"),
                    "time_zone": {"type": "string", "enum": ["Etc/UTC", "Europe/London"]},
                    "can_manage_users": {"type": "boolean"},
                },
            },
            "User": {
                "type": "object",
                "required": ["identifier", "first_name", "last_name", "role"],
                "properties": {
                    "identifier": {"type": "string", "format": "uuid"},
                    "first_name": {"type": "string"},
                    "last_name": {"type": ["string", "null"]},
                    "role": ref("Role"),
                    "nickname": {"type": "string"},
                },
            },
            # Used by the request and by the responses: one edit, two directions.
            "Role": {"type": "string", "enum": ["admin", "member"]},
            "Errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            "Deleted": {
                "type": "object",
                "required": ["status"],
                "properties": {"status": {"type": "string", "const": "ok"}},
            },
        }
    },
}


@pytest.fixture
def base() -> Spec:
    """A fresh copy of the small document, safe to mutate."""
    return copy.deepcopy(BASE)


def write_yaml(path: Path, document: Spec) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


CHANGELOG_HEAD = "# Changelog\n\n<!-- changelog follows -->\n\n"
RELEASED_ENTRY = "## [1.0.0] - 2026-11-27\n\n### Added\n\n- The first release.\n"


class Checkout:
    """A throwaway project: the release 1.0.0 frozen, and the working spec, pyproject and changelog to edit."""

    def __init__(self, root: Path) -> None:
        self.project = Project(root)
        self.released = copy.deepcopy(BASE)
        write_yaml(self.project.frozen("1.0.0"), self.released)
        self.write(copy.deepcopy(BASE), version="1.0.0")

    def write(self, spec: Spec, *, version: str, entry: str = "", pyproject_version: str | None = None) -> None:
        """Set the working spec (with *version* as info.version), pyproject's version, and an entry above 1.0.0's."""
        spec = copy.deepcopy(spec)
        spec["info"]["version"] = version
        write_yaml(self.project.spec, spec)
        self.project.pyproject.write_text(
            f'[project]\nname = "x"\nversion = "{pyproject_version or version}"\n', encoding="utf-8"
        )
        self.project.changelog.write_text(f"{CHANGELOG_HEAD}{entry}{RELEASED_ENTRY}", encoding="utf-8")


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    """A checkout whose spec is exactly its release 1.0.0."""
    return Checkout(tmp_path)


Mutation = Callable[[Spec], object]
