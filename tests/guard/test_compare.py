"""spec_guard._compare: every change between two OpenAPI 3.1 documents, weighed for a client, in plain words.

Each case mutates a copy of the small document in conftest.py and lists every line the comparison must print.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from spec_guard._changes import Severity
from spec_guard._compare import compare_documents
from spec_guard._document import SpecError

from .conftest import ROOT, Mutation, Spec, json_body, ref

USERS = "/users/{identifier}"


def schemas(spec: Spec) -> dict[str, Any]:
    return spec["components"]["schemas"]  # type: ignore[no-any-return]


def changes(before: Spec, after: Spec) -> list[str]:
    return [str(change) for change in compare_documents(before, after, before_source="before", after_source="after")]


def mutated(base: Spec, mutate: Mutation) -> Spec:
    after = copy.deepcopy(base)
    mutate(after)
    return after


def rename_path(spec: Spec) -> None:
    spec["paths"]["/people/{identifier}"] = spec["paths"].pop(USERS)


def move_delete_to_post(spec: Spec) -> None:
    item = spec["paths"][USERS]
    item["post"] = item.pop("delete")


def add_required_request_field(spec: Spec) -> None:
    schemas(spec)["Invitation"]["properties"]["team"] = {"type": "string"}
    schemas(spec)["Invitation"]["required"].append("team")


def inline_errors(spec: Spec) -> None:
    spec["paths"]["/users"]["post"]["responses"]["422"]["content"] = json_body(schemas(spec).pop("Errors"))


BREAKING: list[tuple[str, Mutation, list[str]]] = [
    (
        "removed operation",
        lambda s: s["paths"][USERS].pop("delete"),
        ["breaking: DELETE /users/{identifier} (deleteUser): the operation was removed"],
    ),
    (
        "changed path",
        rename_path,
        [
            "breaking: GET /users/{identifier} (getUser): the operation moved to GET /people/{identifier}",
            "breaking: DELETE /users/{identifier} (deleteUser): the operation moved to DELETE /people/{identifier}",
        ],
    ),
    (
        "changed method",
        move_delete_to_post,
        ["breaking: DELETE /users/{identifier} (deleteUser): the operation moved to POST /users/{identifier}"],
    ),
    (
        "renamed operationId",
        lambda s: s["paths"][USERS]["get"].update(operationId="fetchUser"),
        [
            "breaking: GET /users/{identifier} (fetchUser): operationId changed from getUser to fetchUser "
            "(the client's function is renamed)"
        ],
    ),
    (
        "removed response field",
        lambda s: schemas(s)["User"]["properties"].pop("nickname"),
        [
            "breaking: POST /users (createUser): response 201 body field `nickname` was removed",
            "breaking: GET /users/{identifier} (getUser): response 200 body field `nickname` was removed",
        ],
    ),
    (
        "removed request field",
        lambda s: schemas(s)["Invitation"]["properties"].pop("can_manage_users"),
        ["breaking: POST /users (createUser): request body field `can_manage_users` was removed"],
    ),
    (
        "removed request enum value",
        lambda s: schemas(s)["Invitation"]["properties"]["time_zone"].update(enum=["Etc/UTC"]),
        [
            "breaking: POST /users (createUser): request body field `time_zone` no longer accepts "
            'the value "Europe/London"'
        ],
    ),
    (
        "request no longer accepts null",
        lambda s: schemas(s)["Invitation"]["properties"]["last_name"].update(type="string"),
        ["breaking: POST /users (createUser): request body field `last_name` no longer accepts null"],
    ),
    (
        "narrowed request constraint",
        lambda s: schemas(s)["Invitation"]["properties"]["first_name"].update(maxLength=100),
        ["breaking: POST /users (createUser): request body field `first_name` maxLength lowered from 255 to 100"],
    ),
    (
        "new required request field",
        add_required_request_field,
        ["breaking: POST /users (createUser): request body field `team` is new and required"],
    ),
    (
        "optional request field made required",
        lambda s: schemas(s)["Invitation"]["required"].append("last_name"),
        ["breaking: POST /users (createUser): request body field `last_name` is now required"],
    ),
    (
        "response may now be null",
        lambda s: schemas(s)["User"]["properties"]["first_name"].update(type=["string", "null"]),
        [
            "breaking: POST /users (createUser): response 201 body field `first_name` may now be null",
            "breaking: GET /users/{identifier} (getUser): response 200 body field `first_name` may now be null",
        ],
    ),
    (
        "changed response const",
        lambda s: schemas(s)["Deleted"]["properties"]["status"].update(const="done"),
        [
            "compatible: DELETE /users/{identifier} (deleteUser): response 200 body field `status` "
            'is never the value "ok" any more',
            "breaking: DELETE /users/{identifier} (deleteUser): response 200 body field `status` "
            'may now be the value "done"',
        ],
    ),
    (
        "required response field may now be missing",
        lambda s: schemas(s)["User"]["required"].remove("last_name"),
        [
            "breaking: POST /users (createUser): response 201 body field `last_name` may now be missing "
            "(no longer required)",
            "breaking: GET /users/{identifier} (getUser): response 200 body field `last_name` may now be missing "
            "(no longer required)",
        ],
    ),
    (
        "changed response body shape",
        lambda s: schemas(s)["Errors"].update(additionalProperties={"type": "string"}),
        [
            "compatible: POST /users (createUser): response 422 body field `<any key>` is never an array any more",
            "breaking: POST /users (createUser): response 422 body field `<any key>` may now be a string",
        ],
    ),
    (
        "removed status code",
        lambda s: s["paths"][USERS]["get"]["responses"].pop("404"),
        ["breaking: GET /users/{identifier} (getUser): no longer answers 404"],
    ),
    (
        "changed response media type",
        lambda s: s["paths"]["/users"]["post"]["responses"]["201"].update(content={"text/plain": {}}),
        [
            "breaking: POST /users (createUser): response 201 no longer has an application/json body",
            "breaking: POST /users (createUser): response 201 may now be text/plain instead of application/json",
        ],
    ),
    (
        "new required parameter",
        lambda s: s["paths"][USERS]["get"]["parameters"].append({"name": "expand", "in": "query", "required": True}),
        ["breaking: GET /users/{identifier} (getUser): query parameter `expand` is new and required"],
    ),
    (
        "removed parameter",
        lambda s: s["paths"][USERS]["get"].pop("parameters"),
        ["breaking: GET /users/{identifier} (getUser): query parameter `fields` was removed"],
    ),
    (
        "path parameter type changed",
        lambda s: s["paths"][USERS]["parameters"][0].update(schema={"type": "integer"}),
        [
            "breaking: GET /users/{identifier} (getUser): path parameter `identifier` no longer accepts a string",
            "compatible: GET /users/{identifier} (getUser): path parameter `identifier` now also accepts an integer",
            'compatible: GET /users/{identifier} (getUser): path parameter `identifier` lost its format "uuid"',
            "breaking: DELETE /users/{identifier} (deleteUser): path parameter `identifier` no longer accepts a string",
            "compatible: DELETE /users/{identifier} (deleteUser): path parameter `identifier` "
            "now also accepts an integer",
            'compatible: DELETE /users/{identifier} (deleteUser): path parameter `identifier` lost its format "uuid"',
        ],
    ),
    (
        "authentication now required",
        lambda s: s.update(security=[{"basicAuth": []}]),
        [
            "breaking: POST /users (createUser): now requires authentication by basicAuth",
            "breaking: GET /users/{identifier} (getUser): now requires authentication by basicAuth",
            "breaking: DELETE /users/{identifier} (deleteUser): now requires authentication by basicAuth",
        ],
    ),
    (
        "removed schema (its model class goes away)",
        inline_errors,
        ["breaking: the document: the schema `Errors` was removed (the client's model class for it goes away)"],
    ),
]

COMPATIBLE: list[tuple[str, Mutation, list[str]]] = [
    (
        "added operation",
        lambda s: s["paths"][USERS].update(
            patch={"operationId": "updateUser", "responses": {"200": {"description": "ok"}}}
        ),
        ["compatible: PATCH /users/{identifier} (updateUser): the operation is new"],
    ),
    (
        "optional request field",
        lambda s: schemas(s)["Invitation"]["properties"].update(team={"type": "string"}),
        ["compatible: POST /users (createUser): request body field `team` is new (optional)"],
    ),
    (
        "response field",
        lambda s: schemas(s)["User"]["properties"].update(created_at={"type": "string", "format": "date-time"}),
        [
            "compatible: POST /users (createUser): response 201 body field `created_at` is new",
            "compatible: GET /users/{identifier} (getUser): response 200 body field `created_at` is new",
        ],
    ),
    (
        "new status code",
        lambda s: s["paths"]["/users"]["post"]["responses"].update({"409": {"description": "Conflict."}}),
        ["compatible: POST /users (createUser): may now answer 409"],
    ),
    (
        "request enum value added",
        lambda s: schemas(s)["Invitation"]["properties"]["time_zone"]["enum"].append("Asia/Tokyo"),
        [
            "compatible: POST /users (createUser): request body field `time_zone` now also accepts "
            'the value "Asia/Tokyo"'
        ],
    ),
    (
        "request now accepts null",
        lambda s: schemas(s)["Invitation"]["properties"]["first_name"].update(type=["string", "null"]),
        ["compatible: POST /users (createUser): request body field `first_name` now also accepts null"],
    ),
    (
        "request constraint loosened",
        lambda s: schemas(s)["Invitation"]["properties"]["first_name"].update(maxLength=500),
        ["compatible: POST /users (createUser): request body field `first_name` maxLength raised from 255 to 500"],
    ),
    (
        "required request field made optional",
        lambda s: schemas(s)["Invitation"]["required"].remove("first_name"),
        ["compatible: POST /users (createUser): request body field `first_name` is no longer required"],
    ),
    (
        "response never null any more",
        lambda s: schemas(s)["User"]["properties"]["last_name"].update(type="string"),
        [
            "compatible: POST /users (createUser): response 201 body field `last_name` is never null any more",
            "compatible: GET /users/{identifier} (getUser): response 200 body field `last_name` is never null any more",
        ],
    ),
    (
        "optional response field now always present",
        lambda s: schemas(s)["User"]["required"].append("nickname"),
        [
            "compatible: POST /users (createUser): response 201 body field `nickname` is now always present (required)",
            "compatible: GET /users/{identifier} (getUser): response 200 body field `nickname` is now always present "
            "(required)",
        ],
    ),
    (
        "optional parameter",
        lambda s: s["paths"][USERS]["get"]["parameters"].append({"name": "expand", "in": "query"}),
        ["compatible: GET /users/{identifier} (getUser): query parameter `expand` is new and optional"],
    ),
    (
        "a body for a status that had none",
        lambda s: s["paths"][USERS]["get"]["responses"]["404"].update(content=json_body({"type": "object"})),
        ["compatible: GET /users/{identifier} (getUser): response 404 now has an application/json body"],
    ),
    (
        "new schema",
        lambda s: schemas(s).update(Team={"type": "object"}),
        ["compatible: the document: the schema `Team` is new"],
    ),
    (
        "documentation",
        lambda s: (
            s["paths"]["/users"]["post"].update(summary="Invite someone"),
            schemas(s)["User"]["properties"]["nickname"].update(description="What friends call them."),
            s["info"].update(description="Another text."),
        ),
        [
            "documentation: the document: documentation changed (info: description)",
            "documentation: POST /users (createUser): documentation changed (summary)",
            "documentation: POST /users (createUser): response 201 body field `nickname` documentation changed "
            "(description)",
            "documentation: GET /users/{identifier} (getUser): response 200 body field `nickname` documentation "
            "changed (description)",
        ],
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), [case[1:] for case in BREAKING], ids=[case[0] for case in BREAKING])
def test_each_kind_of_breaking_change_is_named(base, mutate, expected):
    """Each breaking kind of change is caught, weighed breaking, and named with its operation and field."""
    assert expected == changes(base, mutated(base, mutate))


@pytest.mark.parametrize(
    ("mutate", "expected"), [case[1:] for case in COMPATIBLE], ids=[case[0] for case in COMPATIBLE]
)
def test_each_kind_of_compatible_change_passes(base, mutate, expected):
    """Each compatible kind of change is listed, and none of its lines is weighed breaking."""
    assert expected == changes(base, mutated(base, mutate))


def test_one_schema_edit_weighs_by_direction(base):
    """A value added to a schema shared by request and response is compatible to send, breaking to receive."""
    after = mutated(base, lambda s: schemas(s)["Role"]["enum"].append("guest"))
    assert [
        'compatible: POST /users (createUser): request body field `role` now also accepts the value "guest"',
        'breaking: POST /users (createUser): response 201 body field `role` may now be the value "guest"',
        'breaking: GET /users/{identifier} (getUser): response 200 body field `role` may now be the value "guest"',
    ] == changes(base, after)


def test_the_same_document_has_no_change(base):
    """Comparing a document with an identical copy finds nothing."""
    assert [] == changes(base, copy.deepcopy(base))


def test_the_full_contract_compared_with_itself_has_no_change():
    """The repository's openapi.yaml (hundreds of enum values, shared $refs) raises no false alarm against itself."""
    contract = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert [] == changes(contract, copy.deepcopy(contract))


def test_recursive_schemas_are_compared_once(base):
    """A schema that contains itself is compared without endless recursion, and a change inside it is found."""
    tree = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": ref("Tree")}},
    }
    for spec in (base,):
        schemas(spec)["Tree"] = tree
        schemas(spec)["User"]["properties"]["tree"] = ref("Tree")
    after = mutated(base, lambda s: schemas(s)["Tree"]["properties"].pop("name"))
    assert [
        "breaking: POST /users (createUser): response 201 body field `tree.name` was removed",
        "breaking: GET /users/{identifier} (getUser): response 200 body field `tree.name` was removed",
    ] == changes(base, after)


def test_a_keyword_it_cannot_weigh_is_breaking(base):
    """A change to a keyword the gate does not understand (oneOf) is breaking and says to check it by hand."""
    schemas(base)["User"]["properties"]["nickname"] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    after = mutated(base, lambda s: schemas(s)["User"]["properties"]["nickname"]["oneOf"].pop())
    expected = "field `nickname` changed `oneOf` in a way this gate cannot classify: check it by hand"
    assert [
        f"breaking: POST /users (createUser): response 201 body {expected}",
        f"breaking: GET /users/{{identifier}} (getUser): response 200 body {expected}",
    ] == changes(base, after)


def test_severity_is_kept_on_each_change(base):
    """The weights travel with the changes: breaking, compatible and documentation can be told apart."""
    after = mutated(base, lambda s: s["paths"][USERS]["get"]["responses"].pop("404"))
    found = compare_documents(base, after, before_source="before", after_source="after")
    assert [(Severity.BREAKING, ("404",))] == [(change.severity, change.subjects) for change in found]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda s: s.update(openapi="3.0.3"),
            "after: the gate compares OpenAPI 3.1 documents, this one says openapi: '3.0.3'",
        ),
        (
            lambda s: schemas(s)["User"]["properties"].update(team={"$ref": "other.yaml#/Team"}),
            "after: only local references (#/...) are supported, found 'other.yaml#/Team'",
        ),
        (
            lambda s: schemas(s)["User"]["properties"].update(team=ref("Team")),
            "after: the reference '#/components/schemas/Team' points at nothing",
        ),
        (lambda s: s.update(paths=["/users"]), "after: `paths` is not a mapping"),
    ],
    ids=["OpenAPI 3.0", "external $ref", "dangling $ref", "paths not a mapping"],
)
def test_a_document_it_cannot_compare_is_refused_by_name(base, mutate, message):
    """A document that is not 3.1, or has a reference it cannot follow, is refused with the reason."""
    with pytest.raises(SpecError) as caught:
        changes(base, mutated(base, mutate))
    assert message == str(caught.value)
