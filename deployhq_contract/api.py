"""The explicit promise tests' way of calling the API: one method per operation, as any caller, through the guard.

Every call goes through the run's guarded session, so budget, ownership, pacing, the ledger and the
history apply to the explicit tests exactly as to generated requests. `exchange()` shows a failed
promise's request and answer, never its credentials.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import requests

from . import calibration
from .hooks import unique_address
from .operations import OPERATIONS
from .pool import Expected, Pool
from .promises import same_user
from .target import Target

__all__ = ["Api", "exchange"]

TIMEOUT = 30
_UNSET: Any = object()


class Api:
    """The seven operations of openapi.yaml, signed by the administrator unless `auth=` says otherwise."""

    def __init__(self, http: requests.Session, target: Target, pool: Pool | None = None) -> None:
        self.http = http
        self.target = target
        self.pool = pool  # --live: users of the run are lent instead of inviting new ones (pool.py)

    def call(
        self,
        operation_id: str,
        identifier: str | None = None,
        *,
        body: Any = _UNSET,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth: Any = _UNSET,  # Credentials, or None for no credentials at all
    ) -> requests.Response:
        """Send one request of *operation_id*; `auth=None` sends no credentials at all."""
        operation = OPERATIONS[operation_id]
        signed_by = self.target.admin if auth is _UNSET else auth
        response = self.http.request(
            operation.method,
            operation.url(self.target.base_url, identifier),
            json=None if body is _UNSET else body,
            data=data,
            headers=dict(headers or {}),
            auth=signed_by if signed_by is not None else _NoAuth(),
            timeout=TIMEOUT,
        )
        calibration.seen(exchange(response))  # a decision judged on this answer is calibrated with it
        return response

    def invite(self, user: Mapping[str, Any], **kwargs: Any) -> requests.Response:
        return self.call("createUser", body={"user": dict(user)}, **kwargs)

    def update(
        self, identifier: str, changes: Mapping[str, Any], *, method: str = "PATCH", **kwargs: Any
    ) -> requests.Response:
        operation_id = {"PATCH": "updateUser", "PUT": "replaceUser"}[method]
        return self.call(operation_id, identifier, body={"user": dict(changes)}, **kwargs)

    def get(self, identifier: str, **kwargs: Any) -> requests.Response:
        return self.call("getUser", identifier, **kwargs)

    def list(self, **kwargs: Any) -> requests.Response:
        return self.call("listUsers", **kwargs)

    def resend(self, identifier: str, **kwargs: Any) -> requests.Response:
        return self.call("resendInvitation", identifier, **kwargs)

    def delete(self, identifier: str, **kwargs: Any) -> requests.Response:
        return self.call("deleteUser", identifier, **kwargs)

    def fresh_user(self, **fields: Any) -> dict[str, Any]:
        """A user of this test alone with the defaults plus *fields*: invited with a fresh address, or with --live a
        user the run already invited, lent by the pool (no email); fail if refused."""
        lent = self.pool.lend(self, fields) if self.pool is not None else None
        if lent is not None:
            return lent
        sent = {"first_name": "Ada", "email_address": unique_address(self.target.email_domain), **fields}
        response = self.invite(sent)
        assert response.status_code == 201, "could not invite a user to test with" + exchange(response)
        created: dict[str, Any] = response.json()
        if self.pool is not None:
            self.pool.hold(str(created["identifier"]))
        return created

    def as_it_was(
        self, before: Mapping[str, Any] | None, refused: requests.Response, batch: str, *, absent: str | None = None
    ) -> Sequence[str]:
        """After *refused*: the broken promises if *before* (a user) reads back otherwise. Read at once with a GET;
        with --live noted (each request is paced) for the one list of `read_back(batch)`, which also judges that no
        user has the address *absent* (free there: the list is read anyway), and [] here."""
        if self.pool is not None:
            self.pool.defer(batch, Expected(exchange(refused), before, absent))
            return []
        return [] if before is None else same_user(before, self.get(str(before["identifier"])).json())

    def read_back(self, batch: str) -> Sequence[str] | None:
        """With --live, the promises `as_it_was` noted for *batch*, judged on one `GET /users` (shared by every
        read-back until the run sends another request); None when nothing was noted (or not --live)."""
        pending = self.pool.take(batch) if self.pool is not None else []
        if self.pool is None or not pending:
            return None
        users = self.pool.listed(self)
        return [problem for expected in pending for problem in _unlike(expected, users)]

    def acceptable_request(self, operation_id: str, identifier: str) -> dict[str, Any]:
        """Arguments for `call` that an administrator would get accepted, on the user *identifier* where needed."""
        operation = OPERATIONS[operation_id]
        kwargs: dict[str, Any] = {"identifier": identifier if "{identifier}" in operation.path else None}
        if operation_id == "createUser":
            kwargs["body"] = {"user": {"first_name": "Ada", "email_address": self.address()}}
        elif operation.has_body:
            kwargs["body"] = {"user": {"first_name": "Renamed"}}
        return kwargs

    def address(self) -> str:
        return unique_address(self.target.email_domain)


def _unlike(expected: Expected, users: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """How the listed *users* break what *expected* says a refused request left."""
    broken = []
    if expected.user is not None:
        now = users.get(str(expected.user["identifier"]))
        found = ["listed, the user is gone"] if now is None else same_user(expected.user, now, what="listed")
        broken += [f"{problem}, after a refused request{expected.refused}" for problem in found]
    taken = {str(user.get("email_address", "")).lower() for user in users.values()}
    if expected.absent is not None and expected.absent.lower() in taken:
        broken.append(f"listed, a user has {expected.absent}, after a refused invitation{expected.refused}")
    return broken


class _NoAuth(requests.auth.AuthBase):
    """No credentials at all, even if the session had some."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.pop("Authorization", None)
        return request


def exchange(response: requests.Response) -> str:
    """The request and its answer, to reproduce a failure: never the Authorization header."""
    request = response.request
    raw = request.body
    body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw if isinstance(raw, str) else ""
    signed = "Authorization" in request.headers
    command = f"curl -X {request.method} {request.url}"
    if signed:
        command += " -u '<email>:<api key>'"
    if body:
        declared = request.headers.get("Content-Type", "application/json")
        content_type = declared.decode("latin-1") if isinstance(declared, bytes) else declared
        command += f" -H 'Content-Type: {content_type}' -d '{body[:1000]}'"
    return f"\n  request: {command}\n  answer: {response.status_code} {response.text[:500]}"
