"""Tests for `deployhq_contract.guard`: email budget, ownership, pacing, 429 waits, the ledger, and never re-sending."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from deployhq_contract.guard import (
    BudgetExhaustedError,
    ForeignUserError,
    Guard,
    GuardedTransport,
    Ledger,
    read_ledger,
)

BASE = "http://127.0.0.1:9"
USERS = f"{BASE}/users"
IDENTIFIER = "5c5b8c9e-0000-4000-8000-000000000001"
OTHER = "5c5b8c9e-0000-4000-8000-000000000002"
CREATED = json.dumps({"identifier": IDENTIFIER, "first_name": "Ada"}).encode()


def test_budget_counts_every_request_that_emails_a_person() -> None:
    """With a budget of 2, an invitation and a resend use it up; the next invitation is not sent; GETs are free."""
    guard = Guard(create_budget=2)
    guard.before_send("POST", USERS)
    guard.before_send("GET", USERS)
    guard.before_send("POST", f"{USERS}/{IDENTIFIER}/resend_invitation")

    with pytest.raises(BudgetExhaustedError, match="budget of 2"):
        guard.before_send("POST", USERS)
    assert 2 == guard.emails_sent


def test_a_budget_of_zero_sends_no_email() -> None:
    """--create-budget 0 is honoured: the very first invitation is refused before it is sent."""
    guard = Guard(create_budget=0)

    with pytest.raises(BudgetExhaustedError):
        guard.before_send("POST", USERS)
    assert 0 == guard.emails_sent


def test_a_refused_or_unsent_request_gives_its_email_back() -> None:
    """A 422 (nothing emailed) and a connection that never opened do not count against the budget."""
    guard = Guard(create_budget=1)
    guard.after_answer(guard.before_send("POST", USERS), 422, b"{}")
    guard.not_sent(guard.before_send("POST", USERS))
    guard.after_answer(guard.before_send("POST", USERS), 201, CREATED)

    with pytest.raises(BudgetExhaustedError):
        guard.before_send("POST", USERS)


def test_a_user_seen_but_not_created_is_never_changed() -> None:
    """A user the run saw in a list but did not create cannot be changed or removed; its own users can."""
    guard = Guard()
    guard.after_answer(guard.before_send("POST", USERS), 201, CREATED)
    listed = json.dumps([{"identifier": IDENTIFIER}, {"identifier": OTHER}]).encode()
    guard.after_answer(guard.before_send("GET", USERS), 200, listed)

    for method, path in (("DELETE", ""), ("PATCH", ""), ("PUT", ""), ("POST", "/resend_invitation")):
        with pytest.raises(ForeignUserError, match=OTHER):
            guard.before_send(method, f"{USERS}/{OTHER}{path}")
        guard.before_send(method, f"{USERS}/{IDENTIFIER}{path}")
    guard.before_send("GET", f"{USERS}/{OTHER}")


def test_permit_lets_a_test_change_one_foreign_user_except_when_live() -> None:
    """A test may ask to change one foreign user (its own administrator), never against a live target."""
    listed = json.dumps([{"identifier": OTHER}]).encode()
    guard, live = Guard(), Guard(live=True)
    for each in (guard, live):
        each.after_answer(each.before_send("GET", USERS), 200, listed)

    with guard.permit(OTHER):
        guard.before_send("DELETE", f"{USERS}/{OTHER}")
    with pytest.raises(ForeignUserError), live.permit(OTHER):
        live.before_send("DELETE", f"{USERS}/{OTHER}")


def test_rate_limit_spaces_requests() -> None:
    """At 4 requests per second, three requests sent at once are scheduled 0.25 s and 0.5 s after the first."""
    waits: list[float] = []
    guard = Guard(rate_limit=4.0, sleep=waits.append)
    for _ in range(3):
        guard.before_send("GET", USERS)

    assert pytest.approx([0.25, 0.5], abs=0.02) == waits


def test_writes_are_remembered_for_later_reads() -> None:
    """A 201 and a later 200 to PATCH are the history; a DELETE 200 marks the user removed."""
    guard = Guard()
    guard.after_answer(guard.before_send("POST", USERS), 201, CREATED)
    changed = json.dumps({"identifier": IDENTIFIER, "first_name": "Grace"}).encode()
    guard.after_answer(guard.before_send("PATCH", f"{USERS}/{IDENTIFIER}"), 200, changed)

    assert {"identifier": IDENTIFIER, "first_name": "Grace"} == guard.history.latest(IDENTIFIER)
    assert {"identifier": IDENTIFIER, "first_name": "Ada"} == guard.history.before_latest(IDENTIFIER)
    guard.after_answer(guard.before_send("DELETE", f"{USERS}/{IDENTIFIER}"), 200, b'{"status": "ok"}')
    assert guard.history.is_removed(IDENTIFIER)
    assert [] == guard.ledger.outstanding


def test_statuses_are_counted_per_operation() -> None:
    """Each answer is counted under its operationId and status, for the summary's coverage table."""
    guard = Guard()
    guard.after_answer(guard.before_send("GET", f"{USERS}/{IDENTIFIER}"), 404, b"{}")
    guard.after_answer(guard.before_send("GET", f"{USERS}/{IDENTIFIER}"), 404, b"{}")

    assert {("getUser", 404): 2} == dict(guard.statuses)
    assert 2 == guard.requests_sent


def test_transport_waits_out_a_429_then_sends_again() -> None:
    """A 429 with Retry-After: 0 is re-sent (it created nothing); the 201 after it is recorded."""
    answers = iter([httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(201, content=CREATED)])
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return next(answers)

    guard = Guard(create_budget=1)
    with httpx.Client(transport=GuardedTransport(guard, httpx.MockTransport(handler))) as client:
        response = client.post(USERS, json={})

    assert 201 == response.status_code
    assert 2 == len(seen)
    assert [IDENTIFIER] == guard.ledger.created
    assert 1 == guard.emails_sent


def test_transport_never_resends_a_request_whose_outcome_is_unknown() -> None:
    """A read timeout after sending is raised, not retried: the invitation may exist; it is counted as sent."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ReadTimeout("no answer", request=request)

    guard = Guard()
    with (
        httpx.Client(transport=GuardedTransport(guard, httpx.MockTransport(handler))) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.post(USERS, json={})
    assert 1 == len(seen)
    assert 1 == guard.requests_sent
    assert 1 == guard.emails_sent


def test_a_connection_that_never_opened_counts_nothing() -> None:
    """A refused connection sends nothing: no request and no email are counted."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    guard = Guard()
    with (
        httpx.Client(transport=GuardedTransport(guard, httpx.MockTransport(handler))) as client,
        pytest.raises(httpx.ConnectError),
    ):
        client.post(USERS, json={})
    assert (0, 0) == (guard.requests_sent, guard.emails_sent)


def test_ledger_survives_in_its_file_and_rewrites_to_what_is_left(tmp_path: Path) -> None:
    """Each creation is in the file at once; after deletions only the outstanding ones stay."""
    path = tmp_path / "ledger.txt"
    ledger = Ledger(path, "http://a")
    ledger.record("one")
    ledger.record("two")
    Ledger(path, "http://b").record("elsewhere")

    assert ["one", "two"] == read_ledger(path, "http://a")
    ledger.forget("one")
    ledger.rewrite()
    assert ["two"] == read_ledger(path, "http://a")
    assert ["elsewhere"] == read_ledger(path, "http://b")
