"""The total deadline's private seam into httpx: in place at the installed versions, and noticed when it moves.

httpx lets no network backend be chosen; the deadline reaches a sync read through `httpx.HTTPTransport._pool` and
`httpcore.ConnectionPool._network_backend`. A later httpx or httpcore that moves either must make a test fail here
(and warn a user), never leave the head of a sync call silently unbounded again.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import httpcore
import httpx
import pytest

from deployhq_users import ConnectionFailedError, DeadlineExceededError, connect, list_users
from deployhq_users._deadline import DeadlineUnsupportedError, bound_client, deadline

from .conftest import API_KEY, BASE_URL, EMAIL
from .hostile import drip_head, hostile, silent


def test_every_transport_httpx_builds_is_bound(monkeypatch):
    """At the installed versions, connect()'s sync client is bound without a warning, its proxies' transports too."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # httpx mounts a proxy transport from the environment
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        http = connect(base_url=BASE_URL, email=EMAIL, api_key=API_KEY, env={}).get_httpx_client()
    transports = [http._transport, *http._mounts.values()]
    assert len(transports) >= 2  # more if the environment names other proxies too
    assert all(type(t._pool._network_backend).__name__ == "DeadlineBackend" for t in transports)


def _bound(http: httpx.Client) -> bool:
    return type(http._transport._pool._network_backend).__name__ == "DeadlineBackend"  # type: ignore[attr-defined]


def test_an_httpx_client_the_caller_sets_stays_theirs(served):
    """A connect() client given an httpx client by `set_httpx_client` sends through it, not re-wired."""
    auth = (served.email, served.api_key)
    with httpx.Client(base_url=served.base_url, auth=auth) as given:
        client = served.connect().set_httpx_client(given)
        assert list_users(client)
        assert (False, True) == (_bound(given), _bound(served.connect().get_httpx_client()))


def test_a_bound_transport_ends_a_dripped_head_at_the_deadline():
    """The seam itself, through plain httpx: a head dripped a byte every half second ends at the deadline."""
    with hostile(drip_head) as base_url, httpx.Client(timeout=1) as http:
        bound_client(http)
        started = time.monotonic()
        with deadline(1.5) as bound, pytest.raises(httpx.ReadTimeout):
            http.get(base_url)
        seconds = time.monotonic() - started
    assert (True, True) == (bound.cut, 1.5 <= seconds < 3), seconds


def test_a_read_timeout_before_the_deadline_stays_a_read_timeout():
    """A server silent past the read timeout (1 s), with the deadline far off, is a lost answer, not the deadline."""
    with hostile(silent) as base_url:
        client = connect(base_url=base_url, email=EMAIL, api_key=API_KEY, env={}, timeout=1, deadline=30)
        started = time.monotonic()
        with client, pytest.raises(ConnectionFailedError, match="ReadTimeout") as caught:
            list_users(client)
        seconds = time.monotonic() - started
    assert (False, True) == (isinstance(caught.value, DeadlineExceededError), 1 <= seconds < 3), seconds


def _moved(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> None:
    """Make *cls* keep its attribute *name* under another one, as a later version might."""
    original = cls.__init__  # type: ignore[misc]

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.__dict__[f"{name}_elsewhere"] = self.__dict__.pop(name)

    monkeypatch.setattr(cls, "__init__", init)


@pytest.mark.parametrize(
    ("cls", "name", "said"),
    [
        (httpx.HTTPTransport, "_pool", "has no httpx.HTTPTransport._pool"),
        (httpcore.ConnectionPool, "_network_backend", "has no httpcore.ConnectionPool._network_backend"),
        (httpx.Client, "_mounts", "has no httpx.Client._transport and _mounts"),
    ],
    ids=["httpx-pool", "httpcore-backend", "httpx-mounts"],
)
def test_a_later_httpx_that_moves_the_seam_is_noticed(monkeypatch, cls, name, said):
    """A moved seam raises DeadlineUnsupportedError where it is installed; a connect() client warns, and its calls
    go on with the deadline checked between reads, as through a caller's transport.
    """
    _moved(monkeypatch, cls, name)
    with pytest.raises(DeadlineUnsupportedError, match=said):
        bound_client(httpx.Client())
    client = connect(base_url=BASE_URL, email=EMAIL, api_key=API_KEY, env={})
    with pytest.warns(RuntimeWarning, match=f"{said}.*sync calls check it only between reads"):
        assert isinstance(client.get_httpx_client(), httpx.Client)
