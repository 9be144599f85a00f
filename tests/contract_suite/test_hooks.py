"""Tests for `deployhq_contract.hooks`: every address the suite sends is contained, and a case keeps what it tests."""

from __future__ import annotations

from typing import Any

import pytest

from deployhq_contract.hooks import contain_address, is_valid_address


@pytest.fixture(name="live")
def _live(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> bool:
    monkeypatch.setenv("DEPLOYHQ_CONTRACT_LIVE", "1" if request.param else "0")
    monkeypatch.setenv("DEPLOYHQ_CONTRACT_EMAIL_DOMAIN", "example.com")
    return bool(request.param)


@pytest.mark.parametrize("live", [False, True], indirect=True, ids=["loopback", "live"])
def test_valid_data_gets_a_fresh_address_in_the_runs_domain(live: bool) -> None:
    """A positive case's address is replaced by a fresh, valid one in the run's domain."""
    user: dict[str, Any] = {"email_address": "0@0.com"}
    contain_address(user, positive=True)

    assert user["email_address"].endswith("@example.com")
    assert is_valid_address(user["email_address"])


@pytest.mark.parametrize("live", [False], indirect=True)
def test_invalid_data_on_loopback_is_sent_as_generated(live: bool) -> None:
    """A negative case's address is left alone on loopback: rewriting it could make the case valid."""
    address = "a@" + "b" * 300
    user: dict[str, Any] = {"email_address": address}
    contain_address(user, positive=False)

    assert address == user["email_address"]


@pytest.mark.parametrize("live", [True], indirect=True)
@pytest.mark.parametrize("address", ["a@" + "b" * 300, "not an address", "@example.org", "ada@@gmail.com"])
def test_invalid_address_stays_invalid_against_a_live_target(live: bool, address: str) -> None:
    """Live: an address the schema refuses becomes another it refuses, in the run's domain (never a valid one)."""
    user: dict[str, Any] = {"email_address": address}
    contain_address(user, positive=False)

    assert not is_valid_address(user["email_address"])
    assert user["email_address"].endswith("@example.com")


@pytest.mark.parametrize("live", [True], indirect=True)
def test_valid_address_of_an_invalid_case_stays_valid_against_a_live_target(live: bool) -> None:
    """Live: a valid address in a case that is invalid elsewhere becomes a fresh valid one, in the run's domain."""
    user: dict[str, Any] = {"email_address": "someone@gmail.com", "first_name": 42}
    contain_address(user, positive=False)

    assert is_valid_address(user["email_address"])
    assert user["email_address"].endswith("@example.com")
    assert 42 == user["first_name"]
