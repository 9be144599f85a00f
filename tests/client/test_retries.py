"""How long rate_limit_retries may wait, and where its waits are told: the `deployhq_users` logger, silent unless
the application configures logging.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import httpx
import pytest

from deployhq_users import ConfigurationError, RateLimitedError, connect, invite_user, invite_user_async, list_users

from .conftest import API_KEY, EMAIL, SECRETS
from .test_errors import ADA, created, limited


def test_a_retry_after_over_the_cap_is_raised_at_once(api):
    """A 429 asking for 86,400 s is RateLimitedError at once, with rate_limit_retries: one request, no wait."""
    client, server = api(limited("86400"))
    started = time.monotonic()
    with pytest.raises(RateLimitedError) as caught:
        invite_user(client, ADA, rate_limit_retries=3)
    assert (1, 86400.0) == (len(server.requests), caught.value.retry_after)
    assert time.monotonic() - started < 5
    assert "its Retry-After of 86400 s is over the 60 s this client waits (connect(max_retry_wait=...))" in str(
        caught.value
    )


@pytest.mark.anyio
async def test_an_async_call_raises_a_retry_after_over_the_cap_at_once(api):
    """The async call the same way: one request, RateLimitedError."""
    client, server = api(limited("3600"))
    with pytest.raises(RateLimitedError, match="over the 60 s this client waits"):
        await invite_user_async(client, ADA, rate_limit_retries=3)
    assert 1 == len(server.requests)


def test_the_cap_is_the_callers_to_set(api, seed):
    """max_retry_wait moves the cap: with 0, even a 1 s Retry-After is raised; within the cap it is waited out."""
    client, server = api(limited("1"), max_retry_wait=0)
    with pytest.raises(RateLimitedError, match="over the 0 s"):
        invite_user(client, ADA, rate_limit_retries=1)
    client, server = api(limited("0.2"), created(seed["response"]), max_retry_wait=0.5)
    assert 12345 == invite_user(client, ADA, rate_limit_retries=1).id
    assert 2 == len(server.requests)


@pytest.mark.parametrize("value", [-1, float("inf"), float("nan"), "60", True, None])
def test_a_bad_cap_is_refused(value):
    """A max_retry_wait that is no duration is a ConfigurationError naming it."""
    with pytest.raises(ConfigurationError, match=r"max_retry_wait=.* is not a duration"):
        connect(base_url="https://acme.deployhq.com", email=EMAIL, api_key=API_KEY, env={}, max_retry_wait=value)


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"max_answer_bytes": 0}, "max_answer_bytes=0 is not a size"),
        ({"max_answer_bytes": 1.5}, "max_answer_bytes=1.5 is not a size"),
        ({"deadline": 0}, "deadline=0 is not a duration"),
        ({"deadline": None}, "deadline=None is not a number of seconds"),
    ],
)
def test_bad_limits_are_refused(limits, message):
    """A size or a deadline that is no size or duration is a ConfigurationError naming it."""
    with pytest.raises(ConfigurationError, match=message.replace(".", r"\.")):
        connect(base_url="https://acme.deployhq.com", email=EMAIL, api_key=API_KEY, env={}, **limits)


# -- Logging ----------------------------------------------------------------------------------------------------------

# A script as a user writes it: no logging configured, a 429 waited out. Its stderr must stay empty.
SCRIPT = textwrap.dedent(
    """
    import sys, httpx
    from deployhq_users import connect, list_users

    answers = [httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(200, json=[])]
    client = connect(
        base_url="https://acme.deployhq.com", email=sys.argv[1], api_key=sys.argv[2], env={},
        transport=httpx.MockTransport(lambda request: answers.pop(0)),
    )
    print(list_users(client, rate_limit_retries=1), len(answers))
    """
)


def test_waiting_out_a_429_prints_nothing_by_default():
    """With no logging configured, waiting out a 429 writes nothing on stderr (stamina's bare line included)."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, EMAIL, API_KEY], capture_output=True, text=True, timeout=60, check=False
    )
    assert (0, "[] 0\n", "") == (done.returncode, done.stdout, done.stderr)


@pytest.fixture
def told() -> Iterator[list[logging.LogRecord]]:
    """Every record the `deployhq_users` logger emits at INFO and above during the test."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("deployhq_users")
    handler, level = Keep(logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_a_configured_logger_sees_each_wait(api, seed, told):
    """The package's logger tells each wait: the call, which retry of how many, and the Retry-After waited."""
    client, _ = api(limited("0"), limited("0.1"), created(seed["response"]))
    invite_user(client, ADA, rate_limit_retries=3)
    assert [
        "invite_user: answered 429, retry 1 of 3 in 0 s (its Retry-After)",
        "invite_user: answered 429, retry 2 of 3 in 0.1 s (its Retry-After)",
    ] == [record.getMessage() for record in told]
    assert [(logging.INFO, 1, 0.0), (logging.INFO, 2, 0.1)] == [
        (record.levelno, record.deployhq_retry, record.deployhq_wait) for record in told
    ]


def test_no_wait_is_told_when_none_follows(api, told):
    """The last 429, raised instead of waited out, is not logged as a wait."""
    client, _ = api(limited("0"))
    with pytest.raises(RateLimitedError):
        list_users(client, rate_limit_retries=1)
    assert ["list_users: answered 429, retry 1 of 1 in 0 s (its Retry-After)"] == [r.getMessage() for r in told]


def test_a_wait_without_retry_after_is_told_as_a_backoff(api, told):
    """A 429 with no Retry-After is waited out with stamina's backoff, and told so."""
    client, _ = api(httpx.Response(429), httpx.Response(200, json=[]))
    assert [] == list_users(client, rate_limit_retries=1)
    assert ["list_users: answered 429, retry 1 of 1 in a backoff"] == [record.getMessage() for record in told]


def test_the_key_is_in_no_log_record(api, told):
    """A 429 echoing the key: no record of the package's logger shows it."""
    client, _ = api(httpx.Response(429, text=f"slow down {API_KEY}", headers={"Retry-After": "0"}))
    with pytest.raises(RateLimitedError):
        list_users(client, rate_limit_retries=2)
    text = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in told)
    assert (True, []) == (bool(told), [secret for secret in SECRETS if secret in text])


def test_stamina_still_logs_the_applications_own_retries(caplog):
    """Only this package's retries are kept out of stamina's log: an application's own stamina retry is logged."""
    import stamina

    attempts = []

    @stamina.retry(on=ValueError, attempts=2, wait_initial=0, wait_jitter=0)
    def flaky() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("once")

    with caplog.at_level(logging.WARNING, logger="stamina"):
        flaky()
    assert ["stamina.retry_scheduled"] == [record.getMessage() for record in caplog.records if record.name == "stamina"]


def test_stamina_still_logs_retries_inside_the_callers_transport(api, caplog):
    """A caller's transport that retries with stamina itself is logged by stamina, even inside a retried call."""
    import stamina

    tries: list[int] = []

    @stamina.retry(on=ConnectionError, attempts=2, wait_initial=0, wait_jitter=0)
    def flaky_send(request: httpx.Request) -> httpx.Response:
        tries.append(1)
        if len(tries) in (1, 3):  # each of the two requests fails once inside the transport
            raise ConnectionError("once")
        return httpx.Response(429, headers={"Retry-After": "0"}) if len(tries) == 2 else httpx.Response(200, json=[])

    client, _ = api(flaky_send)
    with caplog.at_level(logging.WARNING, logger="stamina"):
        assert [] == list_users(client, rate_limit_retries=1)
    assert ["stamina.retry_scheduled"] * 2 == [r.getMessage() for r in caplog.records if r.name == "stamina"]
