"""Where each promise of the suite comes from: the one registry read by the summary, --list-promises and the docs.

A promise is a test function of the suite; its sentence is the first line of the test's docstring (spelled there
only). Its source says how far DeployHQ stands behind it:
`seed` (the invite page this project started from), `vendor-docs` (one of DeployHQ's Users API pages, named),
`vendor-spec` (DeployHQ's OpenAPI document), `vendor-sdk` (DeployHQ's Go SDK and CLI) or `decided` (this
contract's own decision, its reason written in openapi.yaml). Against a live target a broken `decided` promise
is a calibration finding, not a failure, unless --contract-strict; every other source fails everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["KINDS", "SOURCES", "Source", "key_of", "missing", "registry", "source_of"]

KINDS = ("seed", "vendor-docs", "vendor-spec", "vendor-sdk", "decided")
PAGES = "https://www.deployhq.com/support/api/users-api/"


@dataclass(frozen=True)
class Source:
    """One source: its kind and, for `vendor-docs`, the page (as named in drift/vendor-docs-facts.yaml)."""

    kind: str
    page: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS or (self.kind == "vendor-docs") != (self.page is not None):
            raise ValueError(f"not a source: {self.kind!r} {self.page!r} (kinds: {', '.join(KINDS)}; a page for docs)")

    @property
    def decided(self) -> bool:
        return self.kind == "decided"

    def __str__(self) -> str:
        return f"{self.kind} ({self.page})" if self.page else self.kind


SEED = Source("seed")
SPEC = Source("vendor-spec")
SDK = Source("vendor-sdk")
DECIDED = Source("decided")


def _docs(page: str) -> Source:
    return Source("vendor-docs", page)


# One entry per test function of the suite, "file::function". A test whose promise mixes sources takes the
# weakest part's: it is what a real account may contradict.
SOURCES: dict[str, Source] = {
    "test_auth.py::test_bad_credentials_are_a_401_with_the_documented_body": SPEC,
    "test_bodies.py::test_body_that_is_not_json_is_a_400": DECIDED,
    "test_bodies.py::test_body_not_sent_as_json_is_a_415": DECIDED,
    "test_bodies.py::test_body_without_user_object_is_refused": DECIDED,
    "test_client_roundtrip.py::test_invited_user_equals_what_was_sent_plus_defaults": SEED,
    "test_client_roundtrip.py::test_duplicate_invitation_raises_validation_error": DECIDED,
    "test_client_roundtrip.py::test_update_through_the_client_changes_only_what_was_named": _docs("update-user-api"),
    "test_client_roundtrip.py::test_resend_through_the_client_leaves_the_user_as_it_was": _docs(
        "resend-invitation-api"
    ),
    "test_conformance.py::test_operation_honours_the_contract": SPEC,
    "test_consistency.py::test_reads_and_lists_agree_with_every_write": _docs("view-user-api"),
    "test_invite.py::test_omitted_fields_get_their_defaults": SEED,
    "test_invite.py::test_every_sent_value_comes_back": SEED,
    "test_invite.py::test_duplicate_address_is_refused_case_insensitively": DECIDED,
    "test_invite.py::test_invalid_invitation_is_refused_naming_the_field": DECIDED,
    "test_invite.py::test_address_comes_back_exactly_as_sent": DECIDED,
    "test_invite.py::test_names_come_back_exactly_as_sent": DECIDED,
    "test_invite.py::test_longest_values_the_spec_allows_are_kept": DECIDED,
    "test_invite.py::test_concurrent_invitations_of_one_address_make_one_user": DECIDED,
    "test_last_administrator.py::test_last_administrator_cannot_be_demoted": DECIDED,
    "test_last_administrator.py::test_a_pending_administrator_does_not_count": DECIDED,
    "test_rate_limits.py::test_every_429_had_the_documented_body_and_retry_after": SDK,
    "test_read.py::test_invited_user_reads_back_as_created": _docs("view-user-api"),
    "test_read.py::test_unknown_identifier_is_a_404": SPEC,
    "test_read.py::test_list_shows_each_user_once_as_written": _docs("list-users-api"),
    "test_remove.py::test_removed_user_is_gone": _docs("remove-user-api"),
    "test_remove.py::test_removed_users_address_can_be_invited_again": DECIDED,
    "test_remove.py::test_unknown_identifier_is_a_404": SPEC,
    "test_remove.py::test_an_account_administrator_cannot_be_removed": _docs("remove-user-api"),
    "test_remove.py::test_an_administrator_can_be_removed_once_it_loses_the_flag": DECIDED,
    "test_resend.py::test_pending_invitation_is_sent_again": _docs("resend-invitation-api"),
    "test_resend.py::test_activated_user_is_refused": _docs("resend-invitation-api"),
    "test_resend.py::test_unknown_identifier_is_a_404": SPEC,
    "test_roles.py::test_manager_invites_without_admin_only_flags": SDK,
    "test_roles.py::test_manager_cannot_change_admin_only_flags": SPEC,
    "test_roles.py::test_member_may_not_manage_users": _docs("users-api"),
    "test_stateful.py::test_invite_read_and_remove_scenarios": SPEC,
    "test_update.py::test_only_the_sent_fields_change": _docs("update-user-api"),
    "test_update.py::test_every_field_can_change": _docs("update-user-api"),
    "test_update.py::test_a_flag_set_by_an_administrator_sticks": _docs("update-user-api"),
    "test_update.py::test_last_name_can_be_emptied": DECIDED,
    "test_update.py::test_own_address_in_other_letter_case_is_not_a_duplicate": DECIDED,
    "test_update.py::test_unknown_keys_and_read_only_fields_are_ignored": DECIDED,
    "test_update.py::test_an_empty_change_changes_nothing": DECIDED,
    "test_update.py::test_longest_values_the_spec_allows_are_kept": DECIDED,
    "test_update.py::test_invalid_change_is_refused_naming_the_field": DECIDED,
    "test_update.py::test_invalid_changes_are_read_back": DECIDED,
    "test_update.py::test_another_users_address_is_refused_case_insensitively": DECIDED,
    "test_update.py::test_unknown_identifier_is_a_404": SPEC,
    "test_credentials.py::test_near_miss_credentials_are_a_401": SPEC,
    "test_credentials.py::test_address_in_other_letter_case_signs_in": DECIDED,
    "test_invite.py::test_null_for_an_optional_field_is_refused": DECIDED,
    "test_read.py::test_list_is_oldest_first": DECIDED,
    "test_read.py::test_names_with_special_characters_read_back_byte_for_byte": DECIDED,
    "test_scale.py::test_list_is_whole_past_a_size": _docs("list-users-api"),
    "test_scale.py::test_users_read_back_past_a_size": _docs("view-user-api"),
    "test_update.py::test_null_for_a_field_is_refused": DECIDED,
    "test_administrators_address.py::test_a_manager_cannot_change_an_administrators_address": DECIDED,
    "test_resend_body.py::test_a_resend_ignores_a_body": DECIDED,
}


def key_of(item: Any) -> str:
    """The registry key of a collected test item: its file's name and its function's name."""
    return f"{item.path.name}::{getattr(item, 'originalname', item.name)}"


def built_in(item: Any) -> bool:
    """Whether *item* is one of the judge's own promises (a team's own promise files have no registry entry)."""
    return _in_suite(Path(item.path))


@functools.cache
def _in_suite(path: Path) -> bool:
    # Asked several times for each test of a run: resolving the paths each time was a tenth of a promise's own time.
    from .__main__ import SUITE

    return path.resolve().parent == SUITE.resolve()


def source_of(item: Any) -> Source | None:
    return SOURCES.get(key_of(item)) if built_in(item) else None


def missing(items: Iterable[Any]) -> list[str]:
    """Built-in test functions with no source: each new promise of the judge must say where it comes from."""
    return sorted({key_of(item) for item in items if built_in(item)} - set(SOURCES))


def registry(items: Iterable[Any]) -> list[dict[str, Any]]:
    """One entry per promise and operation, in the suite's order: what `--list-promises` prints."""
    from .summary import Summary  # the summary owns how a test names its operations and its sentence

    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        source = source_of(item)
        operations, promise = Summary.describe(item)
        for operation in operations:
            entry = {
                "operation": operation,
                "promise": promise,
                "source": source.kind if source else None,
                "page": source.page if source else None,
                "test": key_of(item),
            }
            entries.setdefault((operation, key_of(item)), entry)
    return list(entries.values())


LISTED: list[dict[str, Any]] = []


def print_registry(session: Any) -> None:
    """`--list-promises`: the registry as a JSON array on standard output, outside pytest's capture.

    Under `deployhq-contract` (a plugin of its with `keeps_listing`) the array is kept in LISTED for the command
    to print alone, pytest's own lines going to standard error.
    """
    import contextlib
    import json

    LISTED[:] = registry(session.items)
    if any(getattr(plugin, "keeps_listing", False) for plugin in session.config.pluginmanager.get_plugins()):
        return
    capture = session.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(json.dumps(LISTED, indent=2, ensure_ascii=False))
