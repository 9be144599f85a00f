"""The explicit promise tests' way of calling the API: one method per operation, as any caller, through the guard.

Every call goes through the run's guarded session, so budget, ownership, pacing, the ledger and the
history apply to the explicit tests exactly as to generated requests. `exchange()` shows a failed
promise's request and answer, never its credentials.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from . import calibration
from .hooks import unique_address
from .operations import OPERATIONS
from .pool import Pool, ReadBack, RefusalNote
from .promises import same_user
from .target import Target

__all__ = ["Api", "exchange", "judge_read_back"]

TIMEOUT = 30
# A --live refusal's case once its answer is judged: its promise is kept only if its batch's read back passes too, so
# this reason shows only when that read back did not judge it (it failed to read, was deselected or never ran).
READ_LATER = "not judged unless its batch's read back does: did the refusal leave the users as they were?"
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
        refusal: bool = False,
    ) -> requests.Response:
        """Send one request of *operation_id*; `auth=None` sends no credentials at all.

        With --live, a change that may be accepted (not *refusal*, a request sent to be refused) first has the
        refusals noted on its user read back: an accepted change must not pass for what a refusal did."""
        operation = OPERATIONS[operation_id]
        if (
            self.pool is not None
            and not refusal
            and operation.method != "GET"
            and identifier is not None
            and self.pool.pending_on(identifier)
        ):
            self.pool.settle(self)
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

    def note_refusal(
        self, before: Mapping[str, Any] | None, refused: requests.Response, batch: str, *, absent: str | None = None
    ) -> None:
        """With --live (each request paced): note that *refused* left *before* (a user) as it was and made no user
        with the address *absent*, for `read_back(batch)` to judge on one list with every other note."""
        assert self.pool is not None, "only a --live run notes refusals: without it, `read_now` reads them at once"
        sent = refused.request
        label = f"{sent.method} {urlsplit(sent.url or '').path} answered {refused.status_code}"
        self.pool.note(RefusalNote(batch, exchange(refused), label, before, absent))

    def read_now(self, before: Mapping[str, Any] | None, *, absent: str | None = None) -> Sequence[str]:
        """The broken promises if *before* (a user) reads back otherwise now, or a user has the address *absent*
        (which then joins the ledger, for cleanup to remove)."""
        broken = [] if before is None else same_user(before, self.get(str(before["identifier"])).json())
        if absent is not None:
            listed = self.list()
            made = [
                user
                for user in (listed.json() if listed.status_code == 200 else [])
                if isinstance(user, dict) and str(user.get("email_address", "")).lower() == absent.lower()
            ]
            guard = getattr(self.http.get_adapter(self.target.base_url), "guard", None)
            for user in made:
                if guard is not None:  # made by a refused invitation: the run's to remove
                    guard.ledger.record(str(user.get("identifier")))
            if made:
                broken.append(f"listed, a user has {absent}, after a refused invitation")
        return broken

    def refusal_changed_nothing(
        self,
        operation_id: str,
        before: Mapping[str, Any],
        sent: Mapping[str, Any],
        refused: requests.Response,
        batch: str,
    ) -> None:
        """After *operation_id* was refused (*sent* its `call` arguments): *before* (a user) is as it was and no user
        has the address a refused invitation sent. Read at once on loopback; with --live a refusal that could have
        changed or made a user is noted for its batch's read back, and its case skipped until that judges it."""
        effects = OPERATIONS[operation_id].effects
        absent = sent["body"]["user"]["email_address"] if effects.creates_user else None
        if self.pool is None:
            broken = self.read_now(before, absent=absent)
            # Not rewritten by pytest (a library module): the message is the one a test's `assert [] ==` would give.
            assert not broken, "\n".join(f"broken: {problem}" for problem in broken)
        elif effects.changes_user or absent is not None:  # a refused read changes nothing
            self.note_refusal(before if effects.changes_user else None, refused, batch, absent=absent)
            pytest.skip(READ_LATER)

    def read_back(self, batch: str) -> ReadBack | None:
        """With --live, what the notes of *batch* read back as (one `GET /users` shared by every batch read before
        the run sends another request); None when *batch* noted nothing (or not --live)."""
        return None if self.pool is None else self.pool.take(self, batch)

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


def judge_read_back(api: Api, batch: str) -> None:
    """The read-back case of a batch of refusals: fail on a user a refusal changed, skip what was not judged."""
    found = api.read_back(batch)
    if found is None:
        if api.pool is None:
            pytest.skip("not judged here: without --live each refusal is read back at once, in its own case")
        pytest.skip("not judged here: no refusal of this batch was noted (each failed, was skipped or deselected)")
    # Not rewritten by pytest (a library module): the message is the one `pytest_assertrepr_compare` gives a test's.
    assert not found.broken, "\n".join(f"broken: {problem}" for problem in found.broken)
    if found.not_judged:
        pytest.skip(f"not judged: {found.not_judged[0]}")


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
