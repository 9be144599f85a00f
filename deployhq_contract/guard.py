"""One choke point for every request the suite sends: email budget, ownership, pacing, 429 waits, the ledger.

Both transports the suite uses go through a `Guard`: schemathesis' `requests` session (via
`GuardedAdapter`) and the generated httpx client (via `GuardedTransport`). What a request does to the
account (creates a user, sends an email, changes a user) comes from `operations.py`. A request whose
outcome is unknown is never re-sent: neither adapter retries anything but an answered 429.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote, urlsplit

import httpx
import requests

from . import operations
from .bounded import DEFAULT_LIMITS, BoundedAdapter, BoundedSession, BoundedTransport, Limits, loads
from .history import History

__all__ = [
    "CLEANUP_COMMAND",
    "LEDGER_PATH",
    "BudgetExhaustedError",
    "ForeignUserError",
    "Guard",
    "KeptRateLimitingError",
    "GuardedAdapter",
    "GuardedTransport",
    "Ledger",
    "RefusedBySuiteError",
    "guarded_session",
    "settle_environment",
]

# Where a run records each user it creates (./reports of the directory it starts in, like its other reports);
# DEPLOYHQ_CONTRACT_LEDGER moves it. `python -m deployhq_contract.cleanup` reads the same file.
LEDGER_PATH = Path(
    os.environ.get("DEPLOYHQ_CONTRACT_LEDGER") or Path("reports", "contract-created-users.txt")
).resolve()
# What removes a run's leftovers (the judge's one import name, in the repository and installed).
CLEANUP_COMMAND = f"python -m {__package__}.cleanup"
# A 429 is waited out and re-sent up to this many times in a row for one request, then returned as the answer.
MAX_RATE_LIMIT_WAITS = 5
MAX_RETRY_AFTER = 60.0


class RefusedBySuiteError(Exception):
    """The suite's own rails refused to send this request; nothing was sent."""


class BudgetExhaustedError(RefusedBySuiteError):
    """The run has sent as many requests that email a person as it may; this one was not sent."""


class ForeignUserError(RefusedBySuiteError):
    """The request would change a user this run did not create; nothing was sent."""


class OffTargetError(RefusedBySuiteError):
    """The request is for another origin than the target's, or (live) for none of the spec's operations; not sent."""


class KeptRateLimitingError(Exception):
    """The target answered 429 to every try of one request: it cannot be judged now (the test is not judged)."""


class Ledger:
    """The users this run created on one target, appended to a file as each 201 arrives.

    Lines are `<base URL>\t<identifier>\t<run>`. The file survives a killed run, so
    `python -m deployhq_contract.cleanup` can remove what that run left behind. Runs at the same time from one
    checkout share the file: every read-modify-write holds its lock (`<file>.lock`), a run holds a lock of its own
    (`<file>.runs/<run>`) while it lives, and a run adopts only entries of runs that no longer live.
    """

    def __init__(self, path: Path | None, base_url: str = "") -> None:
        self.path = path
        self.base_url = base_url
        self.run = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []  # in order of creation, which the cleanup keeps
        self._known: set[str] = set()  # the same, to ask "is it ours?" at each aimed request in constant time
        self.deleted: set[str] = set()
        self._lock = threading.Lock()
        # This run's lock file, held open while the run lives (a plain descriptor: the process's end releases it).
        self._alive: int | None = None

    def record(self, identifier: str) -> None:
        with self._lock:
            if identifier in self._known:
                return
            self.created.append(identifier)
            self._known.add(identifier)
            if self.path is not None:
                with _locked(self.path), self.path.open("a", encoding="utf-8") as file:
                    self._claim()  # under the file's lock: a run ending now may remove the folder of run locks
                    file.write(f"{self.base_url}\t{identifier}\t{self.run}\n")

    def _claim(self) -> None:
        """Hold this run's lock, so that no other run adopts (and deletes) its users while it still uses them."""
        if self._alive is not None or self.path is None:
            return
        runs = _runs(self.path)
        runs.mkdir(parents=True, exist_ok=True)
        self._alive = os.open(runs / self.run, os.O_WRONLY | os.O_CREAT, 0o600)
        fcntl.flock(self._alive, fcntl.LOCK_EX)

    def forget(self, identifier: str) -> None:
        with self._lock:
            self.deleted.add(identifier)

    def owns(self, identifier: str) -> bool:
        with self._lock:
            return identifier in self._known

    @property
    def outstanding(self) -> list[str]:
        with self._lock:
            return [i for i in self.created if i not in self.deleted]

    def adopt(self, identifier: str) -> None:
        """Count a user created elsewhere (an earlier run) as this ledger's, to be deleted; not written again."""
        with self._lock:
            if identifier not in self._known:
                self.created.append(identifier)
                self._known.add(identifier)

    def load(self) -> None:
        """Adopt this target's entries already in the file, left by runs that have ended (not by a running one)."""
        if self.path is None:
            return
        with _locked(self.path):
            entries = _entries(self.path)
        for url, identifier, run in entries:
            if url == self.base_url and run != self.run and not _running(self.path, run):
                self.adopt(identifier)

    def rewrite(self) -> None:
        """Take out of the file what this run deleted; everything else (other runs', other targets') stays."""
        if self.path is None:
            return
        with self._lock, _locked(self.path):
            if self.path.exists():
                deleted = self.deleted
                lines = [
                    line
                    for line in self.path.read_text(encoding="utf-8").splitlines()
                    if line and not (_fields(line)[0] == self.base_url and _fields(line)[1] in deleted)
                ]
                if lines:
                    temporary = self.path.with_name(f"{self.path.name}.{self.run}")
                    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
                    temporary.replace(self.path)
                else:
                    self.path.unlink()
            if self._alive is not None:
                _release(self.path, self.run, self._alive)
                self._alive = None


def _fields(line: str) -> tuple[str, str, str]:
    url, _, rest = line.partition("\t")
    identifier, _, run = rest.partition("\t")
    return url, identifier, run


def _entries(path: Path) -> list[tuple[str, str, str]]:
    if not path.exists():
        return []
    return [_fields(line) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]


def _runs(path: Path) -> Path:
    return path.with_name(f"{path.name}.runs")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """The ledger file's lock, held across one read-modify-write (or one append)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(f"{path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _running(path: Path, run: str) -> bool:
    """Whether the run that wrote *run* still holds its lock (an entry without a run is from an ended one)."""
    if not run:
        return False
    try:
        held = (_runs(path) / run).open("a")
    except OSError:
        return False
    with held:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        (_runs(path) / run).unlink(missing_ok=True)  # an ended run's leftover lock file
        return False


def _release(path: Path, run: str, held: int) -> None:
    (_runs(path) / run).unlink(missing_ok=True)
    os.close(held)
    with contextlib.suppress(OSError):  # other runs' lock files still in it
        _runs(path).rmdir()


def read_ledger(path: Path, base_url: str) -> list[str]:
    """The identifiers recorded in *path* for *base_url*."""
    return [identifier for url, identifier, _run in _entries(path) if url == base_url]


class _Answer(Protocol):
    """What both client libraries' responses have: enough to book an answer and wait out a 429."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Any: ...

    @property
    def content(self) -> bytes: ...

    def close(self) -> None: ...


Answer = TypeVar("Answer", bound=_Answer)


@dataclass(frozen=True)
class Ticket:
    """One request the guard let through: what it is, so its answer can be booked."""

    method: str
    url: str
    operation: operations.Operation | None
    identifier: str | None
    emails: bool  # counted against the email budget


class Guard:
    """Budget, ownership and pacing before a request; ledger, history and status counts after its answer."""

    def __init__(
        self,
        *,
        create_budget: int | None = None,
        rate_limit: float | None = None,
        ledger: Ledger | None = None,
        history: History | None = None,
        live: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        base_url: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.create_budget = create_budget
        self.rate_limit = rate_limit
        self.ledger = ledger or Ledger(None)
        self.history = history or History()
        self.live = live
        self.limits = limits
        self.base_url = base_url
        self.emails_sent = 0
        self.requests_sent = 0
        self.rate_limit_waits = 0
        self.rate_limit_answers = 0  # 429s seen
        self.rate_limit_faults: list[str] = []  # how those 429s broke the spec
        self.statuses: Counter[tuple[str, int]] = Counter()  # (operationId, status) -> answers seen
        self.sleep = sleep
        self._foreign: set[str] = set()  # users seen in answers that this run did not create
        self._permitted: set[str] = set()
        self._lock = threading.Lock()
        self._next_slot = 0.0
        # A Ctrl-C Python could not raise where it landed (see plugin._honour_ctrl_c_in_callbacks): raised before
        # the next request instead.
        self.ctrl_c_pending = threading.Event()

    # -- before -----------------------------------------------------------------------------------------------

    def before_send(self, method: str, url: str) -> Ticket:
        """Reserve a slot for one request, or raise RefusedBySuiteError without sending it."""
        if self.ctrl_c_pending.is_set():
            self.ctrl_c_pending.clear()
            raise KeyboardInterrupt
        relative = self._relative(method, url)
        found = operations.find(method, relative) if relative is not None else None
        if found is None and self.live:
            raise OffTargetError(
                f"not sent: {method.upper()} {urlsplit(url).path} is none of the spec's operations under "
                f"{self.base_url}, so no rail (budget, ownership, ledger) could apply to it"
            )
        operation, identifier = found if found else (None, None)
        identifier = unquote(identifier) if identifier else None
        emails = bool(operation and operation.effects.sends_email)
        with self._lock:
            if operation and operation.effects.changes_user and identifier:
                self._check_ownership(operation, identifier)
            if emails:
                if self.create_budget is not None and self.emails_sent >= self.create_budget:
                    raise BudgetExhaustedError(
                        f"the run's budget of {self.create_budget} requests that email a person (invitations and "
                        "resends) is spent, so this one was not sent; raise --email-budget to judge more"
                    )
                self.emails_sent += 1
            delay = 0.0
            if self.rate_limit:
                now = time.monotonic()
                delay = max(0.0, self._next_slot - now)
                self._next_slot = max(now, self._next_slot) + 1.0 / self.rate_limit
        if delay:
            self.sleep(delay)
        return Ticket(method.upper(), url, operation, identifier, emails)

    def _relative(self, method: str, url: str) -> str | None:
        """*url*'s path below the base URL's path (`/deployhq/users` -> `/users`), None outside it; refuses another
        origin."""
        if self.base_url is None or "://" not in url:
            return url
        base, sent = urlsplit(self.base_url), urlsplit(url)
        if (sent.scheme, sent.netloc.lower()) != (base.scheme, base.netloc.lower()):
            raise OffTargetError(f"not sent: {method.upper()} to {sent.scheme}://{sent.netloc}, not the target")
        prefix = base.path.rstrip("/")
        if prefix and not (sent.path == prefix or sent.path.startswith(prefix + "/")):
            return None
        return sent.path[len(prefix) :] or "/"

    def _check_ownership(self, operation: operations.Operation, identifier: str) -> None:
        # A user this run never saw is fine (a fuzzed identifier: the answer is a 404). A user it saw in a list
        # but did not create is another person of the account: never changed, unless a test asked for it.
        if identifier in self._foreign and identifier not in self._permitted and not self.ledger.owns(identifier):
            raise ForeignUserError(
                f"not sent: {operation.label} would change user {identifier}, whom this run did not create"
            )

    @contextlib.contextmanager
    def permit(self, identifier: str) -> Iterator[None]:
        """Let a test change one user the run did not create (e.g. the caller's own); never against a live target."""
        if self.live:
            raise ForeignUserError(f"against a live target the suite changes only users it created, not {identifier}")
        with self._lock:
            self._permitted.add(identifier)
        try:
            yield
        finally:
            with self._lock:
                self._permitted.discard(identifier)

    # -- after ------------------------------------------------------------------------------------------------

    def not_sent(self, ticket: Ticket) -> None:
        """The connection failed before the request left: give its email back to the budget."""
        self._release(ticket)

    def _release(self, ticket: Ticket) -> None:
        if ticket.emails:
            with self._lock:
                self.emails_sent -= 1

    def outcome_unknown(self, ticket: Ticket) -> None:
        """Sent, but no answer: count it, and stop judging what it may have changed."""
        with self._lock:
            self.requests_sent += 1
        if ticket.identifier:
            self.history.forget(ticket.identifier)

    def retry_after(self, status: int, headers: Any, attempt: int, body: bytes = b"") -> float | None:
        """Seconds to wait before re-sending an answered 429 (the *attempt*-th in a row), or None to return it.

        Each 429 is judged as it arrives (the spec's body and an integer `Retry-After`), since it is never
        returned to a test. A 429 to every try raises KeptRateLimitingError.
        """
        if status != 429:
            return None
        self._judge_429(headers, body)
        if attempt > MAX_RATE_LIMIT_WAITS:
            raise KeptRateLimitingError(
                f"the target answered 429 Too Many Requests to {attempt} tries of one request in a row; "
                "run again later or with a lower --rate-limit"
            )
        with self._lock:
            self.rate_limit_waits += 1
        try:
            return min(MAX_RETRY_AFTER, max(0.0, float(headers.get("Retry-After", "1"))))
        except ValueError:
            return 1.0

    def _judge_429(self, headers: Any, body: bytes) -> None:
        faults = []
        value = headers.get("Retry-After")
        if value is None or not str(value).strip().isdigit():
            faults.append(f"its Retry-After must be a whole number of seconds, not {value!r}")
        payload = _json(body)
        if not isinstance(payload, dict) or payload.get("status") != 429 or not isinstance(payload.get("error"), str):
            faults.append(f'its body must be {{"status": 429, "error": ...}}, not {body[:100]!r}')
        with self._lock:
            self.rate_limit_answers += 1
            self.rate_limit_faults.extend(faults)

    def after_answer(self, ticket: Ticket, status: int, body: bytes) -> None:
        """Book an answer: count it; record a created user, a change, a removal, and the users it shows."""
        operation, identifier = ticket.operation, ticket.identifier
        with self._lock:
            self.requests_sent += 1
            if operation is not None:
                self.statuses[(operation.operation_id, status)] += 1
        if 400 <= status < 500:
            self._release(ticket)  # refused (a 429 included): no email went out, so none is counted
        if operation is None:
            return
        payload = _json(body) if 200 <= status < 300 else None
        if operation.effects.creates_user and status == 201 and isinstance(payload, dict):
            created = payload.get("identifier")
            if isinstance(created, str):
                self.ledger.record(created)
                self.history.wrote(created, payload)
        elif operation.effects.removes_user and identifier and status in (200, 404):
            if self.ledger.owns(identifier):
                self.ledger.forget(identifier)
            if status == 200:
                self.history.removed(identifier)
        elif operation.effects.changes_user and operation.has_body and identifier and isinstance(payload, dict):
            self.history.wrote(identifier, payload)
        self._note_seen(payload)

    def _note_seen(self, payload: Any) -> None:
        users = payload if isinstance(payload, list) else [payload]
        seen = {u["identifier"] for u in users if isinstance(u, dict) and isinstance(u.get("identifier"), str)}
        with self._lock:
            self._foreign.update(i for i in seen if not self.ledger.owns(i))

    def send(
        self,
        method: str,
        url: str,
        once: Callable[[], Answer],
        transport_errors: type[Exception],
        unsent: Callable[[Exception], bool],
    ) -> Answer:
        """Send one request through the rails with *once* (either client library's own send), and book it.

        A transport error is raised as it is, counted as not sent (*unsent*) or as an unknown outcome, and never
        retried; only an answered 429 is sent again, after its Retry-After.
        """
        for attempt in itertools.count(1):
            ticket = self.before_send(method, url)
            try:
                response = once()
            except transport_errors as error:
                (self.not_sent if unsent(error) else self.outcome_unknown)(ticket)
                raise
            try:
                wait = self.retry_after(response.status_code, response.headers, attempt, response.content)
            except KeptRateLimitingError:
                self.after_answer(ticket, response.status_code, b"")
                raise
            if wait is None:
                self.after_answer(ticket, response.status_code, response.content)
                return response
            self.after_answer(ticket, response.status_code, b"")
            response.close()
            # A 429 was refused before any work: re-sending it cannot duplicate an invitation.
            self.sleep(wait)
        raise AssertionError("unreachable: the loop above returns or raises")  # pragma: no cover


def _json(body: bytes) -> Any:
    try:
        return loads(body)
    except ValueError:
        return None


# urllib3's "could not connect" errors, wrapped by requests: the request never left this machine.
_REQUESTS_NOT_SENT = (requests.exceptions.ConnectTimeout, requests.exceptions.ProxyError, requests.exceptions.SSLError)


def _requests_not_sent(error: Exception) -> bool:
    if isinstance(error, _REQUESTS_NOT_SENT):
        return True
    return isinstance(error, requests.exceptions.ConnectionError) and "NewConnectionError" in repr(error.args)


class GuardedAdapter(BoundedAdapter):
    """A `requests` adapter (what schemathesis sends with) that obeys a Guard, its bounds, and never retries."""

    def __init__(self, guard: Guard) -> None:
        super().__init__(guard.limits)
        self.guard = guard

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        return self.guard.send(
            request.method or "GET",
            request.url or "",
            lambda: super(GuardedAdapter, self).send(request, *args, **kwargs),
            requests.RequestException,
            _requests_not_sent,
        )


def guarded_session(guard: Guard) -> requests.Session:
    """A session through the guard that follows no redirect (a 3xx is the answer judged)."""
    return BoundedSession(guard.limits, GuardedAdapter(guard))


def settle_environment(session: requests.Session, base_url: str) -> requests.Session:
    """Read what requests takes from the environment (proxies, CA bundle, client certificate) once, for the run.

    With `trust_env`, requests reads every proxy variable of the environment again on each request: a tenth of the
    suite's own time in a profile of a 25-example run (`python -m bench.breakdown`). The environment does not change
    during a run, and every request goes to the one target, so once is enough.
    """
    resolved = session.merge_environment_settings(base_url, {}, None, None, None)
    session.proxies.update(resolved["proxies"])
    session.verify = resolved["verify"]
    session.cert = resolved["cert"]
    session.trust_env = False
    return session


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport (what the generated client sends with) that obeys a Guard and never retries."""

    def __init__(self, guard: Guard, inner: httpx.BaseTransport | None = None) -> None:
        self.guard = guard
        self.inner = inner or BoundedTransport(guard.limits)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        def once() -> httpx.Response:
            response = self.inner.handle_request(request)
            response.read()
            from .calibration import seen_httpx  # a decision judged on this answer is calibrated with it

            seen_httpx(request, response)
            return response

        return self.guard.send(
            request.method,
            str(request.url),
            once,
            httpx.TransportError,
            lambda error: isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)),
        )

    def close(self) -> None:
        self.inner.close()
