"""Tests for `deployhq_contract.spec`: the judge reads its facts from openapi.yaml, and "blank" as the spec means it."""

from __future__ import annotations

import sys
from typing import Any

from deployhq_contract.spec import ADMIN_ONLY_FLAGS, FLAGS, TIME_ZONES, USER_FIELDS, is_blank
from deployhq_sandbox._validation import ECMA_WHITESPACE


def test_blank_is_decided_as_the_spec_and_the_server_decide_it_over_every_code_point() -> None:
    """For every Unicode code point, the judge calls it blank exactly when the reference server does (ECMA-262 \\s)."""
    disagree = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and is_blank(chr(code)) != (chr(code) in ECMA_WHITESPACE)
    ]

    assert [] == disagree


def test_python_white_space_that_ecma_does_not_know_is_not_blank() -> None:
    """U+001C and U+0085 are white space to str.strip() but not to the spec: a name made of them is not blank."""
    assert (False, False, True) == (is_blank("\x1c"), is_blank("\x85"), is_blank("\ufeff"))


def test_fields_and_flags_come_from_the_spec(spec: dict[str, Any]) -> None:
    """The six flags are the invitation's booleans; the user's fields are the User schema's properties."""
    schemas = spec["components"]["schemas"]

    assert set(schemas["User"]["properties"]) == USER_FIELDS
    assert [n for n, p in schemas["UserInvitation"]["properties"].items() if p.get("type") == "boolean"] == list(FLAGS)
    assert "all_projects_allowed" not in ADMIN_ONLY_FLAGS
    assert "Etc/UTC" in TIME_ZONES
