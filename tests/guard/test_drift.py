"""spec_guard drift: facts read from two documents, every difference between them, and the reasons we keep some."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from spec_guard import drift
from spec_guard._document import SpecError
from spec_guard._drift import Difference, Explanation, differences, judge, read_explanations
from spec_guard._facts import users_operations
from spec_guard._project import Project
from spec_guard._snapshot import Snapshot, Source, dump, read

from .conftest import json_body, write_yaml

SOURCE = Source("vendor/cli", "testdata/openapi.json", "0123456789abcdef0123456789abcdef01234567", "2026-07-01")
PROSE = "Text of the vendor that must never be copied."


def user(*required: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": {"id": {"type": "integer"}, "first_name": {"type": "string"}},
        "description": PROSE,
        "example": {"id": 1, "first_name": PROSE},
    }


def document(id_name: str = "id") -> dict[str, Any]:
    """A vendor-like document: list, invite and read users, with prose and examples everywhere."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Vendor", "version": "1", "description": PROSE},
        "paths": {
            "/users": {
                "get": {
                    "operationId": "listUsers",
                    "responses": {
                        "200": {"description": PROSE, "content": json_body({"type": "array", "items": user()})}
                    },
                },
                "post": {
                    "operationId": "createUser",
                    "description": PROSE,
                    "requestBody": {
                        "required": True,
                        "content": json_body(
                            {
                                "type": "object",
                                "required": ["user"],
                                "properties": {
                                    "user": {
                                        "type": "object",
                                        "required": ["first_name"],
                                        "properties": {"first_name": {"type": "string", "description": PROSE}},
                                    }
                                },
                            }
                        ),
                    },
                    "responses": {
                        "201": {"description": PROSE, "content": json_body(user())},
                        "422": {
                            "description": PROSE,
                            "content": json_body(
                                {
                                    "type": "object",
                                    "required": ["field_with_error"],
                                    "properties": {"field_with_error": {"type": "string"}},
                                }
                            ),
                        },
                    },
                },
            },
            f"/users/{{{id_name}}}": {
                "get": {
                    "operationId": "getUser",
                    "parameters": [
                        {
                            "name": id_name,
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": PROSE,
                        }
                    ],
                    "responses": {"200": {"description": PROSE, "content": json_body(user())}},
                }
            },
            "/projects": {"get": {"operationId": "listProjects", "responses": {"200": {"description": PROSE}}}},
        },
    }


def diff(vendor: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    return [str(d) for d in differences(users_operations(vendor, "vendor"), users_operations(ours, "ours"))]


def test_the_same_document_has_no_difference():
    """A document compared with itself differs in nothing, and only its /users* operations are read."""
    facts = users_operations(document(), "vendor")
    assert ([], ["GET /users", "POST /users", "GET /users/{id}"]) == (
        diff(document(), document()),
        [f"{operation.method} {operation.path}" for operation in facts],
    )


def test_facts_keep_names_types_and_required_ness_only():
    """The facts of a body are its fields with dotted names, JSON types and required-ness; never its prose."""
    facts = users_operations(document(), "vendor")
    text = dump(Snapshot(SOURCE, facts))
    assert [
        ("(body)", "array", True),
        ("[]", "object", True),
        ("[].id", "integer", False),
        ("[].first_name", "string", False),
    ] == [(field.name, field.type, field.required) for field in facts[0].responses["200"].fields]
    assert PROSE not in text
    assert "description" not in text.split("do not edit by hand.")[1]


def test_the_facts_file_reads_back_as_written(tmp_path: Path):
    """Writing the facts and reading them again gives the same source and operations."""
    snapshot = Snapshot(SOURCE, users_operations(document(), "vendor"))
    path = tmp_path / "facts.yaml"
    path.write_text(dump(snapshot), encoding="utf-8")
    assert snapshot == read(path)


def mutate(change) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    ours = document()
    change(ours)
    return ours


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["paths"]["/users"].pop("get"),
            ["GET /users | operation | vendor has it, ours does not"],
        ),
        (
            lambda d: d["paths"]["/users/{id}"].update(
                delete={"operationId": "deleteUser", "responses": {"200": {"description": "x"}}}
            ),
            ["DELETE /users/{id} | operation | ours has it, vendor does not"],
        ),
        (
            lambda d: d["paths"]["/users"]["post"].update(operationId="inviteUser"),
            ["POST /users | operationId | operationId: vendor createUser, ours inviteUser"],
        ),
        (
            lambda d: d["paths"].update({"/users/{identifier}": mutate_path_name(d["paths"].pop("/users/{id}"))}),
            ["GET /users/{identifier} | path parameter 1 | name: vendor id, ours identifier"],
        ),
        (
            lambda d: d["paths"]["/users/{id}"]["get"]["parameters"].append(
                {"name": "fields", "in": "query", "schema": {"type": "string"}}
            ),
            ["GET /users/{id} | query parameter `fields` | ours has it, vendor does not"],
        ),
        (
            lambda d: d["paths"]["/users"]["post"]["requestBody"].update(required=False),
            ["POST /users | request body | required: vendor yes, ours no"],
        ),
        (
            lambda d: d["paths"]["/users"]["post"]["requestBody"]["content"]["application/json"]["schema"][
                "properties"
            ]["user"]["properties"].update(last_name={"type": ["string", "null"]}),
            ["POST /users | request field `user.last_name` | ours has it, vendor does not"],
        ),
        (
            lambda d: d["paths"]["/users"]["post"]["requestBody"]["content"]["application/json"]["schema"][
                "properties"
            ]["user"].update(required=[]),
            ["POST /users | request field `user.first_name` | required: vendor yes, ours no"],
        ),
        (
            lambda d: d["paths"]["/users/{id}"]["get"]["responses"]["200"]["content"]["application/json"][
                "schema"
            ].update(required=["id"]),
            ["GET /users/{id} | response 200 field `id` | required: vendor no, ours yes"],
        ),
        (
            lambda d: d["paths"]["/users/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
                "properties"
            ]["first_name"].update(type=["string", "null"]),
            ["GET /users/{id} | response 200 field `first_name` | type: vendor string, ours string|null"],
        ),
        (
            lambda d: d["paths"]["/users/{id}"]["get"]["responses"].update({"404": {"description": "x"}}),
            ["GET /users/{id} | status 404 | ours has it, vendor does not"],
        ),
        (
            lambda d: d["paths"]["/users"]["post"]["responses"].pop("422"),
            ["POST /users | status 422 | vendor has it, ours does not"],
        ),
        (
            lambda d: d["paths"]["/users"]["post"]["responses"]["422"].update(
                content=json_body(
                    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
                )
            ),
            [
                "POST /users | response 422 field `field_with_error` | vendor has it, ours does not",
                "POST /users | response 422 field `<any key>` | ours has it, vendor does not",
                "POST /users | response 422 field `<any key>[]` | ours has it, vendor does not",
            ],
        ),
        (
            lambda d: d["paths"]["/users"]["post"]["responses"]["201"].update(content={"text/plain": {}}),
            [
                "POST /users | response 201 body | media types: vendor application/json, ours text/plain",
                "POST /users | response 201 body | vendor has it, ours does not",
                "POST /users | response 201 field `id` | vendor has it, ours does not",
                "POST /users | response 201 field `first_name` | vendor has it, ours does not",
            ],
        ),
    ],
    ids=[
        "operation missing",
        "operation added",
        "operationId",
        "path parameter name",
        "query parameter",
        "request body required-ness",
        "request field added",
        "request field required-ness",
        "response field required-ness",
        "response field type",
        "status added",
        "status missing",
        "error body shape",
        "media type",
    ],
)
def test_each_kind_of_difference_is_listed(change, expected):
    """Operations, operationIds, parameters, request and response fields, types, required-ness and statuses."""
    assert expected == diff(document(), mutate(change))


def mutate_path_name(item: dict[str, Any]) -> dict[str, Any]:
    item = copy.deepcopy(item)
    item["get"]["parameters"][0]["name"] = "identifier"
    return item


FOUND = [
    Difference("GET /users", "response 200 field `[].id`", "required: vendor no, ours yes"),
    Difference("POST /users", "status 429", "ours has it, vendor does not"),
]


def test_explained_unexplained_and_stale_are_told_apart():
    """A pattern explains the lines it matches (`[]` literal, `*` any text); the rest and unused patterns stand out."""
    explanations = [
        Explanation(("* | response * field `[].id` | required: vendor no, ours yes",), "ours requires it"),
        Explanation(("* | status 500 | *",), "nothing matches this"),
    ]
    verdict = judge(FOUND, explanations)
    assert ([(FOUND[0], explanations[0])], [FOUND[1]], ["* | status 500 | *"]) == (
        verdict.explained,
        verdict.unexplained,
        verdict.stale,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("explained: {}\n", "intentional.yaml needs an `explained:` list of {match, reason} entries"),
        ("explained:\n  - reason: why\n", "intentional.yaml: entry 1 needs `match:`, a pattern or a list of patterns"),
        ("explained:\n  - match: 'x'\n", "intentional.yaml: entry 1 (x) needs a `reason:`"),
        (
            "explained:\n  - match: []\n    reason: why\n",
            "intentional.yaml: entry 1 needs `match:`, a pattern or a list of patterns",
        ),
    ],
    ids=["not a list", "no match", "no reason", "empty match list"],
)
def test_a_malformed_explanations_file_is_named(tmp_path: Path, text, message):
    """Each malformed explanation is refused with its number and what it lacks."""
    path = tmp_path / "intentional.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        read_explanations(path)
    assert message == str(caught.value)


class Repo:
    """A checkout with openapi.yaml (ours) and a drift/ folder, for check and refresh."""

    def __init__(self, root: Path) -> None:
        self.project = Project(root)
        write_yaml(self.project.spec, document(id_name="identifier"))
        self.vendor = write_yaml(root / "vendor.yaml", document())

    def explain(self, *entries: tuple[str, str]) -> None:
        body = "".join(f"  - match: {pattern!r}\n    reason: {reason}\n" for pattern, reason in entries)
        self.project.intentional.parent.mkdir(exist_ok=True)
        self.project.intentional.write_text(f"explained:\n{body}", encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def test_refresh_then_check(repo: Repo):
    """The first refresh calls every difference new; check fails until it is explained, then passes."""
    lines = drift.refresh(repo.project, repo.vendor, SOURCE)
    failing = drift.check(repo.project)
    repo.explain(("* | path parameter 1 | name: vendor id, ours identifier", "we name it identifier"))
    passing = drift.check(repo.project)
    assert [
        "Wrote drift/vendor-users-facts.yaml: 3 operation(s) from vendor/cli testdata/openapi.json at 0123456 "
        "(2026-07-01).",
        "No previous snapshot: all 1 difference(s) are new.",
        "  new: GET /users/{identifier} | path parameter 1 | name: vendor id, ours identifier",
        "1 difference(s) are not explained: `nox -s vendor_drift` fails until each is fixed or explained in "
        "drift/intentional-differences.yaml.",
    ] == lines
    assert (False, "  UNEXPLAINED: GET /users/{identifier} | path parameter 1 | name: vendor id, ours identifier") == (
        failing[0],
        failing[1][1],
    )
    assert (True, "1 difference(s): 1 explained, 0 unexplained.") == (passing[0], passing[1][-1])


def test_refresh_reports_what_is_new_and_what_is_gone(repo: Repo):
    """After the vendor renames its parameter and adds a field, refresh names the new difference and the gone one."""
    drift.refresh(repo.project, repo.vendor, SOURCE)
    changed = document(id_name="identifier")
    changed["paths"]["/users"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"][
        "properties"
    ]["nickname"] = {"type": "string"}
    write_yaml(repo.vendor, changed)
    later = Source(SOURCE.repository, SOURCE.path, "fedcba9876543210fedcba9876543210fedcba98", "2026-08-01")
    lines = drift.refresh(repo.project, repo.vendor, later)
    assert [
        "Since the last snapshot (vendor/cli testdata/openapi.json at 0123456 (2026-07-01)):",
        "  new: GET /users | response 200 field `[].nickname` | vendor has it, ours does not",
        "  gone: GET /users/{identifier} | path parameter 1 | name: vendor id, ours identifier",
    ] == lines[1:4]
    assert "fedcba9876543210fedcba9876543210fedcba98" == read(repo.project.vendor_facts).source.commit


def test_a_stale_explanation_fails_the_check(repo: Repo):
    """An explanation that matches nothing fails the check, so the file cannot keep reasons for fixed differences."""
    drift.refresh(repo.project, repo.vendor, SOURCE)
    repo.explain(
        ("* | path parameter 1 | name: vendor id, ours identifier", "we name it identifier"),
        ("* | status 429 | ours has it, vendor does not", "we document rate limits"),
    )
    passed, lines = drift.check(repo.project)
    assert (
        False,
        "  STALE: the explanation '* | status 429 | ours has it, vendor does not' matches no difference any more: "
        "remove it",
    ) == (
        passed,
        lines[-3],
    )


def no_users(document_: dict[str, Any]) -> None:
    document_["paths"] = {"/projects": document_["paths"]["/projects"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict.clear, "vendor.yaml is not an OpenAPI document: it has no `openapi` version; refresh reads the "
         "vendor's OpenAPI document (internal/commands/testdata/openapi.json of its CLI)"),
        (lambda d: d.update(openapi="2.0"), "vendor.yaml is not an OpenAPI 3 document (`openapi` is '2.0')"),
        (no_users, "vendor.yaml has no /users operation: is it the vendor's document of the Users API? "
         "The facts file was left as it was"),
    ],
    ids=["empty", "swagger 2", "no users"],
)  # fmt: skip
def test_refresh_refuses_a_document_that_would_wipe_the_facts(repo: Repo, change, message):
    """A document without `openapi`, of another version, or without /users operations is refused; nothing changes."""
    drift.refresh(repo.project, repo.vendor, SOURCE)
    before = repo.project.vendor_facts.read_text(encoding="utf-8")
    vendor = document()
    change(vendor)
    write_yaml(repo.vendor, vendor)
    with pytest.raises(SpecError) as caught:
        drift.refresh(repo.project, repo.vendor, SOURCE)
    assert (message, before) == (str(caught.value), repo.project.vendor_facts.read_text(encoding="utf-8"))


@pytest.mark.parametrize("commit", ["", "   ", "main", "abc12", "0123456789abcdef0123456789abcdef012345678"])
def test_refresh_refuses_a_commit_that_is_not_a_hash(repo: Repo, commit: str):
    """An empty, blank, symbolic, too short or too long --commit is refused before anything is written."""
    with pytest.raises(SpecError) as caught:
        drift.refresh(repo.project, repo.vendor, Source(SOURCE.repository, SOURCE.path, commit, SOURCE.date))
    assert (
        f"--commit {commit!r} is not a commit hash (7 to 40 hexadecimal digits) of the vendor's repository",
        False,
    ) == (str(caught.value), repo.project.vendor_facts.exists())


def test_check_without_a_facts_file_names_it(repo: Repo):
    """Checking before any refresh is an error naming the missing facts file."""
    with pytest.raises(SpecError) as caught:
        drift.check(repo.project)
    assert str(caught.value).startswith(f"cannot read {repo.project.vendor_facts}")


def test_a_facts_file_not_written_by_refresh_is_refused(repo: Repo):
    """A facts file with a missing key is refused, naming the file and the key."""
    repo.project.vendor_facts.parent.mkdir()
    repo.project.vendor_facts.write_text("source: {repository: x, path: y, commit: z, date: w}\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        drift.check(repo.project)
    assert (
        "vendor-users-facts.yaml is not a facts file written by `vendor_refresh`: missing or wrong 'operations'"
        == str(caught.value)
    )


def test_the_repository_snapshot_records_its_source():
    """The checked-in facts say where they come from: the vendor's CLI repository, the file, commit and date."""
    snapshot = read(Project().vendor_facts)
    assert (
        Source(
            "deployhq/deployhq-cli",
            "internal/commands/testdata/openapi.json",
            "00822d6866979d4438ac32a304b749f4c494b659",
            "2026-07-01",
        )
        == snapshot.source
    )
