"""Wiring of the contract suite: options, hypothesis profiles, the target, and cleanup after the run.

Run it with `nox -s contract` (embedded reference server) or
`pytest contract_tests --base-url URL [--live]` (any other server).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from . import checks, runtime  # importing checks registers the suite's checks with schemathesis
from .cleanup import delete_all
from .guard import LEDGER_PATH, Guard, GuardedTransport, Ledger, guarded_session
from .target import Target, TargetError

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
REPORTS = ROOT / "reports"
JUNIT_REPORT = REPORTS / "contract-junit.xml"

# Profiles. Schemathesis sets deadline=None itself; the health checks are suppressed because an HTTP
# round trip per example is slow by Hypothesis' standards, and a shared target filters many inputs.
_COMMON: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
}
settings.register_profile("ci", max_examples=25, derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("dev", max_examples=100, print_blob=True, **_COMMON)
# Against a real account every accepted invite is a real email: few examples, no shrinking.
settings.register_profile(
    "live", max_examples=3, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate], **_COMMON
)
# For running the suite many times (nox -s teeth): no coverage phase, few examples.
settings.register_profile("quick", max_examples=10, derandomize=True, database=None, **_COMMON)
PROFILES = ("ci", "dev", "live", "quick")
# The coverage phase adds ~100 deterministic requests per operation (one per time zone for POST /users).
PHASES = {"live": ["examples", "fuzzing", "stateful"], "quick": ["examples", "fuzzing", "stateful"]}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "DeployHQ Users API contract suite")
    group.addoption(
        "--base-url",
        help="judge this server (default: DEPLOYHQ_BASE_URL, DEPLOYHQ_ACCOUNT, "
        "else an embedded reference server on a free loopback port)",
    )
    group.addoption(
        "--live",
        action="store_true",
        default=os.environ.get("DEPLOYHQ_CONTRACT_LIVE") == "1",
        help="allow a non-loopback target and turn on the live safety rails (DEPLOYHQ_CONTRACT_LIVE=1)",
    )
    group.addoption(
        "--email-domain",
        default=os.environ.get("DEPLOYHQ_CONTRACT_EMAIL_DOMAIN", "example.com"),
        help="every address the suite invites is in this domain (default: example.com)",
    )
    group.addoption(
        "--create-budget",
        type=int,
        default=None,
        help="at most this many POST /users requests (default: 40 with --live, unlimited otherwise)",
    )
    group.addoption(
        "--rate-limit", type=float, default=None, help="at most this many requests per second (default: 2 with --live)"
    )
    group.addoption(
        "--max-examples",
        type=int,
        default=None,
        help="examples per operation, overriding the profile's (the coverage phase adds its own)",
    )
    group.addoption(
        "--dry-run",
        action="store_true",
        help="print the requests the run would send (credentials filtered) and send none",
    )
    group.addoption(
        "--contract-profile",
        choices=PROFILES,
        default=None,
        help="hypothesis profile: ci, dev, live or quick "
        "(default: DEPLOYHQ_CONTRACT_PROFILE, else live with --live, else ci)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    live = bool(config.getoption("--live"))
    try:
        target = Target.external(
            config.getoption("--base-url"),
            live=live,
            email_domain=config.getoption("--email-domain"),
            create_budget=config.getoption("--create-budget") or (40 if live else None),
            rate_limit=config.getoption("--rate-limit") or (2.0 if live else None),
        )
    except TargetError as error:
        raise pytest.UsageError(f"contract suite refused to start: {error}") from None
    config.stash[_TARGET] = target
    email_domain = config.getoption("--email-domain")
    os.environ["DEPLOYHQ_CONTRACT_EMAIL_DOMAIN"] = email_domain
    os.environ["DEPLOYHQ_CONTRACT_LIVE"] = "1" if live else "0"
    profile = config.getoption("--contract-profile") or os.environ.get("DEPLOYHQ_CONTRACT_PROFILE")
    profile = profile or ("live" if live else "ci")
    settings.load_profile(profile)
    if config.getoption("--max-examples"):
        settings.register_profile(
            "custom", settings.get_profile(profile), max_examples=config.getoption("--max-examples")
        )
        settings.load_profile("custom")
    config.stash[_PROFILE] = profile
    if not getattr(config.option, "xmlpath", None):
        REPORTS.mkdir(exist_ok=True)
        config.option.xmlpath = str(JUNIT_REPORT)
    if config.getoption("--help", False):
        return
    if config.getoption("--dry-run"):
        # Nothing is sent, so nothing is started: the embedded server is only named.
        target = target or Target(base_url="http://127.0.0.1:0", email="", api_key="", embedded=True)
    elif target is None:
        target = _start_embedded_server(config, email_domain)
    runtime.start(runtime.Run(target=target, schema=_load_schema(target, config.stash[_PROFILE])))


def pytest_unconfigure(config: pytest.Config) -> None:
    runtime.stop()
    stack = config.stash.get(_SERVER, None)
    if stack is not None:
        stack.close()


def _start_embedded_server(config: pytest.Config, email_domain: str) -> Target:
    """A reference server on a free loopback port with a fresh SQLite file, stopped when pytest ends."""
    from deployhq_sandbox import Accounts, create_app, serve

    accounts = Accounts.from_env()
    directory = tempfile.mkdtemp(prefix="contract-")
    database = Path(directory) / "users.sqlite3"
    stack = contextlib.ExitStack()
    stack.callback(shutil.rmtree, directory, ignore_errors=True)
    config.stash[_SERVER] = stack
    base_url = stack.enter_context(serve(create_app(database, accounts=accounts)))
    admin = accounts.administrator
    return Target(base_url=base_url, email=admin.email, api_key=admin.api_key, embedded=True, email_domain=email_domain)


def _load_schema(target: Target, profile: str) -> Any:
    """openapi.yaml, loaded by schemathesis and aimed at the target."""
    schema = schemathesis.openapi.from_path(SPEC)
    schema.config.update(
        base_url=target.base_url,
        basic_auth=target.credentials,
        headers={"Accept": "application/json"},
        request_retries=0,  # an unanswered invite is never re-sent
    )
    # Constants analysis feeds string literals of the app's modules into generated data; a credential
    # must never be one of them. Over HTTP there is no app to read, but keep it off whatever the target.
    schema.config.analysis.constants.enabled = False
    # Spend the negative budget on bodies, not on mangled Authorization headers; auth has its own tests.
    schema.config.generation.update(with_security_parameters=False, database="none")
    if target.live or profile in PHASES:
        # Live: the coverage phase's ~100 requests per operation would be ~100 real emails.
        schema.config.phases.update(phases=PHASES.get(profile, PHASES["live"]))
    return schema


_TARGET = pytest.StashKey["Target | None"]()
_SERVER = pytest.StashKey[contextlib.ExitStack]()
_PROFILE = pytest.StashKey[str]()
_GUARD = pytest.StashKey[Guard]()


@pytest.fixture(scope="session", name="target")
def _target() -> Target:
    """The server under judgement: the one named on the command line, or the embedded reference server."""
    return runtime.current().target


@pytest.fixture(scope="session", name="guard")
def _guard(request: pytest.FixtureRequest, target: Target) -> Iterator[Guard]:
    """Budget, pacing and the ledger of created users, shared by every request of the run."""
    REPORTS.mkdir(exist_ok=True)
    ledger = Ledger(None if target.embedded else LEDGER_PATH, target.base_url)
    ledger.load()  # users an earlier, killed run left behind are removed at the end of this one
    guard = Guard(create_budget=target.create_budget, rate_limit=target.rate_limit, ledger=ledger)
    request.config.stash[_GUARD] = guard
    yield guard
    _clean_up(target, guard)


@pytest.fixture(scope="session", name="http")
def _http(guard: Guard, target: Target) -> Iterator[requests.Session]:
    """A requests session through the guard, signed in as the target's administrator."""
    session = guarded_session(guard)
    session.headers["Accept"] = "application/json"
    yield session
    session.close()


@pytest.fixture(scope="session", name="api_schema")
def _api_schema() -> Any:
    """openapi.yaml, loaded by schemathesis and aimed at the target."""
    return runtime.schema()


@pytest.fixture(scope="session", name="client")
def _client(target: Target, guard: Guard) -> Any:
    """The generated client, built the way users build it (`connect`), sending through the guard."""
    from deployhq_users import connect

    return connect(
        base_url=target.base_url, email=target.email, api_key=target.api_key, transport=GuardedTransport(guard)
    )


def _clean_up(target: Target, guard: Guard) -> None:
    """Delete every user the run created, whatever happened during the run (also after Ctrl-C).

    The embedded server's database is a temporary file thrown away with it: nothing to delete there.
    """
    if target.embedded:
        return
    delete_all(target, guard.ledger)
    guard.ledger.rewrite()


# Cheap, explicit promises first: a broken server then fails in seconds, before the fuzzing starts.
_ORDER = ("test_promises.py", "test_client_roundtrip.py", "test_conformance.py", "test_stateful.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return _ORDER.index(name) if name in _ORDER else len(_ORDER)

    items.sort(key=rank)


def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """With --dry-run: show what would be sent instead of running anything."""
    if not session.config.getoption("--dry-run"):
        return None
    from .dry_run import planned_requests

    examples = settings().max_examples
    commands = planned_requests(runtime.schema(), examples)
    writer = session.config.get_terminal_writer()
    for command in commands:
        writer.line(command)
    writer.line(f"dry run: {len(commands)} requests shown ({examples} per operation); none was sent")
    return True


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    guard = config.stash.get(_GUARD, None)
    if guard is not None:
        ledger = guard.ledger
        terminalreporter.section("contract run")
        if runtime.current().target.embedded:
            left = []
            terminalreporter.write_line(
                f"requests sent: {guard.requests_sent}; users created: {len(ledger.created)} "
                "(the embedded server's database is discarded with it)"
            )
        else:
            left = ledger.outstanding
            terminalreporter.write_line(
                f"requests sent: {guard.requests_sent}; users created: {len(ledger.created)}, "
                f"deleted: {len(ledger.created) - len(left)}, left behind: {len(left)}"
            )
        for identifier in left:
            terminalreporter.write_line(f"  left behind: {identifier}  (remove: python -m contract_tests.cleanup)")
        if config.getoption("--junitxml", None) or getattr(config.option, "xmlpath", None):
            terminalreporter.write_line(f"JUnit report: {config.option.xmlpath}")
    if checks.DRIFT.fields:
        terminalreporter.section("additive drift (warning, not a failure)")
        for operation, names in sorted(checks.DRIFT.fields.items()):
            terminalreporter.write_line(
                f"{operation} answered fields the spec does not know: {', '.join(sorted(names))}"
            )
