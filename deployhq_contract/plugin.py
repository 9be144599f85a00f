"""The judge's wiring, registered when activated (options.py): profiles, the run, fixtures, order, summary, cleanup.

Run it with `nox -s contract` (embedded reference server) or
`pytest contract_tests --base-url URL [--live]` (any other server).
Exit codes: 0 the target keeps the contract; 1 it breaks a promise; 4 it could not be judged (a refused
option or target, or a preflight refusal: unreachable, credentials refused, not allowed, not this API).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from schemathesis import BaseSchema
from schemathesis.pytest.plugin import SchemaHandleMark

# Importing checks and leniency registers the suite's own checks with schemathesis.
from . import (
    beside,
    bounded,
    calibration,
    checks,
    console,
    heap,
    leniency,
    preflight,
    provenance,
    redact,
    runtime,
    verdict,
)
from .api import Api
from .cleanup import delete_all
from .guard import (
    LEDGER_PATH,
    BudgetExhaustedError,
    Guard,
    GuardedTransport,
    KeptRateLimitingError,
    Ledger,
    guarded_session,
    settle_environment,
)
from .hooks import DEFAULT_EMAIL_DOMAIN, is_valid_address, unique_address
from .options import PROFILES
from .pool import Pool
from .runtime import RUN
from .spec import SPEC
from .summary import BROKEN_MARK, Outcome, Summary
from .target import LIVE_CREATE_BUDGET, LIVE_RATE_LIMIT, Credentials, Target, TargetError

if TYPE_CHECKING:  # the sandbox is imported only when the run starts an embedded one
    from deployhq_sandbox import Controls

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
# The coverage phase adds ~100 deterministic requests per operation (one per time zone for POST /users).
PHASES = {"live": ["examples", "fuzzing", "stateful"], "quick": ["examples", "fuzzing", "stateful"]}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    heap.release()  # an earlier run in this process that stopped before its cleanups
    config.addinivalue_line("markers", "operation(operation_id): the operation whose promise the test judges")
    config.addinivalue_line("markers", "conditional: judged only when its situation arises (e.g. a 429)")
    config.addinivalue_line("markers", f"{RANK_MARKER}(n): run order, lower first (default {DEFAULT_RANK})")
    beside.markers(config)
    redact.CONSOLE.install()  # before pytest's terminal writer takes sys.stdout: all it prints is filtered
    live = bool(config.getoption("--live"))
    email_domain = _email_domain(config)
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
    config.stash[_TARGET] = target
    config.stash[_RESTORE] = settings.get_current_profile_name()
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
    if not sends or beside.is_side():  # the side's reports are the first process' to write
        config.option.xmlpath = None
    elif not getattr(config.option, "xmlpath", None):
        REPORTS.mkdir(exist_ok=True)
        config.option.xmlpath = str(JUNIT_REPORT)
    heap.set_aside()  # the imports are done: collections during collection need not walk them
    # The judge is activated by tryfirst hooks, so this runs before pytest's own configure hooks register their
    # cleanups, and this one runs last: after pytest's last collections (which skip the frozen heap but find all the
    # tests made: nothing of theirs is frozen), before pytest.main returns to whatever the process does next.
    config.add_cleanup(heap.release)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the run before collection (the test modules bind its schema) and before the header names its target.

    A refusal here is still a usage error: exit 4 with its one line, nothing judged.
    """
    config = session.config
    _honour_ctrl_c_in_callbacks(config)
    sends = config.stash[_SENDS]
    email_domain = _email_domain(config)
    target = config.stash[_TARGET]
    create_budget = config.getoption("--create-budget")
    rate_limit = config.getoption("--rate-limit")
    if target is None:
        target = (
            _start_embedded_server(config, email_domain, create_budget, rate_limit)
            if sends
            else _placeholder(email_domain)
        )
    redact.protect(target)
    preflight_requests = 0
    if sends and not beside.is_side():  # the first process checked the target before starting the side
        refusal, preflight_requests = preflight.check(target.base_url, target.admin, limits=_limits(config))
        if refusal is not None:
            _stop_embedded_server(config)
            raise pytest.UsageError(f"{refusal} (requests sent: {refusal.requests_sent})")
        _queue_one_429_per_operation(config)
    if sends:
        config.stash[_SUMMARY] = Summary()
    guard = _make_guard(target, _limits(config))
    guard.requests_sent += preflight_requests
    schema = _load_schema(target, config.stash[_PROFILE])
    _send_probes_through(schema, guard, config)
    run = runtime.Run(target=target, schema=schema, guard=guard, drift=checks.Drift(), leniency=leniency.Leniency())
    config.stash[RUN] = run
    runtime.start(run)
    if beside.is_side():
        config.pluginmanager.register(beside.Recorder(config), _RECORDER)
    elif sends and beside.serial_reason(config, target, config.stash[_PROFILE]) is None:
        config.stash[_SIDE] = beside.Side.start(config, target)


def _honour_ctrl_c_in_callbacks(config: pytest.Config) -> None:
    """Ctrl-C that lands while Python runs a callback it cannot raise from (Hypothesis times garbage collection with
    one) is "an exception ignored": the run went on, and pytest made the warning a failure of the test at hand, which
    the verdict then called a broken promise. Such a KeyboardInterrupt is raised again before the run's next request
    (or when the test at hand ends), as Ctrl-C.

    Installed at session start, over pytest's own hook (set at configure), and taken off at the end.
    """
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        run = config.stash.get(RUN, None)
        # Only where tests run: a dry run or a listing reaches no request or test report that would raise it.
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and run is not None and config.stash.get(_SENDS, False):
            # Not raised here: an exception leaving this hook is itself only "ignored".
            run.guard.ctrl_c_pending.set()
            return
        previous(unraisable)

    def restore() -> None:
        if sys.unraisablehook is hook:
            sys.unraisablehook = previous

    sys.unraisablehook = hook
    config.add_cleanup(restore)


def _send_probes_through(schema: BaseSchema, guard: Guard, config: pytest.Config) -> None:
    """Make the requests schemathesis sends on its own go through the guard too.

    Checks such as `ignored_auth` re-send a request without credentials through the schema's transport, dropping
    the session the test passed: without this they would escape the budget, the pacing, the ledger and the count
    (an API that ignored credentials would then create users no cleanup knows of). The probes' session has no
    credentials of its own, so a probe still goes out without any.
    """
    transport = schema.transport
    unguarded = type(transport).send
    probes = settle_environment(guarded_session(guard), schema.config.base_url or "")

    def send(case: schemathesis.Case[Any], *, session: requests.Session | None = None, **kwargs: Any) -> Any:
        return unguarded(transport, case, session=probes if session is None else session, **kwargs)

    def restore() -> None:
        transport.__dict__.pop("send", None)
        probes.close()

    transport.send = send  # type: ignore[method-assign]  # this schema's transport only, undone by restore()
    config.add_cleanup(restore)


def _email_domain(config: pytest.Config) -> str:
    """--email-domain as given (an empty one is refused by name), else example.com."""
    domain: str | None = config.getoption("--email-domain")
    return DEFAULT_EMAIL_DOMAIN if domain is None else domain


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
    side = config.stash.get(_SIDE, None)
    if side is not None:
        del config.stash[_SIDE]
        side.stop()
    runtime.stop()
    redact.CONSOLE.uninstall()
    _stop_embedded_server(config)
    if config.stash.get(_RESTORE, None):
        settings.load_profile(config.stash[_RESTORE])


def _start_embedded_server(
    config: pytest.Config, email_domain: str, create_budget: int | None, rate_limit: float | None
) -> Target:
    """A reference server on a free loopback port with a fresh SQLite file, stopped when pytest ends.

    --email-budget and --rate-limit hold for it as for any target: a run that asked for none sends none.
    """
    from deployhq_sandbox import Accounts, Controls, create_app, load_spec, serve

    accounts = Accounts.from_env()
    directory = tempfile.mkdtemp(prefix="contract-")
    stack = contextlib.ExitStack()
    stack.callback(shutil.rmtree, directory, ignore_errors=True)
    config.stash[_SERVER] = stack
    app = create_app(Path(directory) / "users.sqlite3", accounts=accounts)
    # The sandbox's controls, to answer 429s the guard then judges (see _queue_one_429_per_operation).
    controls = Controls(app, spec=load_spec(), store=app.state.store, accounts=accounts)
    config.stash[_CONTROLS] = controls
    base_url = stack.enter_context(serve(controls))
    quiet = console.QuietDisconnects()
    config.stash[_QUIET] = quiet
    logging.getLogger("uvicorn.error").addFilter(quiet)
    stack.callback(logging.getLogger("uvicorn.error").removeFilter, quiet)

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
        create_budget=create_budget,
        rate_limit=rate_limit,
    )


def _queue_one_429_per_operation(config: pytest.Config) -> None:
    """Have the embedded server answer the next call of each operation with a 429 (`Retry-After: 0`).

    The reference server answers no 429 of its own in a run, so the 429 promise went unjudged on every embedded run.
    The guard waits out each 429 and sends the request again, judging the 429 on the way: no test sees one, and
    nothing is carried out twice. Queued after the preflight, so that its GET /users does not take listUsers' one.
    """
    controls = config.stash.get(_CONTROLS, None)
    if controls is not None:
        for operation_id in controls.operation_ids:
            controls.fail_next(operation_id, 429, retry_after=0)


def _stop_embedded_server(config: pytest.Config) -> None:
    stack = config.stash.get(_SERVER, None)
    if stack is not None:
        del config.stash[_SERVER]
        stack.close()


def _limits(config: pytest.Config) -> bounded.Limits:
    """How large an answer and how long a request may be (--max-answer-bytes, --request-timeout)."""
    return bounded.Limits(config.getoption("--max-answer-bytes"), config.getoption("--request-timeout"))


def _make_guard(target: Target, limits: bounded.Limits = bounded.DEFAULT_LIMITS) -> Guard:
    ledger = Ledger(None if target.embedded else LEDGER_PATH, target.base_url)
    ledger.load()  # users an earlier, killed run left behind are removed at the end of this one
    return Guard(create_budget=target.create_budget, rate_limit=target.rate_limit, ledger=ledger, live=target.live,
                 base_url=target.base_url, limits=limits)  # fmt: skip


def _load_schema(target: Target, profile: str) -> BaseSchema:
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
        phases = PHASES.get(profile, PHASES["live"])
        if target.live:
            # The spec's own example invitations would be two more emails; the explicit promises send the seed's.
            phases = [phase for phase in phases if phase != "examples"]
        schema.config.phases.update(phases=phases)
    return schema


_SERVER = pytest.StashKey[contextlib.ExitStack]()
_QUIET = pytest.StashKey[console.QuietDisconnects]()
_CONTROLS: pytest.StashKey[Controls] = pytest.StashKey()  # the embedded server's, when the run started one
_RESTORE = pytest.StashKey[str]()  # the hypothesis profile before the run
_TARGET = pytest.StashKey[Target | None]()  # as the options name it; None: the embedded server, started with the run
_SENDS = pytest.StashKey[bool]()
_SIDE = pytest.StashKey[beside.Side]()  # the second process judging the explicit promises, when this run has one
# The side's reports by test (beside.key), read back once its results are part of this run; None: unreadable.
_REPLAYS = pytest.StashKey[dict[str, list[pytest.TestReport] | None]]()
_RECORDER = "deployhq-contract-side-recorder"
_RANKED = pytest.StashKey[list[pytest.Item]]()  # the collected tests in rank order
_PROFILE = pytest.StashKey[str]()


@pytest.fixture(scope="session", name="target")
def _target(pytestconfig: pytest.Config) -> Target:
    """The server under judgement: the one named on the command line, or the embedded reference server."""
    return pytestconfig.stash[RUN].target


@pytest.fixture(scope="session", name="guard")
def _guard(pytestconfig: pytest.Config, target: Target) -> Iterator[Guard]:
    """Budget, ownership, pacing and the ledger of created users, shared by every request of the run."""
    guard = pytestconfig.stash[RUN].guard
    yield guard
    _clean_up(target, guard, pytestconfig)


@pytest.fixture(scope="session", name="http")
def _http(guard: Guard, target: Target) -> Iterator[requests.Session]:
    """A requests session through the guard; each call says who signs it (`auth=`)."""
    session = settle_environment(guarded_session(guard), target.base_url)
    session.headers["Accept"] = "application/json"
    yield session
    session.close()


@pytest.fixture(scope="session", name="api")
def _api(http: requests.Session, target: Target, guard: Guard) -> Api:
    """The seven operations, called as any client would, through the guard (with --live, lending the run's users)."""
    return Api(http, target, Pool(guard) if target.live else None)


@pytest.fixture(scope="session", name="api_schema")
def _api_schema(pytestconfig: pytest.Config) -> BaseSchema:
    """openapi.yaml, loaded by schemathesis and aimed at the target."""
    return pytestconfig.stash[RUN].schema


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


def _clean_up(target: Target, guard: Guard, config: pytest.Config) -> None:
    """Delete every user the run created, whatever happened during the run (also after Ctrl-C).

    The embedded server's database is a temporary file thrown away with it: nothing to delete there.
    """
    if target.embedded:
        return
    outstanding = len(guard.ledger.outstanding)
    if outstanding:
        console.announce(config, f"cleaning up: removing {outstanding} users created at {target.base_url}...")
    delete_all(target, guard.ledger, guard=guard)
    guard.ledger.rewrite()
    if outstanding:
        console.announce(config, f"removed {outstanding - len(guard.ledger.outstanding)} of {outstanding}")


# Cheap, explicit promises first (a broken server then fails in seconds, before the fuzzing starts); tests that may
# change the signed-in account itself run last. A file without the marker (a team's own promises) runs at
# DEFAULT_RANK: after the built-in explicit promises, before the generated ones.
RANK_MARKER = "contract_rank"
DEFAULT_RANK = 100


def rank(item: pytest.Item) -> int:
    """Where *item* runs: its `contract_rank` marker's number, lower first, else DEFAULT_RANK."""
    marker = item.get_closest_marker(RANK_MARKER)
    return int(marker.args[0]) if marker is not None and marker.args else DEFAULT_RANK


# Last: after `-k`, `-m` and any other plugin has chosen the tests, so that both processes share out the same ones.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unsourced = provenance.missing(items)
    if unsourced:
        raise pytest.UsageError(f"deployhq_contract/provenance.py: give {', '.join(unsourced)} a source in SOURCES")
    items.sort(key=rank)  # stable: equal ranks keep pytest's collection order
    config.stash[_RANKED] = list(items)  # the summary's order, before a side changes the order of judging
    recorder = config.pluginmanager.get_plugin(_RECORDER)
    side = config.stash.get(_SIDE, None)
    if recorder is not None:
        chosen = recorder.choose(items)
        kept = {id(item) for item in chosen}
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept])
        items[:] = chosen
    elif side is not None:
        parts = beside.Parts.of(items)
        if parts.beside and parts.concurrent:
            side.nodeids = {beside.key(item) for item in parts.beside}
            items[:] = parts.here()
        else:  # nothing to judge beside, or nothing to judge it beside of: one process
            del config.stash[_SIDE]
            side.stop()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    """With a side: the first concurrent test gives it the GO; its tests are its results, given to pytest here, or
    judged here after all if it has none."""
    config = item.config
    side = config.stash.get(_SIDE, None)
    if side is None:
        return None
    if beside.is_concurrent(item):
        side.release()
    if beside.key(item) not in side.nodeids:
        return None
    if _REPLAYS not in config.stash:
        results = side.wait()
        # Each test's reports, read once; None: unreadable, so judged again here, and only that judgement counts.
        config.stash[_REPLAYS] = replays = {} if results is None else results.read_reports(config)
        if results is not None:
            unreadable = {key for key, reports in replays.items() if reports is None}
            results.merge_into(config.stash[RUN], config.stash[_SUMMARY], rejudged=unreadable)
        else:
            console.announce(config, f"the second process judged nothing ({side.why_not}): its promises run here")
            config.stash[RUN].guard.ledger.load()  # the users it created before it ended are this run's to remove
    replays = config.stash[_REPLAYS]
    reports = replays.get(beside.key(item))
    if not reports:
        if beside.key(item) in replays:
            console.announce(config, f"could not read the second process' report of {beside.key(item)}: judged here")
        return None
    beside.replay(item, reports)
    # What pytest's runner does after each test: end what the next one does not use (after the last, the run's
    # fixtures, the cleanup among them). Nothing of this one was set up here, but the last test judged here may be.
    item.session._setupstate.teardown_exact(nextitem)
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> list[pytest.Item] | None:
    """Aim each `@schema.parametrize()` test at this run's schema, also when an earlier run in this process imported
    its module: the decorator binds a copy of the schema of the run that imported it (runtime.py says why)."""
    run = collector.config.stash.get(RUN, None)
    if run is not None and callable(obj) and SchemaHandleMark.is_set(obj):
        schema = run.schema
        if beside.is_side():  # only its own operations' fuzzing: spare it generating the others' coverage cases
            schema = schema.include(operation_id=list(beside.SIDE_FUZZ))
        SchemaHandleMark.set(obj, schema.clone(test_function=obj))
    return None


def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """With --dry-run: show what would be sent instead of running anything; with --list-promises, the promises."""
    if session.config.getoption("--list-promises"):
        provenance.print_registry(session)
        return True
    if not session.config.getoption("--dry-run"):
        return None
    from .dry_run import planned_requests, unforeseeable

    examples = settings().max_examples
    run = session.config.stash[RUN]
    commands = planned_requests(run.schema, examples)
    writer = session.config.get_terminal_writer()
    for command in commands:
        writer.line(command)
    writer.line(f"dry run: {len(commands)} generated requests shown ({examples} per operation); none was sent.")
    for line in unforeseeable(session.config.stash[_PROFILE], run.target):
        writer.line(line)
    return True


_SUMMARY = pytest.StashKey[Summary]()
# Reports the run could not write (a path that is a folder, a full disk): said with the verdict, which stays the
# promises' verdict.
_UNWRITTEN = pytest.StashKey[list[str]]()


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash.get(RUN, None)
    if run is None:
        return []
    target = run.target
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


def _scrub_secrets(report: pytest.TestReport, run: runtime.Run | None) -> None:
    """The last line of defence: no key reaches a report, whatever pytest shows (`-l`, `--full-trace`, ...).

    Keys are kept out of what the suite prints in the first place; this catches what a library's own frames or
    objects put into a traceback (a schemathesis case's headers under `-l`, for one).
    """
    if run is not None:
        redact.scrub_report(report, redact.protect(run.target))


def _not_judgeable(error: BaseException) -> Exception | None:
    """The rail behind a failure, if that is all it was (also inside an exception group): the budget was spent,
    or the target answered 429 to every try."""
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    if isinstance(error, Flaky):  # hypothesis replaying a step the rail refused reports it as flaky generation
        error = error.__cause__ or error.__context__ or error
    # A warning raised as an error (pytest's `filterwarnings = error`, as in this repository) is the judge's process
    # objecting to something, a library's deprecation say: it stops the judging, it breaks no promise of the target.
    return error if isinstance(error, BudgetExhaustedError | KeptRateLimitingError | Warning) else None


def _judged() -> Iterator[None]:
    """Around a test's setup or call: a rail doing its job (budget spent, a target that keeps rate limiting), or a
    warning the pytest settings made an error, is no broken promise, so the test is skipped as not judged there."""
    try:
        yield
    except BaseException as error:
        rail = _not_judgeable(error)
        if rail is None:
            raise
        reason = (
            f"a warning stopped it, made an error by pytest's filterwarnings: {type(rail).__name__}: {rail}"
            if isinstance(rail, Warning)
            else str(rail)
        )
        raise pytest.skip.Exception(f"not judged: {reason}", _use_item_location=True) from None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    yield from _judged()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    yield from _judged()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    run = item.config.stash.get(RUN, None)
    if run is not None and run.guard.ctrl_c_pending.is_set():  # a test that sent no request since (see above)
        run.guard.ctrl_c_pending.clear()
        raise KeyboardInterrupt
    _scrub_secrets(report, run)
    differs = calibration.forgive(item, report)
    final = report.when == "call" or (report.when == "setup" and not report.passed)
    summary = item.config.stash.get(_SUMMARY, None)
    if final and summary is not None:
        operations, promise = Summary.describe(item)
        reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        run = item.config.stash.get(RUN, None)
        secrets = run.target.secrets if run is not None else ()
        error = call.excinfo.value if report.failed and call.excinfo is not None else None
        outcome = "differs" if differs else "failed" if report.failed else "skipped" if report.skipped else "passed"
        if differs and call.excinfo is not None:
            error = call.excinfo.value
        found = verdict.findings(error, secrets)
        source = provenance.source_of(item)
        # A team's own promise file has no registry entry: its source is its own.
        shown = str(source) if source is not None else ("" if provenance.built_in(item) else "own")
        summary.add(Outcome(Summary.nodeid(item), operations, promise, outcome, reason, found, shown))
        if source is not None and source.decided:
            details = [f.evidence for f in found] or calibration.failure_lines(report.longreprtext)
            if run is not None:
                run.calibration.promise(provenance.key_of(item), operations, promise, outcome, details)
    return report


def pytest_collection_finish(session: pytest.Session) -> None:
    summary = session.config.stash.get(_SUMMARY, None)
    if summary is not None:
        # A promise the run never reaches still counts, as not judged.
        ranked = {id(item) for item in session.items}
        summary.plan([item for item in session.config.stash.get(_RANKED, session.items) if id(item) in ranked])
    heap.set_aside()  # the schema, its strategies and the collected tests live until the end of the run


def summary_path(config: pytest.Config) -> Path:
    """The Markdown summary's file: next to the JUnit report."""
    junit = getattr(config.option, "xmlpath", None)
    return Path(junit).with_name(SUMMARY_REPORT.name) if junit else SUMMARY_REPORT


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    quiet = session.config.stash.get(_QUIET, None)
    if quiet is not None and exitstatus == pytest.ExitCode.INTERRUPTED:
        quiet.interrupted = True  # what the embedded server logs while it stops is no verdict
    summary = session.config.stash.get(_SUMMARY, None)
    run = session.config.stash.get(RUN, None)
    if summary is None or run is None:
        return
    path = beside.result_path()
    if path is not None:  # the side: its results are for the first process, which writes every report
        recorder = session.config.pluginmanager.get_plugin(_RECORDER)
        beside.write(path, beside.record(run, summary, recorder.reports if recorder is not None else {}))
        return
    # Evidence comes from the target's own answers: a target that echoes the key must not get pieces of it in here.
    redactor = redact.protect(run.target)
    text = redactor(summary.render(run=run, exit_status=int(exitstatus)))
    path = summary_path(session.config)
    calibration_path = path.with_name(CALIBRATION_REPORT.name)
    unwritten = session.config.stash.setdefault(_UNWRITTEN, [])
    writes: list[tuple[Path, Callable[[], None]]] = [
        (calibration_path, lambda: calibration.write_report(calibration_path, run, session.items)),
        (path, lambda: redact.write_report(path, text, redactor)),
    ]
    for report, write in writes:
        try:
            write()
        except OSError as error:
            unwritten.append(f"not written: {report} ({error.strerror or type(error).__name__})")
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as file:
            file.write(text + "\n")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> Any:
    """The verdict comes last, after pytest's own sections, which the default console leaves out (console.py)."""
    summary = config.stash.get(_SUMMARY, None)
    run = config.stash.get(RUN, None)
    if summary is None or run is None:
        return (yield)
    console.quiet_pytest_sections(config, terminalreporter)
    result = yield
    reports = (
        [f"JUnit report (full tracebacks): {config.option.xmlpath}"] if getattr(config.option, "xmlpath", None) else []
    )
    unwritten = config.stash.get(_UNWRITTEN, [])
    if not any(str(summary_path(config)) in line for line in unwritten):
        reports.append(f"summary: {summary_path(config)}")
    reports += unwritten
    console.write_summary(
        terminalreporter,
        summary=summary,
        target=run.target,
        guard=run.guard,
        drift=run.drift,
        leniency=run.leniency,
        exit_status=int(exitstatus),
        reports=reports,
    )
    return result
