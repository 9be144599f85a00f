"""spec_guard's check of DeployHQ's Users API pages: their example answers, refusals and request fields."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from spec_guard._document import SpecError, load
from spec_guard._pages import differences, read_pages
from spec_guard._project import Project

from .conftest import ROOT

FACTS: dict[str, Any] = yaml.safe_load((ROOT / "drift" / "vendor-docs-facts.yaml").read_text(encoding="utf-8"))
SPEC = load(ROOT / "openapi.yaml")


def found(facts: dict[str, Any], tmp_path: Path) -> list[str]:
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(facts), encoding="utf-8")
    return [str(difference) for difference in differences(read_pages(path), SPEC, "openapi.yaml")]


def page(facts: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in facts["pages"] if p["page"] == name)


def test_every_example_answer_of_the_pages_is_valid_against_openapi_yaml() -> None:
    """Each page's example answers (list, view, invite, update, remove, resend) validate against our schemas."""
    pages = read_pages(Project().vendor_docs)
    invalid = [str(d) for d in differences(pages, SPEC, "openapi.yaml") if "not valid" in d.detail]

    assert [] == invalid
    assert {"users-api", "list-users-api", "view-user-api", "invite-user-api", "update-user-api", "remove-user-api",
            "resend-invitation-api"} == {p.name for p in pages}  # fmt: skip


def test_every_refusal_the_pages_document_is_in_openapi_yaml_in_their_words() -> None:
    """The remove page's 403 and the resend page's 422 are examples of our spec, word for word."""
    pages = read_pages(Project().vendor_docs)
    refusals = [str(d) for d in differences(pages, SPEC, "openapi.yaml") if "answer 4" in d.subject]

    assert [] == refusals


def test_an_example_our_schema_refuses_is_a_difference(tmp_path: Path) -> None:
    """A page answer whose last_name is a number is reported, naming the field and the page."""
    facts = copy.deepcopy(FACTS)
    page(facts, "view-user-api")["answers"][0]["body"]["last_name"] = 5

    lines = found(facts, tmp_path)

    assert [
        "GET /users/{identifier} | docs view-user-api (2026-04-16) answer 200 | "
        "not valid against ours: .last_name: 5 is not of type 'string', 'null'"
    ] == [line for line in lines if "not valid" in line]


def test_a_documented_refusal_our_spec_does_not_show_is_a_difference(tmp_path: Path) -> None:
    """An error body in other words than our examples is reported with the page's body."""
    facts = copy.deepcopy(FACTS)
    page(facts, "resend-invitation-api")["answers"][1]["body"] = {"error": "Already accepted"}

    lines = found(facts, tmp_path)

    assert any(
        line.endswith('answer 422 | ours does not show the page\'s body {"error": "Already accepted"} as an example')
        for line in lines
    ), lines


def test_a_documented_status_or_field_we_lack_is_a_difference(tmp_path: Path) -> None:
    """A status our operation does not list, and a request field our body does not have, are reported."""
    facts = copy.deepcopy(FACTS)
    page(facts, "view-user-api")["answers"].append({"status": "409", "body": {"error": "x"}})
    page(facts, "invite-user-api")["request"]["optional"].append("nickname")

    lines = found(facts, tmp_path)

    assert "GET /users/{identifier} | docs view-user-api (2026-04-16) answer 409 | ours has no such status" in lines
    assert (
        "POST /users | docs invite-user-api (2026-04-16) request field `user.nickname` | the page has it, ours does not"
        in lines
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pages: 3\n", "needs a `pages:` list"),
        ("pages: [{page: x, updated: '2026-04-16', operation: GET}]\n", "is not `METHOD /path`"),
        ("pages: [{page: x, operation: GET /users}]\n", "needs `page`, `updated`"),
        ("pages: [{page: x, updated: '1', operation: GET /users, answers: [{status: 200, body: {}}]}]\n", "quoted"),
    ],
)
def test_a_malformed_facts_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    """A facts file that is not as documented is a SpecError saying what is wrong."""
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(SpecError, match=message):
        read_pages(path)
