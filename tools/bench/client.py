"""Client cost per call: `invite_user` through the real `connect()` client against a raw httpx `post`.

Both sides send the same JSON with the same auth and headers over `httpx.MockTransport`, which answers
every request with the same canned 201, so the figure is the client's own work: building the body,
the generated request code, status dispatch, parsing into a `User`, and the error translation around it.
The raw side decodes the answer with `.json()`, as any hand-written call would.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

import httpx

from deployhq_client.models import UserInvitation
from deployhq_users import DEFAULT_TIMEOUT, connect, invite_user, invite_user_async

from ._harness import Row, Settings, interleave

BASE_URL = "https://bench.deployhq.test"
EMAIL = "bench@example.com"
API_KEY = "bench-api-key-000000000000000000000000000"
INVITATION = UserInvitation(
    first_name="Jane", last_name="Smith", email_address="jane@example.com", can_create_projects=True,
    all_projects_allowed=False,
)  # fmt: skip
BODY = {"user": INVITATION.to_dict()}
CREATED = json.dumps(
    {
        "id": 12345, "identifier": "a1b2c3d4-5e6f-7890-abcd-ef1234567890", "first_name": "Jane",
        "last_name": "Smith", "email_address": "jane@example.com", "time_zone": "Etc/UTC",
        "account_administrator": False, "activated": False, "can_manage_users": False, "can_manage_billing": False,
        "can_create_projects": True, "can_manage_agents": False, "all_projects_allowed": False,
    }
).encode()  # fmt: skip


def _created(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, content=CREATED, headers={"Content-Type": "application/json"})


def _raw_args() -> dict[str, object]:
    return {
        "base_url": BASE_URL, "auth": httpx.BasicAuth(EMAIL, API_KEY), "headers": {"Accept": "application/json"},
        "timeout": DEFAULT_TIMEOUT, "transport": httpx.MockTransport(_created),
    }  # fmt: skip


def _per_call(batch: int, call: Callable[[], object]) -> float:
    start = time.perf_counter()
    for _ in range(batch):
        call()
    return (time.perf_counter() - start) / batch * 1e6


async def _per_call_async(batch: int, call: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    for _ in range(batch):
        await call()
    return (time.perf_counter() - start) / batch * 1e6


def _sync(repeats: int, batch: int) -> tuple[list[float], list[float]]:
    client = connect(base_url=BASE_URL, email=EMAIL, api_key=API_KEY, env={}, transport=httpx.MockTransport(_created))
    with client, httpx.Client(**_raw_args()) as raw:  # type: ignore[arg-type]
        return interleave(
            lambda: _per_call(batch, lambda: invite_user(client, INVITATION)),
            lambda: _per_call(batch, lambda: raw.post("/users", json=BODY).json()),
            repeats,
        )


async def _async(repeats: int, batch: int) -> tuple[list[float], list[float]]:
    client = connect(base_url=BASE_URL, email=EMAIL, api_key=API_KEY, env={}, transport=httpx.MockTransport(_created))
    ours: list[float] = []
    theirs: list[float] = []

    async def raw_post(raw: httpx.AsyncClient) -> object:
        return (await raw.post("/users", json=BODY)).json()

    async with httpx.AsyncClient(**_raw_args()) as raw:  # type: ignore[arg-type]
        await _per_call_async(batch, lambda: invite_user_async(client, INVITATION))  # warm-up
        await _per_call_async(batch, lambda: raw_post(raw))
        for round_ in range(repeats):
            if round_ % 2 == 0:
                ours.append(await _per_call_async(batch, lambda: invite_user_async(client, INVITATION)))
                theirs.append(await _per_call_async(batch, lambda: raw_post(raw)))
            else:
                theirs.append(await _per_call_async(batch, lambda: raw_post(raw)))
                ours.append(await _per_call_async(batch, lambda: invite_user_async(client, INVITATION)))
    await client.get_async_httpx_client().aclose()
    return ours, theirs


def rows(settings: Settings) -> list[Row]:
    repeats, batch = settings.pick((15, 500), (5, 200))
    sync_ours, sync_theirs = _sync(repeats, batch)
    async_ours, async_theirs = asyncio.run(_async(repeats, batch))
    note = f"{repeats} interleaved batches of {batch} calls after one unrecorded warm-up batch"
    return [
        Row("client", "invite_user", "µs/call", sync_ours, sync_theirs, "httpx.Client.post + .json()", 1.3, note=note),
        Row("client", "invite_user_async", "µs/call", async_ours, async_theirs, "httpx.AsyncClient.post + .json()",
            1.3, note=note),
    ]  # fmt: skip
