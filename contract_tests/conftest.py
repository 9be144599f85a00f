"""Wiring of the contract suite: options, hypothesis profiles, the target, preflight, and cleanup after the run.

Run it with `nox -s contract` (embedded reference server) or
`pytest contract_tests --base-url URL [--live]` (any other server).
Exit codes: 0 the target keeps the contract; 1 it breaks a promise; 4 it could not be judged (a refused
option or target, or a preflight refusal: unreachable, credentials refused, not allowed, not this API).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky

# Importing checks and leniency registers the suite's own checks with schemathesis.
from . import calibration, checks, leniency, preflight, provenance, runtime
from .api import Api
from .cleanup import delete_all
from .guard import (
    CLEANUP_COMMAND,
    LEDGER_PATH,
    BudgetExhaustedError,
    Guard,
    GuardedTransport,
    KeptRateLimitingError,
    Ledger,
    guarded_session,
)
from .hooks import DEFAULT_EMAIL_DOMAIN, is_valid_address, unique_address
from .spec import SPEC
from .summary import BROKEN_MARK, Outcome, Summary
from .target import LIVE_CREATE_BUDGET, LIVE_RATE_LIMIT, Credentials, Target, TargetError

# Reports go to ./reports of the directory the run starts in (the repository root for `nox -s contract`).
REPORTS = Path("reports").resolve()
JUNIT_REPORT = REPORTS / "contract-junit.xml"
SUMMARY_REPORT = REPORTS / "contract-summary.md"
CALIBRATION_REPORT = REPORTS / "contract-calibration.json"

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


def _at_least(minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is below {minimum}")
        return value

    return parse


def _positive_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of requests per second") from None
    # At least one request in 100 seconds: slower is no rate a run could finish at (and 1/value must not overflow).
    if not 0.01 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a rate: give requests per second from 0.01 up, e.g. 0.5")
    return value


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
        "--contract-strict",
        action="store_true",
        default=os.environ.get("DEPLOYHQ_CONTRACT_STRICT") == "1",
        help="with --live, fail on invalid generated data the target accepts instead of reporting it as leniency",
    )
    group.addoption(
        "--email-domain",
        default=os.environ.get("DEPLOYHQ_CONTRACT_EMAIL_DOMAIN", DEFAULT_EMAIL_DOMAIN),
        help="every address the suite invites is in this domain (default: example.com)",
    )
    group.addoption(
        "--create-budget",
        type=_at_least(0),
        default=None,
        help=f"at most this many accepted invitations and resends, each a real email; 0 sends none "
        f"(default: {LIVE_CREATE_BUDGET} with --live, unlimited otherwise)",
    )
    group.addoption(
        "--rate-limit",
        type=_positive_rate,
        default=None,
        help=f"at most this many requests per second, above 0 (default: {LIVE_RATE_LIMIT:g} with --live)",
    )
    group.addoption(
        "--max-examples",
        type=_at_least(1),
        default=None,
        help="generated examples per operation, 1 or more, overriding the profile's (the coverage phase adds its own)",
    )
    group.addoption(
        "--dry-run",
        action="store_true",
        help="print the generated requests a run would send (credentials filtered) and send none",
    )
    group.addoption(
        "--list-promises",
        action="store_true",
        help="print every promise (operation, sentence, source, test) as a JSON array and send nothing",
    )
    group.addoption(
        "--contract-profile",
        choices=PROFILES,
        default=os.environ.get("DEPLOYHQ_CONTRACT_PROFILE") or None,
        help="hypothesis profile: ci, dev, live or quick "
        "(default: DEPLOYHQ_CONTRACT_PROFILE, else live with --live, else ci)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "operation(operation_id): the operation whose promise the test judges")
    config.addinivalue_line("markers", "conditional: judged only when its situation arises (e.g. a 429)")
    live = bool(config.getoption("--live"))
    email_domain = config.getoption("--email-domain")
    dry_run = bool(config.getoption("--dry-run"))
    create_budget = config.getoption("--create-budget")
    rate_limit = config.getoption("--rate-limit")
    try:
        _check_email_domain(email_domain)
        target = Target.external(
            config.getoption("--base-url"),
            live=live,
            strict=bool(config.getoption("--contract-strict")),
            email_domain=email_domain,
            create_budget=LIVE_CREATE_BUDGET if create_budget is None and live else create_budget,
            rate_limit=LIVE_RATE_LIMIT if rate_limit is None and live else rate_limit,
        )
    except TargetError as error:
        raise pytest.UsageError(f"contract suite refused to start: {error}") from None
    # The hooks read these (they also serve a raw `st run`); restored when the run ends.
    config.stash[_RESTORE] = {name: os.environ.get(name) for name in _HOOK_VARIABLES}
    os.environ["DEPLOYHQ_CONTRACT_EMAIL_DOMAIN"] = email_domain
    os.environ["DEPLOYHQ_CONTRACT_LIVE"] = "1" if live else "0"
    config.stash[_RESTORE]["hypothesis profile"] = settings.get_current_profile_name()
    checks.DRIFT.clear()
    leniency.LENIENCY.clear()
    calibration.CALIBRATION.clear()
    profile = config.getoption("--contract-profile") or ("live" if live else "ci")
    if profile not in PROFILES:  # from DEPLOYHQ_CONTRACT_PROFILE, which argparse's choices do not check
        raise pytest.UsageError(f"contract suite refused to start: no profile {profile!r} (choose from {PROFILES})")
    settings.load_profile(profile)
    if config.getoption("--max-examples") is not None:
        settings.register_profile(
            "custom", settings.get_profile(profile), max_examples=config.getoption("--max-examples")
        )
        settings.load_profile("custom")
    config.stash[_PROFILE] = profile
    # Asking for help, listing the tests or a dry run sends nothing, starts nothing and has no verdict: it must
    # not replace the last real run's reports.
    listing = config.getoption("--list-promises")
    sends = not (dry_run or listing or config.getoption("--help", False) or config.getoption("--collectonly", False))
    config.stash[_SENDS] = sends
    if not sends:
        config.option.xmlpath = None
    elif not getattr(config.option, "xmlpath", None):
        REPORTS.mkdir(exist_ok=True)
        config.option.xmlpath = str(JUNIT_REPORT)
    if target is None:
        target = _start_embedded_server(config, email_domain) if sends else _placeholder(email_domain)
    preflight_requests = 0
    if sends:
        refusal, preflight_requests = preflight.check(target.base_url, target.admin)
        if refusal is not None:
            _stop_embedded_server(config)
            raise pytest.UsageError(f"{refusal} (requests sent: {refusal.requests_sent})")
    guard = _make_guard(target)
    guard.requests_sent += preflight_requests
    schema = _load_schema(target, profile)
    _send_probes_through(schema, guard, config)
    runtime.start(runtime.Run(target=target, schema=schema, guard=guard))


def _send_probes_through(schema: Any, guard: Guard, config: pytest.Config) -> None:
    """Make the requests schemathesis sends on its own go through the guard too.

    Checks such as `ignored_auth` re-send a request without credentials through the schema's transport, dropping
    the session the test passed: without this they would escape the budget, the pacing, the ledger and the count
    (an API that ignored credentials would then create users no cleanup knows of). The probes' session has no
    credentials of its own, so a probe still goes out without any.
    """
    transport = schema.transport
    unguarded = type(transport).send
    probes = guarded_session(guard)

    def send(case: Any, *, session: requests.Session | None = None, **kwargs: Any) -> Any:
        return unguarded(transport, case, session=probes if session is None else session, **kwargs)

    def restore() -> None:
        transport.__dict__.pop("send", None)
        probes.close()

    transport.send = send
    config.add_cleanup(restore)


def _placeholder(email_domain: str) -> Target:
    return Target(base_url="http://127.0.0.1:0", admin=Credentials("", ""), embedded=True, email_domain=email_domain)


def _check_email_domain(domain: str) -> None:
    """Refuse a domain the API would refuse (the spec's special-use names, a dotless name) before any request."""
    if "." not in domain.strip("."):
        raise TargetError(f"--email-domain {domain!r}: the API refuses addresses in a domain without a dot")
    address = unique_address(domain)
    if not is_valid_address(address):
        raise TargetError(f"--email-domain {domain!r}: {address!r} is not an address the contract accepts")
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=False, test_environment=True)
    except EmailNotValidError as error:
        raise TargetError(
            f"--email-domain {domain!r}: the API refuses such addresses ({error}); use a domain you own or example.com"
        ) from None


def pytest_unconfigure(config: pytest.Config) -> None:
    runtime.stop()
    _stop_embedded_server(config)
    restore = config.stash.get(_RESTORE, {})
    for name in _HOOK_VARIABLES:
        if name in restore:
            previous = restore[name]
            if previous is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = previous
    if restore.get("hypothesis profile"):
        settings.load_profile(str(restore["hypothesis profile"]))
    # The test modules bind the run's schema (and so its target) when imported: a second run in this process
    # must import them afresh, or it would judge this run's server with this run's credentials.
    for name in [n for n in sys.modules if n.startswith(f"{__package__}.test_")]:
        del sys.modules[name]


def _start_embedded_server(config: pytest.Config, email_domain: str) -> Target:
    """A reference server on a free loopback port with a fresh SQLite file, stopped when pytest ends."""
    from deployhq_sandbox import Accounts, create_app, serve

    accounts = Accounts.from_env()
    directory = tempfile.mkdtemp(prefix="contract-")
    stack = contextlib.ExitStack()
    stack.callback(shutil.rmtree, directory, ignore_errors=True)
    config.stash[_SERVER] = stack
    base_url = stack.enter_context(serve(create_app(Path(directory) / "users.sqlite3", accounts=accounts)))

    def credentials(account: Any) -> Credentials | None:
        return None if account is None else Credentials(account.email, account.api_key)

    admin = credentials(accounts.administrator)
    assert admin is not None
    return Target(
        base_url=base_url,
        admin=admin,
        manager=credentials(accounts.manager),
        member=credentials(accounts.member),
        embedded=True,
        email_domain=email_domain,
    )


def _stop_embedded_server(config: pytest.Config) -> None:
    stack = config.stash.get(_SERVER, None)
    if stack is not None:
        del config.stash[_SERVER]
        stack.close()


def _make_guard(target: Target) -> Guard:
    ledger = Ledger(None if target.embedded else LEDGER_PATH, target.base_url)
    ledger.load()  # users an earlier, killed run left behind are removed at the end of this one
    return Guard(create_budget=target.create_budget, rate_limit=target.rate_limit, ledger=ledger, live=target.live)


def _load_schema(target: Target, profile: str) -> Any:
    """openapi.yaml, loaded by schemathesis and aimed at the target."""
    schema = schemathesis.openapi.from_path(SPEC)
    schema.config.update(
        base_url=target.base_url,
        basic_auth=(target.admin.email, target.admin.api_key),
        headers={"Accept": "application/json"},
        request_retries=0,  # an unanswered invite is never re-sent
    )
    # Constants analysis feeds string literals of the app's modules into generated data; a credential
    # must never be one of them. Over HTTP there is no app to read, but keep it off whatever the target.
    schema.config.analysis.constants.enabled = False
    # Only the spec's own links: inferred ones (e.g. GET /users -> DELETE /users/{identifier}) would let a
    # scenario change or remove users the run did not create, such as the people of a real account.
    schema.config.phases.stateful.inference.algorithms = []
    # Never reuse identifiers seen in answers as inputs of other operations, for the same reason.
    schema.config.phases.fuzzing.extra_data_sources.responses = False
    schema.config.phases.examples.extra_data_sources.responses = False
    if not target.strict:
        # Accepted invalid data is reported as leniency instead (leniency.py); explicit promises still fail.
        schema.config.checks.negative_data_rejection.enabled = False
    if target.live:
        # ignored_auth re-sends every accepted request twice, without and with wrong credentials: against a live
        # target that is most of the run's rate limit. test_auth.py asks the same of every operation, explicitly.
        schema.config.checks.ignored_auth.enabled = False
    # Spend the negative budget on bodies, not on mangled Authorization headers; auth has its own tests.
    schema.config.generation.update(with_security_parameters=False, database="none")
    if target.live or profile in PHASES:
        # Live: the coverage phase's ~100 requests per operation would be ~100 real emails.
        schema.config.phases.update(phases=PHASES.get(profile, PHASES["live"]))
    return schema


_SERVER = pytest.StashKey[contextlib.ExitStack]()
_RESTORE = pytest.StashKey[dict[str, str | None]]()
_HOOK_VARIABLES = ("DEPLOYHQ_CONTRACT_EMAIL_DOMAIN", "DEPLOYHQ_CONTRACT_LIVE")
_SENDS = pytest.StashKey[bool]()
_PROFILE = pytest.StashKey[str]()


@pytest.fixture(scope="session", name="target")
def _target() -> Target:
    """The server under judgement: the one named on the command line, or the embedded reference server."""
    return runtime.current().target


@pytest.fixture(scope="session", name="guard")
def _guard(target: Target) -> Iterator[Guard]:
    """Budget, ownership, pacing and the ledger of created users, shared by every request of the run."""
    guard = runtime.current().guard
    yield guard
    _clean_up(target, guard)


@pytest.fixture(scope="session", name="http")
def _http(guard: Guard) -> Iterator[requests.Session]:
    """A requests session through the guard; each call says who signs it (`auth=`)."""
    session = guarded_session(guard)
    session.headers["Accept"] = "application/json"
    yield session
    session.close()


@pytest.fixture(scope="session", name="api")
def _api(http: requests.Session, target: Target) -> Api:
    """The seven operations, called as any client would, through the guard."""
    return Api(http, target)


@pytest.fixture(scope="session", name="api_schema")
def _api_schema() -> Any:
    """openapi.yaml, loaded by schemathesis and aimed at the target."""
    return runtime.schema()


@pytest.fixture(scope="session", name="client")
def _client(target: Target, guard: Guard) -> Iterator[Any]:
    """The generated client, built the way users build it (`connect`), sending through the guard."""
    from deployhq_users import connect

    client = connect(
        base_url=target.base_url,
        email=target.admin.email,
        api_key=target.admin.api_key,
        transport=GuardedTransport(guard),
    )
    with client:
        yield client


def _clean_up(target: Target, guard: Guard) -> None:
    """Delete every user the run created, whatever happened during the run (also after Ctrl-C).

    The embedded server's database is a temporary file thrown away with it: nothing to delete there.
    """
    if target.embedded:
        return
    delete_all(target, guard.ledger, guard=guard)
    guard.ledger.rewrite()


# Cheap, explicit promises first: a broken server then fails in seconds, before the fuzzing starts.
# Tests that may change the signed-in account itself (the last administrator) run last of the explicit ones.
_ORDER = (
    "test_invite.py",
    "test_bodies.py",
    "test_auth.py",
    "test_read.py",
    "test_update.py",
    "test_resend.py",
    "test_remove.py",
    "test_roles.py",
    "test_client_roundtrip.py",
    "test_consistency.py",
    "test_conformance.py",
    "test_stateful.py",
    "test_last_administrator.py",
    "test_rate_limits.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unplaced = sorted({item.path.name for item in items} - set(_ORDER))
    if unplaced:
        raise pytest.UsageError(f"contract_tests/conftest.py: add {', '.join(unplaced)} to _ORDER, where it must run")
    unsourced = provenance.missing(items)
    if unsourced:
        raise pytest.UsageError(f"contract_tests/provenance.py: give {', '.join(unsourced)} a source in SOURCES")

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return _ORDER.index(name) if name in _ORDER else len(_ORDER)

    items.sort(key=rank)


def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """With --dry-run: show what would be sent instead of running anything; with --list-promises, the promises."""
    if session.config.getoption("--list-promises"):
        provenance.print_registry(session)
        return True
    if not session.config.getoption("--dry-run"):
        return None
    from .dry_run import planned_requests, unforeseeable

    examples = settings().max_examples
    commands = planned_requests(runtime.schema(), examples)
    writer = session.config.get_terminal_writer()
    for command in commands:
        writer.line(command)
    writer.line(f"dry run: {len(commands)} generated requests shown ({examples} per operation); none was sent.")
    for line in unforeseeable(session.config.stash[_PROFILE], runtime.current().target):
        writer.line(line)
    return True


_SUMMARY = pytest.StashKey[Summary]()


def pytest_report_header(config: pytest.Config) -> list[str]:
    if not runtime.active():
        return []
    target = runtime.current().target
    where = "the embedded reference server" if target.embedded else target.base_url
    rails = [f"budget {target.create_budget}" if target.create_budget is not None else "no email budget"]
    rails.append(f"{target.rate_limit:g} requests/s" if target.rate_limit else "no rate limit")
    mode = "live" if target.live else "loopback"
    strict = "strict" if target.strict else "lenient (--contract-strict to fail on leniency)"
    return [
        f"contract target: {where} ({mode}, {strict}; {', '.join(rails)})",
        f"hypothesis profile: {config.stash[_PROFILE]} ({settings().max_examples} examples per operation)",
    ]


def pytest_assertrepr_compare(op: str, left: object, right: object) -> list[str] | None:
    """`assert [] == <broken promises>` shows each broken promise in full, on its own line, not a truncated diff."""
    if op == "==" and left == [] and isinstance(right, list) and right and all(isinstance(x, str) for x in right):
        return ["a promise is broken:", *(f"{BROKEN_MARK}{item}" for item in right)]
    return None


def _scrub_secrets(report: pytest.TestReport) -> None:
    """The last line of defence: no key reaches a report, whatever pytest shows (`-l`, `--full-trace`, ...).

    Keys are kept out of what the suite prints in the first place; this catches what a library's own frames or
    objects put into a traceback (a schemathesis case's headers under `-l`, for one).
    """
    secrets = runtime.current().target.secrets if runtime.active() else ()
    if not secrets:
        return
    if report.longrepr is not None and any(s in report.longreprtext for s in secrets):
        report.longrepr = _filtered(report.longreprtext, secrets)
    report.sections = [(title, _filtered(content, secrets)) for title, content in report.sections]


def _filtered(text: str, secrets: tuple[str, ...]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "[Filtered]")
    return text


def _not_judgeable(excinfo: pytest.ExceptionInfo[BaseException] | None) -> Exception | None:
    """The rail behind a failure, if that is all it was (also inside an exception group): the budget was spent,
    or the target answered 429 to every try."""
    error = excinfo.value if excinfo is not None else None
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    if isinstance(error, Flaky):  # hypothesis replaying a step the rail refused reports it as flaky generation
        error = error.__cause__ or error.__context__
    return error if isinstance(error, BudgetExhaustedError | KeptRateLimitingError) else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    _scrub_secrets(report)
    rail = _not_judgeable(call.excinfo) if report.failed else None
    if rail is not None:
        # A rail doing its job (budget spent, a target that keeps rate limiting) is no broken promise: not judged.
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: not judged: {rail}")
    details = Summary.failure_details(report.longreprtext) if report.failed else []
    differs = calibration.forgive(item, report)
    final = report.when == "call" or (report.when == "setup" and not report.passed)
    summary = item.config.stash.get(_SUMMARY, None)
    if final and summary is not None:
        operations, promise = Summary.describe(item)
        reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        outcome = "differs" if differs else "failed" if report.failed else "skipped" if report.skipped else "passed"
        conditional = item.get_closest_marker("conditional") is not None
        source = provenance.source_of(item)
        summary.add(Outcome(item.nodeid, operations, promise, outcome, reason, details, conditional, str(source)))
        if source is not None and source.decided:
            found = details or calibration.failure_lines(report.longreprtext)
            calibration.CALIBRATION.promise(provenance.key_of(item), operations, promise, outcome, found)
    return report


def pytest_sessionstart(session: pytest.Session) -> None:
    if session.config.stash.get(_SENDS, False):
        session.config.stash[_SUMMARY] = Summary()


def summary_path(config: pytest.Config) -> Path:
    """The Markdown summary's file: next to the JUnit report."""
    junit = getattr(config.option, "xmlpath", None)
    return Path(junit).with_name(SUMMARY_REPORT.name) if junit else SUMMARY_REPORT


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    summary = session.config.stash.get(_SUMMARY, None)
    if summary is None or not runtime.active():
        return
    run = runtime.current()
    text = summary.render(target=run.target, guard=run.guard, exit_status=int(exitstatus))
    path = summary_path(session.config)
    calibration.write_report(path.with_name(CALIBRATION_REPORT.name), session.items)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as file:
            file.write(text + "\n")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    summary = config.stash.get(_SUMMARY, None)
    if summary is None or not runtime.active():
        return
    run = runtime.current()
    guard, target = run.guard, run.target
    ledger = guard.ledger
    terminalreporter.section("contract run")
    if target.embedded:
        left: list[str] = []
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
        terminalreporter.write_line(f"  left behind: {identifier}  (remove: {CLEANUP_COMMAND})")
    if guard.rate_limit_waits:
        terminalreporter.write_line(f"429s waited out and sent again: {guard.rate_limit_waits}")
    if checks.DRIFT.fields:
        terminalreporter.section("additive drift (warning, not a failure)")
        for operation, names in sorted(checks.DRIFT.fields.items()):
            terminalreporter.write_line(
                f"{operation} answered fields the spec does not know: {', '.join(sorted(names))}"
            )
    found = leniency.LENIENCY.by_operation()
    if found:
        terminalreporter.section("leniency (warning, not a failure; --contract-strict fails on it)")
        for operation, items in sorted(found.items()):
            terminalreporter.write_line(f"{operation} accepted {len(items)} request(s) with invalid data")
    terminalreporter.section("verdict")
    for line in summary.console(target=target, exit_status=int(exitstatus)):
        terminalreporter.write_line(line)
    if getattr(config.option, "xmlpath", None):
        terminalreporter.write_line(f"JUnit report: {config.option.xmlpath}")
    terminalreporter.write_line(f"summary: {summary_path(config)}")
