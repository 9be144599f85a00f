"""The `deployhq_sandbox` fixture's cost per test, next to the same test on a client over httpx's MockTransport.

Each side is a pytest run, in a process of its own, of the same number of tests that each invite one user and check
the result: through the fixture (a fresh account, its SQLite file, a real HTTP call on loopback, the outbox), or
through `connect()` on a `MockTransport` answering a canned 201 (what a test without a fake server does). A small
plugin times each test's setup, call and teardown; a run's figure is its median test, so the session's one-off
start (the sandbox's server, in the first test) stays out of it. Runs alternate (ABBA) after a warm-up pair.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from ._harness import NotMeasured, Row, Settings, interleave, measuring
from .client import API_KEY, BASE_URL, CREATED, EMAIL

# 100 sandbox tests take about 10 s on a loaded 2-core machine; ten times that is a hung run.
RUN_TIMEOUT = 300.0

# Times every test (setup, call and teardown) and writes the list to $BENCH_TIMES at the end of the session.
CONFTEST = """\
import json
import os
import time

import pytest

TIMES = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.perf_counter()
    yield
    TIMES.append(time.perf_counter() - start)


def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["BENCH_TIMES"], "w", encoding="utf-8") as file:
        json.dump(TIMES, file)
"""

FIXTURE_TESTS = """\
import pytest

from deployhq_client.models import UserInvitation
from deployhq_users import invite_user


@pytest.mark.parametrize("number", range({count}))
def test_invites_one_user(deployhq_sandbox, number):
    address = f"jane-{{number}}@example.com"
    user = invite_user(deployhq_sandbox.client, UserInvitation(first_name="Jane", email_address=address))
    assert (address, [(address, "invitation")]) == (
        user.email_address, [(m.to, m.kind) for m in deployhq_sandbox.outbox]
    )
"""

MOCK_TESTS = """\
import httpx
import pytest

from deployhq_client.models import UserInvitation
from deployhq_users import connect, invite_user

CREATED = {created!r}


@pytest.fixture
def client():
    sent = []

    def answer(request):
        sent.append(request)
        return httpx.Response(201, content=CREATED, headers={{"Content-Type": "application/json"}})

    with connect(base_url={base_url!r}, email={email!r}, api_key={api_key!r}, env={{}},
                 transport=httpx.MockTransport(answer)) as client:
        yield client, sent


@pytest.mark.parametrize("number", range({count}))
def test_invites_one_user(client, number):
    client, sent = client
    user = invite_user(client, UserInvitation(first_name="Jane", email_address="jane@example.com"))
    assert ("jane@example.com", 1) == (user.email_address, len(sent))
"""


def write_tests(folder: Path, count: int) -> tuple[Path, Path]:
    """The fixture's and the mock's test files (*count* tests each) and the timing conftest, in *folder*."""
    (folder / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    fixture = folder / "test_fixture.py"
    fixture.write_text(FIXTURE_TESTS.format(count=count), encoding="utf-8")
    mock = folder / "test_mock.py"
    mock.write_text(
        MOCK_TESTS.format(count=count, created=CREATED, base_url=BASE_URL, email=EMAIL, api_key=API_KEY),
        encoding="utf-8",
    )
    return fixture, mock


def per_test_ms(tests: Path, count: int) -> float:
    """The median milliseconds per test of one pytest run of *tests*, in a process of its own."""
    times = tests.with_suffix(".times.json")
    times.unlink(missing_ok=True)
    # The project's own plugins that a user's run would not have (the judge is inert anyway) stay out of the timing.
    command = [sys.executable, "-m", "pytest", str(tests), "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    env = {**os.environ, "BENCH_TIMES": str(times)}
    try:
        result = subprocess.run(
            command, cwd=tests.parent, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise NotMeasured(f"{tests.name} did not finish within {RUN_TIMEOUT:g} s") from None
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0:
        raise NotMeasured(f"{tests.name} exited {result.returncode}: {lines[-1] if lines else result.stderr[-300:]}")
    measured: list[float] = json.loads(times.read_text(encoding="utf-8"))
    if len(measured) != count:
        raise NotMeasured(f"{tests.name} timed {len(measured)} tests, not {count}")
    return statistics.median(measured) * 1000


def rows(settings: Settings) -> list[Row]:
    count = settings.pick(100, 20)
    repeats = settings.pick(5, 2)
    row = Row(
        "sandbox", "deployhq_sandbox, per test", "ms", baseline_name="connect() on httpx MockTransport",
        note=f"median test of a pytest run of {count} tests that each invite one user",
    )  # fmt: skip
    with measuring(row), tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        fixture, mock = write_tests(Path(tmp), count)
        row.candidate, row.baseline = interleave(
            lambda: per_test_ms(fixture, count), lambda: per_test_ms(mock, count), repeats
        )
    return [row]
