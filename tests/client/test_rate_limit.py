"""rate_limit_retries against the reference server's real rate limit, over loopback HTTP, with its SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import stamina.instrumentation
from stamina.instrumentation import RetryDetails
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deployhq_client import Client
from deployhq_client.models import User, UserInvitation
from deployhq_sandbox import Accounts, create_app, serve
from deployhq_users import (
    RateLimitedError,
    get_user,
    invite_user,
    invite_user_async,
    list_users,
    list_users_async,
    update_user,
)

from .conftest import Served

pytestmark = pytest.mark.slow

LIMIT = 2  # requests a second per caller: a burst of six gets 429s, and waiting them out takes about two seconds
RETRIES = 5  # more than any call of the bursts below needs, so none runs out


def invitation(name: str) -> UserInvitation:
    return UserInvitation(first_name=name, email_address=f"{name.lower()}@example.com")


class Answers:
    """ASGI middleware keeping the status and `Retry-After` of every answer, in the order they were sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.sent: list[tuple[int, str | None]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = {name.decode().lower(): value.decode() for name, value in message.get("headers", [])}
                self.sent.append((message["status"], headers.get("retry-after")))
            await send(message)

        await self.app(scope, receive, keep)

    def statuses(self) -> list[int]:
        return [status for status, _ in self.sent]

    def retry_afters(self) -> list[float]:
        """The `Retry-After` of each 429, in seconds, in the order they were sent."""
        return [float(int(retry_after or "")) for status, retry_after in self.sent if status == 429]


@dataclass(frozen=True)
class Limited:
    """The reference server with `rate_limit=LIMIT`, what it answered, and its SQLite file."""

    served: Served
    answers: Answers

    def invited(self) -> list[str]:
        """The address of every user in the server's SQLite file but its default accounts."""
        defaults = {account.email for account in self.served.accounts}
        with closing(sqlite3.connect(self.served.database)) as connection:
            rows = connection.execute("SELECT email_address FROM users ORDER BY id").fetchall()
        return [address for (address,) in rows if address not in defaults]


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Limited]:
    """The reference server on a free loopback port, limited to LIMIT requests a second per caller."""
    accounts = Accounts.defaults()
    database = tmp_path / "users.sqlite3"
    answers = Answers(create_app(database, accounts=accounts, rate_limit=LIMIT))
    admin = accounts.administrator
    with serve(answers) as base_url:
        yield Limited(Served(base_url, admin.email, admin.api_key, accounts, database), answers)


@dataclass
class Wait:
    """One retry as stamina scheduled it: which, the wait it announced, the 429 behind it, the time it really idled."""

    retry_num: int
    wait_for: float
    retry_after: float | None
    scheduled: float = field(default_factory=time.monotonic)
    idled: float | None = None

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        # stamina exits a hook's context right before the retry is sent; it may exit it again before a later
        # retry of the same call (26.1 keeps every context it entered), so only the first exit counts.
        if self.idled is None:
            self.idled = time.monotonic() - self.scheduled


@pytest.fixture
def waits() -> Iterator[list[Wait]]:
    """Every retry stamina schedules during the test, through its on-retry instrumentation hook."""
    scheduled: list[Wait] = []

    def hook(details: RetryDetails) -> Wait:
        cause = details.caused_by
        retry_after = cause.retry_after if isinstance(cause, RateLimitedError) else None
        scheduled.append(Wait(details.retry_num, details.wait_for, retry_after))
        return scheduled[-1]

    stamina.instrumentation.set_on_retry_hooks([hook])
    try:
        yield scheduled
    finally:
        stamina.instrumentation.set_on_retry_hooks(None)  # back to stamina's default hooks


NAMES = ("Ada", "Grace", "Edsger")


def burst(client: Client, retries: int) -> tuple[list[User], User, User, list[User]]:
    """Six calls back to back: three invitations, a read and a change of the first, the list."""
    users = [invite_user(client, invitation(name), rate_limit_retries=retries) for name in NAMES]
    return (
        users,
        get_user(client, users[0].identifier, rate_limit_retries=retries),
        update_user(client, users[0].identifier, last_name="Lovelace", rate_limit_retries=retries),
        list_users(client, rate_limit_retries=retries),
    )


async def burst_async(client: Client, retries: int) -> list[object]:
    """Six calls at once: three invitations and three lists; an exception is returned in its call's place."""
    calls: list[Awaitable[object]] = [
        invite_user_async(client, invitation(name), rate_limit_retries=retries) for name in NAMES
    ]
    calls += [list_users_async(client, rate_limit_retries=retries) for _ in NAMES]
    async with client:
        return await asyncio.gather(*calls, return_exceptions=True)


def assert_honoured(waits: list[Wait]) -> None:
    """Each retry waited exactly the Retry-After of the 429 behind it, and really idled that long before sending."""
    assert [wait.retry_after for wait in waits] == [wait.wait_for for wait in waits]
    # A lower bound, so a loaded machine cannot fail it (it only idles longer); asyncio may wake a timer up to
    # its clock's resolution (1 ns) early, hence the millisecond.
    assert [] == [wait for wait in waits if wait.idled is None or wait.idled < wait.wait_for - 0.001]


def assert_waited_out(waits: list[Wait], answers: Answers, *, in_order: bool) -> None:
    """Each 429 the server sent was waited out once, for exactly its Retry-After, before the retry was sent."""
    assert waits, "the server never answered 429: the test proves nothing"
    sent, announced = answers.retry_afters(), [wait.wait_for for wait in waits]
    # One call after another is retried in the server's order; concurrent calls in whatever order their waits end.
    assert (sent if in_order else sorted(sent)) == (announced if in_order else sorted(announced))
    assert_honoured(waits)


def test_a_burst_with_retries_waits_out_every_429(limited, waits):
    """Six calls in a row past the limit all succeed, each 429 waited out as its Retry-After says, once."""
    with limited.served.connect() as client:
        invited, read, changed, listed = burst(client, RETRIES)

    assert_waited_out(waits, limited.answers, in_order=True)
    assert [*(201 for _ in NAMES), 200, 200, 200] == [s for s in limited.answers.statuses() if s != 429]
    assert [invitation(name).email_address for name in NAMES] == [user.email_address for user in invited]
    assert [invitation(name).email_address for name in NAMES] == limited.invited()
    assert (invited[0].identifier, "Lovelace") == (read.identifier, changed.last_name)
    assert set(limited.invited()) <= {user.email_address for user in listed}


@pytest.mark.anyio
async def test_an_async_burst_with_retries_waits_out_every_429(limited, waits):
    """Six concurrent async calls past the limit all succeed; each 429 waited out once; each invitation made once."""
    results = await burst_async(limited.served.connect(), RETRIES)

    assert_waited_out(waits, limited.answers, in_order=False)
    assert [] == [result for result in results if isinstance(result, BaseException)]
    assert [200] * 3 + [201] * 3 == sorted(s for s in limited.answers.statuses() if s != 429)
    assert sorted(invitation(name).email_address for name in NAMES) == sorted(limited.invited())
    assert [True] * 3 == [isinstance(result, User) for result in results[:3]]


def test_a_burst_without_retries_raises_rate_limited(limited, waits):
    """The same burst without rate_limit_retries stops at the first 429: RateLimitedError with its Retry-After."""
    with limited.served.connect() as client, pytest.raises(RateLimitedError) as caught:
        burst(client, 0)

    assert ([], 429) == (waits, limited.answers.statuses()[-1])
    assert limited.answers.retry_afters() == [caught.value.retry_after]
    # Only the invitations answered 201 exist: the refused one was not made, and nothing was sent again.
    assert limited.answers.statuses().count(201) == len(limited.invited())


@pytest.mark.anyio
async def test_an_async_burst_without_retries_raises_rate_limited(limited, waits):
    """Six concurrent async calls without retries: each call past the limit raises RateLimitedError, once."""
    results = await burst_async(limited.served.connect(), 0)
    refused = [result for result in results if isinstance(result, RateLimitedError)]

    assert refused, "the server never answered 429: the test proves nothing"
    assert ([], len(refused)) == (waits, len([result for result in results if isinstance(result, BaseException)]))
    assert Counter(limited.answers.retry_afters()) == Counter(error.retry_after for error in refused)
    assert (len(results), limited.answers.statuses().count(201)) == (len(limited.answers.sent), len(limited.invited()))


@pytest.mark.anyio
async def test_too_few_retries_give_up_after_the_last(limited, waits):
    """With rate_limit_retries=1 a call refused twice raises RateLimitedError; nothing is sent a third time."""
    results = await burst_async(limited.served.connect(), 1)
    refused = [result for result in results if isinstance(result, RateLimitedError)]

    assert (True, True) == (bool(waits), bool(refused)), "no call was retried, or none ran out: this proves nothing"
    assert (len(refused), {1}) == (
        len([result for result in results if isinstance(result, BaseException)]), {wait.retry_num for wait in waits}
    )  # fmt: skip
    assert_honoured(waits)
    # Every 429 was either waited out (one retry) or raised (the call's second 429): none is lost or sent again.
    assert limited.answers.statuses().count(429) == len(waits) + len(refused)
    assert len(results) + len(waits) == len(limited.answers.sent)
    assert limited.answers.statuses().count(201) == len(limited.invited())
