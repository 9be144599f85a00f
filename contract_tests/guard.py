"""One choke point for every request the suite sends: budget, rate limit, 429 waits and the ledger.

Both transports the suite uses go through a `Guard`: schemathesis' `requests` session (via
`GuardedAdapter`) and the generated httpx client (via `GuardedTransport`). A request whose outcome is
unknown is never re-sent: neither adapter retries anything but an answered 429.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests
from requests.adapters import HTTPAdapter

__all__ = ["LEDGER_PATH", "BudgetExhaustedError", "Guard", "GuardedAdapter", "GuardedTransport", "Ledger"]

# Where a run records each user it creates; DEPLOYHQ_CONTRACT_LEDGER moves it.
LEDGER_PATH = Path(
    os.environ.get("DEPLOYHQ_CONTRACT_LEDGER")
    or Path(__file__).resolve().parent.parent / "reports" / "contract-created-users.txt"
)
MAX_RATE_LIMIT_WAITS = 3
MAX_RETRY_AFTER = 60.0


class BudgetExhaustedError(Exception):
    """The run has sent as many creating requests as it may; this one was not sent."""


def is_create(method: str, url: str) -> bool:
    return method.upper() == "POST" and urlsplit(url).path.rstrip("/").endswith("/users")


class Ledger:
    """The users this run created on one target, appended to a file as each 201 arrives.

    Lines are `<base URL>\t<identifier>`. The file survives a killed run, so
    `python -m contract_tests.cleanup` can remove what that run left behind.
    """

    def __init__(self, path: Path | None, base_url: str = "") -> None:
        self.path = path
        self.base_url = base_url
        self.created: list[str] = []
        self.deleted: set[str] = set()
        self._lock = threading.Lock()

    def record(self, identifier: str) -> None:
        with self._lock:
            if identifier in self.created:
                return
            self.created.append(identifier)
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as file:
                    file.write(f"{self.base_url}\t{identifier}\n")

    def forget(self, identifier: str) -> None:
        with self._lock:
            self.deleted.add(identifier)

    @property
    def outstanding(self) -> list[str]:
        with self._lock:
            return [i for i in self.created if i not in self.deleted]

    def adopt(self, identifier: str) -> None:
        """Count a user created elsewhere (an earlier run) as this ledger's, to be deleted; not written again."""
        with self._lock:
            if identifier not in self.created:
                self.created.append(identifier)

    def load(self) -> None:
        """Adopt this target's entries already in the file (left by an earlier run)."""
        for identifier in read_ledger(self.path, self.base_url) if self.path else []:
            self.adopt(identifier)

    def rewrite(self) -> None:
        """Keep in the file only what is still outstanding (other targets' entries are kept as they are)."""
        if self.path is None or not self.path.exists():
            return
        others = [
            line
            for line in self.path.read_text(encoding="utf-8").splitlines()
            if line and line.split("\t", 1)[0] != self.base_url
        ]
        lines = others + [f"{self.base_url}\t{identifier}" for identifier in self.outstanding]
        if lines:
            self.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            self.path.unlink()


def read_ledger(path: Path, base_url: str) -> list[str]:
    """The identifiers recorded in *path* for *base_url*."""
    if not path.exists():
        return []
    entries = (line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line)
    return [identifier for url, identifier in entries if url == base_url]


class Guard:
    """Counts creating requests against a budget, paces requests, and records what was created."""

    def __init__(
        self,
        *,
        create_budget: int | None = None,
        rate_limit: float | None = None,
        ledger: Ledger | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.create_budget = create_budget
        self.rate_limit = rate_limit
        self.ledger = ledger or Ledger(None)
        self.creates_sent = 0
        self.requests_sent = 0
        self.rate_limit_waits = 0
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def before_send(self, method: str, url: str) -> None:
        """Reserve a slot for one request, or raise BudgetExhaustedError without sending it."""
        with self._lock:
            if is_create(method, url):
                if self.create_budget is not None and self.creates_sent >= self.create_budget:
                    raise BudgetExhaustedError(
                        f"not sent: the run's budget of {self.create_budget} creating requests is spent "
                        "(raise --create-budget, or use a smaller hypothesis profile)"
                    )
                self.creates_sent += 1
            self.requests_sent += 1
            delay = 0.0
            if self.rate_limit:
                now = time.monotonic()
                delay = max(0.0, self._next_slot - now)
                self._next_slot = max(now, self._next_slot) + 1.0 / self.rate_limit
        if delay:
            self.sleep(delay)

    def retry_after(self, status: int, headers: Any) -> float | None:
        """Seconds to wait before re-sending an answered 429, or None to give up and return it."""
        if status != 429:
            return None
        with self._lock:
            if self.rate_limit_waits >= MAX_RATE_LIMIT_WAITS:
                return None
            self.rate_limit_waits += 1
        try:
            return min(MAX_RETRY_AFTER, max(0.0, float(headers.get("Retry-After", "1"))))
        except ValueError:
            return 1.0

    def after_answer(self, method: str, url: str, status: int, body: bytes) -> None:
        """Record a created user, or note a deletion."""
        if is_create(method, url) and status == 201:
            try:
                identifier = json.loads(body).get("identifier")
            except (ValueError, AttributeError):
                return
            if isinstance(identifier, str):
                self.ledger.record(identifier)
        elif method.upper() == "DELETE" and status in (200, 404):
            self.ledger.forget(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])


class GuardedAdapter(HTTPAdapter):
    """A `requests` adapter (what schemathesis sends with) that obeys a Guard and never retries."""

    def __init__(self, guard: Guard) -> None:
        super().__init__(max_retries=0)
        self.guard = guard

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        method, url = request.method or "GET", request.url or ""
        while True:
            self.guard.before_send(method, url)
            response = super().send(request, *args, **kwargs)
            wait = self.guard.retry_after(response.status_code, response.headers)
            if wait is None:
                break
            response.close()
            self.guard.sleep(wait)  # a 429 was refused before any work: re-sending cannot duplicate an invite
        self.guard.after_answer(method, url, response.status_code, response.content)
        return response


def guarded_session(guard: Guard) -> requests.Session:
    session = requests.Session()
    adapter = GuardedAdapter(guard)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport (what the generated client sends with) that obeys a Guard and never retries."""

    def __init__(self, guard: Guard, inner: httpx.BaseTransport | None = None) -> None:
        self.guard = guard
        self.inner = inner or httpx.HTTPTransport(retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        method, url = request.method, str(request.url)
        while True:
            self.guard.before_send(method, url)
            response = self.inner.handle_request(request)
            response.read()
            wait = self.guard.retry_after(response.status_code, response.headers)
            if wait is None:
                break
            response.close()
            self.guard.sleep(wait)
        self.guard.after_answer(method, url, response.status_code, response.content)
        return response

    def close(self) -> None:
        self.inner.close()
