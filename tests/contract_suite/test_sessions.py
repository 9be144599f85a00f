"""The run's requests sessions and its history, as every request of a run uses them: read once, cheap per request."""

from __future__ import annotations

import pytest
import requests

from deployhq_contract.guard import settle_environment
from deployhq_contract.history import History


def test_environment_is_read_once_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The proxy and CA bundle variables in force when the run starts hold for all its requests, read only then."""
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/bundle.pem")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    session = settle_environment(requests.Session(), "http://api.example.com")
    monkeypatch.setenv("HTTP_PROXY", "http://other.invalid:1")

    assert (False, "http://proxy.invalid:3128") == (session.trust_env, session.proxies.get("http"))
    assert "/etc/ssl/certs/bundle.pem" == session.verify


def test_no_proxy_still_bypasses_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A target named in NO_PROXY is reached directly, as requests itself decides."""
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    session = settle_environment(requests.Session(), "http://127.0.0.1:8000")

    assert {} == session.proxies


def test_alive_identifiers_are_the_users_not_removed_in_the_order_written() -> None:
    """Identifiers of the users written and not removed, first written first, without copying their answers."""
    history = History()
    for identifier in ("a", "b", "c"):
        history.wrote(identifier, {"identifier": identifier})
    history.removed("b")
    history.wrote("a", {"identifier": "a", "first_name": "changed"})

    assert ["a", "c"] == history.alive_identifiers()
    assert list(history.alive()) == history.alive_identifiers()
