"""Before any test: can this target be judged at all? At most two requests decide.

A target that cannot be reached, refuses the credentials, does not let them manage users, or does not
answer like this API at all is refused with one plain line (exit 4), not judged: the failures of a run
against it would say nothing about the contract. A target that answers like the API but breaks the
contract (a wrong field, a wrong content type) is judged, and fails (exit 1).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

from .bounded import DEFAULT_LIMITS, BoundedSession, Limits, UnboundedAnswerError, loads
from .redact import Redactor
from .target import Credentials

__all__ = ["Refusal", "check"]

# Seconds to wait for the first answer; a live API that needs longer is not in a state to be judged.
TIMEOUT = 15.0
MAX_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class Refusal:
    """Why the target cannot be judged, and what to check; never carries a credential."""

    cause: str
    hint: str
    requests_sent: int

    def __str__(self) -> str:
        return f"could not judge the target: {self.cause}; {self.hint}"


def check(
    base_url: str, admin: Credentials, *, sleep: object = time.sleep, limits: Limits = DEFAULT_LIMITS
) -> tuple[Refusal | None, int]:
    """(None, requests sent) when *base_url* answers `GET /users` like the Users API to *admin*; else why not.

    What the target sent back (a Location, a content type) is shown with every piece of the key cut out.
    """
    refusal, sent = _check(base_url, admin, sleep, limits)
    if refusal is None:
        return None, sent
    redact = Redactor(admin.secrets, public=(admin.email,))
    return Refusal(redact(refusal.cause), refusal.hint, sent), sent


def _check(base_url: str, admin: Credentials, sleep: object, limits: Limits) -> tuple[Refusal | None, int]:
    url = f"{base_url}/users"
    sent = 0
    for _attempt in range(2):
        try:
            # However the answer trickles in, preflight waits TIMEOUT at most in all.
            first = Limits(limits.max_answer_bytes, min(TIMEOUT, limits.request_seconds))
            with BoundedSession(first) as session:
                response = session.get(url, auth=admin, headers={"Accept": "application/json"}, timeout=TIMEOUT)
        except UnboundedAnswerError as error:
            return _refuse(f"{url} answered, but {error}", "a target that answers this API never sends that", sent + 1)
        except requests.RequestException as error:
            hint = "check the URL (--base-url, DEPLOYHQ_BASE_URL or DEPLOYHQ_ACCOUNT) and that the server is up"
            return _refuse(_unreachable(base_url, error), hint, sent)
        sent += 1
        if response.status_code != 429:
            break
        wait = _retry_after(response)
        if wait is None or _attempt == 1:
            return _refuse(f"{url} keeps answering 429 Too Many Requests", "try again later", sent)
        sleep(wait)  # type: ignore[operator]
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("Location", "nowhere (no Location)")
        return _refuse(
            f"{url} answered {status}, a redirect to {location}, which the suite does not follow",
            "give the URL the API answers at itself (--base-url, DEPLOYHQ_BASE_URL or DEPLOYHQ_ACCOUNT)",
            sent,
        )
    if status == 401:
        return _refuse(
            f"{url} refused the credentials of {admin.email} (401)",
            "check DEPLOYHQ_EMAIL and DEPLOYHQ_API_KEY (the key is under Settings -> Security)",
            sent,
        )
    if status == 403:
        return _refuse(
            f"{admin.email} may not manage users on {base_url} (403)",
            "sign in as an account administrator (DEPLOYHQ_EMAIL / DEPLOYHQ_API_KEY)",
            sent,
        )
    if status == 404:
        return _refuse(f"{url} is not there (404)", "check the URL: it must be the account's base URL", sent)
    if status in (502, 503, 504):
        return _refuse(f"{url} is unavailable ({status})", "try again later", sent)
    if not _is_json(response.content):
        kind = response.headers.get("Content-Type", "no content type").partition(";")[0]
        return _refuse(
            f"{url} answered {status} with a body that is not JSON ({kind}), not like the DeployHQ Users API",
            "check the URL: it must be the account's base URL, not a web page or a proxy",
            sent,
        )
    return None, sent


def _refuse(cause: str, hint: str, sent: int) -> tuple[Refusal, int]:
    return Refusal(cause, hint, sent), sent


def _unreachable(base_url: str, error: requests.RequestException) -> str:
    reason = _root_cause(error)
    if isinstance(error, requests.exceptions.SSLError):
        return f"the TLS handshake with {base_url} failed ({reason})"
    if isinstance(error, requests.exceptions.Timeout):
        return f"{base_url} did not answer within {TIMEOUT:.0f} s"
    return f"{base_url} cannot be reached ({reason})"


def _root_cause(error: BaseException) -> str:
    """The innermost reason, e.g. "Connection refused" or "Name or service not known"."""
    seen: BaseException = error
    while True:
        inner = seen.__cause__ or seen.__context__ or next((a for a in seen.args if isinstance(a, BaseException)), None)
        if inner is None or inner is seen:
            break
        seen = inner
    text = str(seen)
    for marker in ("] ", ": "):
        if marker in text:
            text = text.rsplit(marker, 1)[-1]
    text = text.strip(" '\"")
    # urllib3 wraps a reason in "...(reason')": drop a closing bracket only when it closes nothing in the text.
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip(" '\"")
    return text or type(seen).__name__


def _retry_after(response: requests.Response) -> float | None:
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(response.headers.get("Retry-After", ""))))
    except ValueError:
        return None


def _is_json(content: bytes) -> bool:
    try:
        loads(content)
    except ValueError:
        return False
    return True
