"""openapi.yaml: a valid OpenAPI 3.1 document whose every example is valid against its own schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
URI = "urn:deployhq-users:openapi"


def escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def examples(node: Any, pointer: str = "") -> Iterator[tuple[str, str, Any]]:
    """(pointer to the example, pointer to its schema, value) for each example of a media type or parameter."""
    if isinstance(node, dict):
        if "schema" in node:
            for name, example in (node.get("examples") or {}).items():
                yield f"{pointer}/examples/{escape(name)}", f"{pointer}/schema", example["value"]
            if "example" in node:
                yield f"{pointer}/example", f"{pointer}/schema", node["example"]
        for key, value in node.items():
            if key not in {"examples", "example"}:
                yield from examples(value, f"{pointer}/{escape(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from examples(value, f"{pointer}/{index}")


def validator_for(schema_pointer: str, document: dict[str, Any] = SPEC) -> Draft202012Validator:
    """A 2020-12 validator with format checks for the schema at *schema_pointer*, its $refs resolved in *document*."""
    registry: Registry[Any] = Registry().with_resource(URI, DRAFT202012.create_resource(document))
    return Draft202012Validator(
        {"$ref": f"{URI}#{schema_pointer}"}, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


EXAMPLES = list(examples(SPEC))


def test_the_spec_is_valid_openapi():
    """openapi-spec-validator accepts openapi.yaml as OpenAPI 3.1."""
    validate(SPEC)  # raises OpenAPIValidationError, naming the problem


def test_every_example_is_found():
    """The example walk sees the request, response and shared-response examples (so the next test is not vacuous)."""
    found = {pointer for pointer, _, _ in EXAMPLES}
    expected_some = {
        "/paths/~1users/post/requestBody/content/application~1json/examples/seed",
        "/paths/~1users/post/requestBody/content/application~1json/examples/minimal",
        "/paths/~1users/post/responses/201/content/application~1json/examples/seed",
        "/paths/~1users/post/responses/422/content/application~1json/examples/duplicate",
        "/components/responses/TooManyRequests/content/application~1json/example",
    }
    assert (expected_some, True) == (expected_some & found, len(found) >= 13)


@pytest.mark.parametrize(("pointer", "schema_pointer", "value"), EXAMPLES, ids=[p for p, _, _ in EXAMPLES])
def test_example_matches_its_schema(pointer, schema_pointer, value):
    """Each example validates against its schema (JSON Schema 2020-12, formats checked, $refs resolved)."""
    assert [error.message for error in validator_for(schema_pointer).iter_errors(value)] == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"identifier": "not-a-uuid"}, "'not-a-uuid' is not a 'uuid'"),
        ({"email_address": "jane"}, "'jane' is not a 'email'"),
        ({"activated": "no"}, "'no' is not of type 'boolean'"),
    ],
)
def test_a_wrong_example_is_caught(change, expected):
    """The check itself fails on a bad value: a malformed uuid or email, or a wrong type, in the seed response."""
    pointer = "/paths/~1users/post/responses/201/content/application~1json"
    seed = dict(SPEC["paths"]["/users"]["post"]["responses"]["201"]["content"]["application/json"]["examples"]["seed"])
    value = {**seed["value"], **change}
    assert [expected] == [error.message for error in validator_for(f"{pointer}/schema").iter_errors(value)]
