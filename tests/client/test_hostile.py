"""The client against a hostile server on loopback: a call ends, in bounded time and memory, with a typed error."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

from deployhq_client import Client
from deployhq_users import (
    DeadlineExceededError,
    DeployHQError,
    ResponseTooLargeError,
    connect,
    delete_user,
    invite_user,
    list_users,
    list_users_async,
)

from .conftest import API_KEY, EMAIL, SECRETS
from .hostile import drip, drip_head, endless, hostile, huge, huge_unannounced
from .test_errors import ADA

pytestmark = pytest.mark.slow

IDENTIFIER = "3f2c8a1e-9b7d-4c6e-8f1a-2b3c4d5e6f70"
# A fresh interpreter with the client alone weighs about 40 MB here; a client that kept a 2 GiB answer would not
# stay anywhere near this.
PEAK_MB = 200
# The child runs one call and reports what it raised, how long it took and its peak resident memory.
CHILD = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from deployhq_users import connect, list_users, list_users_async

    base_url, mode = sys.argv[1], sys.argv[2]
    client = connect(base_url=base_url, email=sys.argv[3], api_key=sys.argv[4], env={})
    started = time.monotonic()
    try:
        asyncio.run(list_users_async(client)) if mode == "async" else list_users(client)
        raised, text = None, ""
    except Exception as error:
        raised, text = type(error).__name__, str(error)
    seconds = time.monotonic() - started
    with open("/proc/self/status") as status:  # VmHWM: the peak resident set size, in kB
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"raised": raised, "text": text, "seconds": seconds, "peak_mb": peak / 1024}))
    """
)


def run_child(base_url: str, mode: str) -> dict[str, object]:
    """One call in a fresh interpreter against *base_url*; what it reported (killed after 90 s)."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, base_url, mode, EMAIL, API_KEY],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert [] == [secret for secret in SECRETS if secret in done.stdout + done.stderr]
    report: dict[str, object] = json.loads(done.stdout)
    return report


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads its peak memory from /proc")
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("answer", [huge, huge_unannounced, endless], ids=["huge", "huge-unannounced", "endless"])
def test_a_huge_or_endless_answer_is_refused_in_bounded_memory(answer, mode):
    """A 2 GiB or endless answer raises ResponseTooLargeError within seconds, the process staying far below 2 GiB."""
    with hostile(answer) as base_url:
        report = run_child(base_url, mode)
    assert ("ResponseTooLargeError", True) == (report["raised"], "over 10485760 bytes" in str(report["text"]))
    assert report["seconds"] < 30, report  # type: ignore[operator]
    assert report["peak_mb"] < PEAK_MB, report  # type: ignore[operator]


def test_a_dripped_answer_is_cut_at_the_deadline():
    """A body sent a byte every half second (each read well within the timeout) ends at the deadline, typed."""
    with hostile(drip) as base_url:
        client = connect(base_url=base_url, email=EMAIL, api_key=API_KEY, env={}, timeout=1, deadline=2)
        started = time.monotonic()
        with client, pytest.raises(DeadlineExceededError) as caught:
            list_users(client)
        seconds = time.monotonic() - started
    # Each read waits at most until the deadline: not one read timeout (1 s) late.
    assert 2 <= seconds < 3.5, seconds  # a loaded machine's margin
    assert "list_users: GET " in str(caught.value)
    assert "/users was sent and its answer began (200), but did not end within 2 s; it changes nothing" in str(
        caught.value
    )
    assert caught.value.safe_to_resend


def test_a_dripped_head_is_cut_at_the_deadline_by_a_sync_call():
    """A status line and headers sent a byte every half second (httpx reads them in one call, each byte well within
    the read timeout) end at the deadline: DeadlineExceededError, as for an async call.
    """
    with hostile(drip_head) as base_url:
        client = connect(base_url=base_url, email=EMAIL, api_key=API_KEY, env={}, timeout=1, deadline=2)
        started = time.monotonic()
        with client, pytest.raises(DeadlineExceededError) as caught:
            list_users(client)
        seconds = time.monotonic() - started
    assert 2 <= seconds < 3.5, seconds  # a loaded machine's margin; before: till the server quit (30 s)
    assert "no answer arrived within 2 s" in str(caught.value)
    assert caught.value.safe_to_resend
    assert [] == [secret for secret in SECRETS if secret in repr(caught.value) + str(caught.value)]


def test_a_callers_transport_stays_theirs():
    """A transport given to connect() is not rebuilt or re-wired: its deadline for the head is per read."""
    transport = httpx.HTTPTransport()
    backend = transport._pool._network_backend
    with connect(base_url="https://acme.deployhq.com", email=EMAIL, api_key=API_KEY, env={}, transport=transport) as c:
        assert transport is c.get_httpx_client()._transport
    assert backend is transport._pool._network_backend


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "said"),
    [(drip, "its answer began (200), but did not end within 2 s"), (drip_head, "no answer arrived within 2 s")],
    ids=["body", "head"],
)
async def test_a_dripped_answer_is_cut_at_the_deadline_by_an_async_call(answer, said):
    """An async call ends at the deadline, whether the body or the head itself is dripped."""
    with hostile(answer) as base_url:
        client = connect(base_url=base_url, email=EMAIL, api_key=API_KEY, env={}, timeout=1, deadline=2)
        started = time.monotonic()
        async with client:
            with pytest.raises(DeadlineExceededError) as caught:
                await list_users_async(client)
        seconds = time.monotonic() - started
    assert 2 <= seconds < 5, seconds  # a loaded machine's margin; without it: as long as the drip
    assert said in str(caught.value)


def test_an_async_call_under_trio_is_cut_at_the_deadline_too():
    """Under trio, where the client's deadline is anyio's scope rather than asyncio's, a dripped body ends at it."""
    trio = pytest.importorskip("trio")

    async def call(base_url: str) -> None:
        client = connect(base_url=base_url, email=EMAIL, api_key=API_KEY, env={}, timeout=1, deadline=2)
        async with client:
            await list_users_async(client)

    with hostile(drip) as base_url:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError) as caught:
            trio.run(call, base_url)
        seconds = time.monotonic() - started
    assert 2 <= seconds < 5, seconds
    assert "did not end within 2 s" in str(caught.value)


class _SwallowsOneCancellation(httpx.AsyncBaseTransport):
    """A caller's transport that catches the first cancellation it meets and goes on waiting."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        try:
            await asyncio.sleep(8)
        except asyncio.CancelledError:
            await asyncio.sleep(8)
        return httpx.Response(200, json=[], request=request)


@pytest.mark.anyio
async def test_an_async_call_ends_on_time_through_a_transport_that_swallows_a_cancellation():
    """The deadline cancels again at every await, so a transport that swallows one cancellation still ends on time.

    asyncio's own timeout cancels once: with it this call ran its transport's 8 s more and returned 200.
    """
    transport = _SwallowsOneCancellation()
    client = connect(base_url="https://acme.deployhq.com", email=EMAIL, api_key=API_KEY, env={}, transport=transport,
                     deadline=1)  # fmt: skip
    started = time.monotonic()
    async with client:
        with pytest.raises(DeadlineExceededError):
            await list_users_async(client)
    assert time.monotonic() - started < 4


def test_a_lost_invitation_at_the_deadline_is_not_safe_to_resend():
    """An invitation whose answer drips past the deadline may have been accepted: safe_to_resend is False."""
    with (
        hostile(drip) as base_url,
        connect(base_url=base_url, email=EMAIL, api_key=API_KEY, env={}, deadline=1) as client,
        pytest.raises(DeadlineExceededError) as caught,
    ):
        invite_user(client, ADA)
    assert (False, True) == (caught.value.safe_to_resend, "was not re-sent" in str(caught.value))


# -- The same bounds through httpx's own transport, without a socket ------------------------------------------------


def scripted(response: httpx.Response, **limits: int) -> Client:
    """A connect() client whose every request is answered *response*, with the given limits."""
    return connect(
        base_url="https://acme.deployhq.com", email=EMAIL, api_key=API_KEY, env={},
        transport=httpx.MockTransport(lambda request: response), **limits,
    )  # fmt: skip


def test_a_compressed_answer_is_measured_inflated():
    """A small gzip answer that inflates past the limit (a zip bomb) is ResponseTooLargeError, not 50 MB in memory."""
    bomb = gzip.compress(b"[" + b" " * 50_000_000 + b"]")
    client = scripted(httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(ResponseTooLargeError) as caught:
        list_users(client)
    assert (200, True) == (caught.value.status_code, len(bomb) < 100_000)


def test_the_limit_is_the_callers_to_set():
    """max_answer_bytes moves the limit: an answer of its size is read, one byte more is refused."""
    body = b"[]" + b" " * 998
    assert [] == list_users(scripted(httpx.Response(200, content=body), max_answer_bytes=1000))
    with pytest.raises(ResponseTooLargeError, match=r"answered 200 OK .* over 999 bytes"):
        list_users(scripted(httpx.Response(200, content=body), max_answer_bytes=999))


def test_a_too_large_success_to_a_change_says_it_was_done():
    """A 2xx too large to read to a DELETE still says the user was removed."""
    client = scripted(httpx.Response(200, content=b"{}" * 1000), max_answer_bytes=100)
    with pytest.raises(ResponseTooLargeError, match=r"\(a success: what was asked was done\)"):
        delete_user(client, IDENTIFIER)


def test_a_too_large_error_answer_is_still_bounded():
    """An error answer (500) is bounded too: ResponseTooLargeError with its status, not a ServerError read whole."""
    client = scripted(httpx.Response(500, content=b"x" * 5000), max_answer_bytes=1000)
    with pytest.raises(DeployHQError) as caught:
        list_users(client)
    assert (ResponseTooLargeError, 500) == (type(caught.value), caught.value.status_code)  # type: ignore[attr-defined]


def test_a_client_built_without_connect_has_the_default_limits():
    """A generated `Client` built directly gets the default bounds: an 11 MiB answer is ResponseTooLargeError."""
    body = b"[" + b" " * (11 * 1024 * 1024) + b"]"
    client = Client(
        base_url="https://acme.deployhq.com",
        httpx_args={"transport": httpx.MockTransport(lambda request: httpx.Response(200, content=body))},
    )
    with pytest.raises(ResponseTooLargeError, match="over 10485760 bytes"):
        list_users(client)
