"""Tests for `contract_tests.guard`: budget, pacing, 429 waits, the ledger, and never re-sending."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from contract_tests.guard import BudgetExhaustedError, Guard, GuardedTransport, Ledger, read_ledger

URL = "http://127.0.0.1:9/users"
CREATED = b'{"identifier": "5c5b8c9e-0000-4000-8000-000000000001"}'


def test_budget_refuses_the_request_after_the_last_allowed_one() -> None:
    """With a budget of 2, the third POST /users is refused before it is sent; GETs are not counted."""
    guard = Guard(create_budget=2)
    guard.before_send("POST", URL)
    guard.before_send("GET", URL)
    guard.before_send("POST", URL)

    with pytest.raises(BudgetExhaustedError, match="budget of 2"):
        guard.before_send("POST", URL)
    assert 2 == guard.creates_sent


def test_rate_limit_spaces_requests() -> None:
    """At 4 requests per second, three requests sent at once are scheduled 0.25 s and 0.5 s after the first."""
    waits: list[float] = []
    guard = Guard(rate_limit=4.0, sleep=waits.append)
    for _ in range(3):
        guard.before_send("GET", URL)

    assert pytest.approx([0.25, 0.5], abs=0.02) == waits


def test_transport_waits_out_a_429_then_sends_again() -> None:
    """A 429 with Retry-After: 0 is re-sent (it created nothing); the 201 after it is recorded."""
    answers = iter([httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(201, content=CREATED)])
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return next(answers)

    guard = Guard()
    with httpx.Client(transport=GuardedTransport(guard, httpx.MockTransport(handler))) as client:
        response = client.post(URL, json={})

    assert 201 == response.status_code
    assert 2 == len(seen)
    assert ["5c5b8c9e-0000-4000-8000-000000000001"] == guard.ledger.created


def test_transport_never_resends_a_request_whose_outcome_is_unknown() -> None:
    """A read timeout after sending is raised, not retried: the invitation may exist."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.ReadTimeout("no answer", request=request)

    with (
        httpx.Client(transport=GuardedTransport(Guard(), httpx.MockTransport(handler))) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.post(URL, json={})
    assert 1 == len(seen)


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
