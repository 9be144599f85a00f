"""deployhq_users._client: one client across event loops, over real HTTP to the reference server, and closing it."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from deployhq_client import Client
from deployhq_client.models import UserInvitation
from deployhq_users import (
    ClientUnusableError,
    DeployHQError,
    OutcomeUnknownError,
    invite_user,
    invite_user_async,
    list_users,
    list_users_async,
)


def invitation(name: str) -> UserInvitation:
    return UserInvitation(first_name=name, email_address=f"{name.lower()}@example.com")


def addresses(served) -> list[str]:
    """The addresses of every invited user (the three built-in accounts left out), read with a fresh client."""
    with served.connect() as client:
        return sorted(user.email_address for user in list_users(client) if user.id > 3)


@pytest.mark.usefixtures("ended_loops")
def test_one_client_serves_two_asyncio_runs(served):
    """A connect() client invites from one asyncio.run and then from another, each user created exactly once."""
    client = served.connect()
    first = asyncio.run(invite_user_async(client, invitation("Ada")))
    second = asyncio.run(invite_user_async(client, invitation("Bob")))
    assert (["ada@example.com", "bob@example.com"], ["ada@example.com", "bob@example.com"]) == (
        [first.email_address, second.email_address], addresses(served)
    )  # fmt: skip


def test_async_with_in_each_run(served):
    """`async with client:` in each asyncio.run closes that loop's connections, and the next run gets new ones."""
    client = served.connect()
    pools: list[httpx.AsyncClient] = []

    async def main(name: str) -> None:
        async with client:
            pools.append(client.get_async_httpx_client())
            await invite_user_async(client, invitation(name))
            await asyncio.gather(*(list_users_async(client) for _ in range(3)))

    asyncio.run(main("Ada"))
    asyncio.run(main("Bob"))
    assert (["ada@example.com", "bob@example.com"], [True, True], False) == (
        addresses(served), [pool.is_closed for pool in pools], pools[0] is pools[1]
    )  # fmt: skip


def test_a_closed_client_raises_before_sending(served):
    """A call after `with client:` ended, or after aclose() in that loop, is ClientUnusableError; nothing is sent."""
    client = served.connect()
    with client:
        list_users(client)
    with pytest.raises(ClientUnusableError, match="this client was closed"):
        invite_user(client, invitation("Ada"))

    async def after_aclose() -> None:
        await list_users_async(client)
        await client.get_async_httpx_client().aclose()
        await invite_user_async(client, invitation("Bob"))

    with pytest.raises(ClientUnusableError, match="closed in this event loop"):
        asyncio.run(after_aclose())
    assert [] == addresses(served)


def test_a_client_closed_in_one_run_works_in_the_next(served):
    """Closing the async client at the end of one asyncio.run does not stop the next run from using the client."""
    client = served.connect()

    async def run_and_close(name: str) -> str:
        try:
            return (await invite_user_async(client, invitation(name))).email_address
        finally:
            await client.get_async_httpx_client().aclose()

    assert ["ada@example.com", "bob@example.com"] == [asyncio.run(run_and_close(n)) for n in ("Ada", "Bob")]


@pytest.mark.usefixtures("ended_loops")
def test_a_plain_generated_client_in_a_second_run_raises_before_sending(served):
    """A Client built without connect() is refused in a second asyncio.run with ClientUnusableError; nothing is sent."""
    client = Client(base_url=served.base_url, httpx_args={"auth": httpx.BasicAuth(served.email, served.api_key)})
    asyncio.run(invite_user_async(client, invitation("Ada")))
    with pytest.raises(DeployHQError) as caught:
        asyncio.run(invite_user_async(client, invitation("Bob")))
    assert (ClientUnusableError, ["ada@example.com"], True) == (
        type(caught.value), addresses(served), "belongs to another event loop" in str(caught.value)
    )  # fmt: skip


@pytest.mark.usefixtures("ended_loops")
def test_an_async_client_set_by_the_caller_is_kept_and_refused_in_another_loop(served):
    """set_async_httpx_client's client is used as given, and not replaced: another loop gets ClientUnusableError."""
    client = served.connect()
    own = httpx.AsyncClient(base_url=served.base_url, auth=httpx.BasicAuth(served.email, served.api_key))
    client.set_async_httpx_client(own)

    async def used() -> bool:
        await list_users_async(client)
        return client.get_async_httpx_client() is own

    assert True is asyncio.run(used())
    with pytest.raises(ClientUnusableError):
        asyncio.run(used())


@pytest.mark.usefixtures("ended_loops")
def test_a_pooled_async_transport_is_refused_in_a_second_run(served):
    """An httpx.AsyncHTTPTransport given to connect() keeps its first loop's connections: a second run is refused."""
    client = served.connect(transport=httpx.AsyncHTTPTransport())
    asyncio.run(invite_user_async(client, invitation("Ada")))
    with pytest.raises(ClientUnusableError, match="AsyncHTTPTransport"):
        asyncio.run(invite_user_async(client, invitation("Bob")))
    assert ["ada@example.com"] == addresses(served)


def test_each_loop_gets_the_same_settings(api):
    """The async httpx client built for a new loop has the same auth, headers, timeout and transport as the first."""
    client, server = api(httpx.Response(200, json=[]), timeout=7)
    seen = []

    async def call() -> None:
        await list_users_async(client)
        http = client.get_async_httpx_client()
        seen.append((http.timeout, str(http.base_url), id(http)))

    asyncio.run(call())
    asyncio.run(call())
    first, second = server.requests
    assert (dict(first.headers), seen[0][:2], True) == (dict(second.headers), seen[1][:2], seen[0][2] != seen[1][2])
    assert httpx.Timeout(7) == seen[0][0]


@pytest.mark.parametrize(
    "call",
    [lambda client: invite_user(client, invitation("Ada")), lambda client: list_users(client)],
    ids=["invite", "list"],
)
def test_a_bug_in_the_callers_transport_propagates_as_itself(api, call):
    """A RuntimeError raised by the caller's transport is not taken for a lost answer: it comes out as it is."""

    def buggy(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("a bug in the caller's transport")

    client, _ = api(buggy)
    with pytest.raises(RuntimeError, match="a bug in the caller's transport") as caught:
        call(client)
    assert not isinstance(caught.value, DeployHQError)
    assert "buggy" in [entry.name for entry in caught.traceback]  # its traceback reaches the bug


@pytest.mark.anyio
async def test_a_bug_in_the_callers_transport_propagates_from_an_async_call(api):
    """The same for an async call: the caller's own exception, with its traceback."""

    def buggy(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("a bug in the caller's transport")

    client, _ = api(buggy)
    with pytest.raises(RuntimeError, match="a bug in the caller's transport"):
        await list_users_async(client)


@pytest.mark.anyio
async def test_a_timeout_error_of_the_callers_transport_is_not_the_deadline(api):
    """A builtin TimeoutError raised by the caller's transport is theirs, not a DeadlineExceededError of the client."""

    def buggy(request: httpx.Request) -> httpx.Response:
        raise TimeoutError("the caller's own")

    client, _ = api(buggy)
    with pytest.raises(TimeoutError, match="the caller's own") as caught:
        await list_users_async(client)
    assert not isinstance(caught.value, DeployHQError)


def test_a_lost_answer_keeps_httpx_error_as_its_cause(api):
    """A lost answer is OutcomeUnknownError whose __cause__ is the httpx error, so its traceback is kept."""
    client, _ = api(httpx.ReadError)
    with pytest.raises(OutcomeUnknownError) as caught:
        invite_user(client, invitation("Ada"))
    assert isinstance(caught.value.__cause__, httpx.ReadError)
