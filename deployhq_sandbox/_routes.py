"""The HTTP handlers, and the one table (path -> method -> endpoint) the routes and their 405 `Allow` come from.

A method is answered only by the endpoint the table gives it: a method missing from the table is a 405
naming the methods that are there, never another method's answer.
Order of checks for `POST /users`: credentials (401), permission (403), then the body (`json_body`: content
type 415, size 413, JSON 400), validation (422), duplicate address (422), then 201. `PATCH`/`PUT` find the user
(404) before the body, then validate (422) and let the store refuse a taken address (422) or the last
administrator's demotion (403 `last_administrator`). Every 200 or 201 of a change is committed before it is sent.
The early 401 / 403 only spares reading a body: each write checks its caller again (`recheck`), with the
administrator's-address rule (403 `forbidden`), inside the transaction that commits it (`AsCaller`).
Seam for broken variants: subclass `UsersAPI` and override one step (`create_user`, `render_user`,
`restrict`, `check_content_type`, `read_body`, `parse_json`, ...), then pass the class to
`create_app(..., api_class=...)`.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NoReturn, TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._auth import Authenticator
from ._config import Account
from ._db import AsCaller, DeleteOutcome, Refusal, Store
from ._limit import RateLimit
from ._models import ADMIN_ONLY_FLAGS, Changes, Invitation, User
from ._spec import Spec
from ._validation import TAKEN, Errors, Validator

__all__ = ["CodedRefusal", "Endpoint", "UsersAPI", "canonical_identifier"]

Endpoint = Callable[[Request], Awaitable[Response]]
# What a caller sent, validated: an invitation (with its defaults) or the changes of an update.
Sent = TypeVar("Sent", Invitation, Changes)

_FORBIDDEN = "You do not have permission to manage users."
_ADMINISTRATORS_ADDRESS = "Only an account administrator may change an account administrator's email address."
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="DeployHQ sandbox", charset="UTF-8"'}


def canonical_identifier(value: str) -> str | None:
    """The identifier in its stored form (a lower-case hyphenated UUID), or None if it is not one."""
    if len(value) != 36:
        return None
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        return None
    return canonical if canonical == value.lower() else None


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _dispatch(endpoints: Mapping[str, Endpoint], rate_limit: RateLimit | None) -> Endpoint:
    """One Starlette endpoint answering each method of a path with that method's entry of the table.

    Its Route allows exactly the table's methods (and HEAD where GET is) and answers any other 405 before this
    runs, so every method that gets here has its own entry: none can fall through to another's.
    """

    async def endpoint(request: Request) -> Response:
        if rate_limit is not None:
            rate_limit.hit(request.headers.get("authorization"))
        # HEAD is GET without a body (Starlette drops the body); it is in `Allow` wherever GET is.
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    return endpoint


class CodedRefusal(HTTPException):
    """A 403 answered `{"error": ..., "error_code": ...}`: the body of the operations that change or remove a user."""

    def __init__(self, error_code: str, detail: str) -> None:
        super().__init__(403, detail)
        self.error_code = error_code


class UsersAPI:
    """The Users API over a store, a validator and an authenticator."""

    def __init__(
        self,
        *,
        store: Store,
        validator: Validator,
        authenticator: Authenticator,
        spec: Spec,
        max_body_bytes: int,
        rate_limit: RateLimit | None = None,
        body_timeout: float = 30.0,  # create_app passes its DEFAULT_BODY_TIMEOUT
    ) -> None:
        self.store = store
        self.validator = validator
        self.authenticator = authenticator
        self.spec = spec
        self.max_body_bytes = max_body_bytes
        self.rate_limit = rate_limit
        self.body_timeout = body_timeout

    def table(self) -> dict[str, dict[str, Endpoint]]:
        """path -> method -> endpoint: every operation the server answers, and nothing else."""
        return {
            "/openapi.yaml": {"GET": self.openapi},
            "/users": {"GET": self.list_endpoint, "POST": self.create_endpoint},
            "/users/{identifier}": {
                "GET": self.get_endpoint,
                # One update: DeployHQ routes both to it, and openapi.yaml gives them the same meaning.
                "PATCH": self.update_endpoint,
                "PUT": self.update_endpoint,
                "DELETE": self.delete_endpoint,
            },
            "/users/{identifier}/resend_invitation": {"POST": self.resend_endpoint},
        }

    def routes(self) -> list[Route]:
        """The app's routes, one per path of `table()`, allowing exactly the methods it lists."""
        return [
            # The spec's operations are rate limited when a limit is set; the spec file itself never is.
            Route(
                path,
                _dispatch(endpoints, None if path == "/openapi.yaml" else self.rate_limit),
                methods=list(endpoints),
            )
            for path, endpoints in self.table().items()
        ]

    # -- endpoints: credentials and the path, then the operation ------------------------------------------------

    async def openapi(self, request: Request) -> Response:
        """The spec this server implements, unauthenticated."""
        return Response(self.spec.text, media_type="application/yaml")

    async def list_endpoint(self, request: Request) -> Response:
        """`GET /users`."""
        return await self.list_users(request, await self.authorize(request))

    async def create_endpoint(self, request: Request) -> Response:
        """`POST /users`."""
        return await self.create_user(request, await self.authorize(request))

    async def get_endpoint(self, request: Request) -> Response:
        """`GET /users/{identifier}`."""
        caller = await self.authorize(request)
        return await self.get_user(self.identifier(request), caller)

    async def update_endpoint(self, request: Request) -> Response:
        """`PATCH` and `PUT /users/{identifier}`."""
        caller = await self.authorize(request, coded=True)
        return await self.update_user(request, self.identifier(request), caller)

    async def delete_endpoint(self, request: Request) -> Response:
        """`DELETE /users/{identifier}`."""
        caller = await self.authorize(request, coded=True)
        return await self.delete_user(self.identifier(request), caller)

    async def resend_endpoint(self, request: Request) -> Response:
        """`POST /users/{identifier}/resend_invitation` (a body, if any, is not read)."""
        caller = await self.authorize(request, coded=True)
        return await self.resend_invitation(self.identifier(request), caller)

    # -- operations -----------------------------------------------------------------------------------------

    async def list_users(self, request: Request, caller: Account) -> Response:
        """Every user, oldest first."""
        return JSONResponse([self.render_user(user) for user in await self.store.list()])

    async def create_user(self, request: Request, caller: Account) -> Response:
        """Invite a user: 201 with the stored user, or the first problem found."""
        result = self.validator.validate(await self.json_body(request))
        if not isinstance(result, Invitation):
            return self.validation_errors(result)
        invitation = result

        def permit(signed_in: User | None, target: User | None) -> Invitation:
            return self.restrict(invitation, self.recheck(caller, signed_in))

        user = await self.store.create(invitation, caller=AsCaller(caller.email, permit))
        if user is None:
            return self.validation_errors({"email_address": [TAKEN]})
        return JSONResponse(self.render_user(user), status_code=201)

    async def get_user(self, identifier: str | None, caller: Account) -> Response:
        """One user, or 404."""
        user = None if identifier is None else await self.store.get(identifier)
        if user is None:
            raise HTTPException(404, "Not found")
        return JSONResponse(self.render_user(user))

    async def delete_user(self, identifier: str | None, caller: Account) -> Response:
        """Remove a user: 404 if unknown, 403 `forbidden` in DeployHQ's words for an account administrator."""

        def permit(signed_in: User | None, target: User | None) -> None:
            self.recheck(caller, signed_in, coded=True)

        outcome = (
            DeleteOutcome.NOT_FOUND
            if identifier is None
            else await self.store.delete(identifier, caller=AsCaller(caller.email, permit))
        )
        if outcome is DeleteOutcome.NOT_FOUND:
            raise HTTPException(404, "Not found")
        if outcome is DeleteOutcome.ADMINISTRATOR:
            raise CodedRefusal("forbidden", "Cannot remove the account administrator")
        return JSONResponse({"status": "ok"})

    async def update_user(self, request: Request, identifier: str | None, caller: Account) -> Response:
        """Change the fields sent and nothing else: 200 with the whole user once committed, or why not.

        404 comes before the body is read (as Rails finds the record first); the store checks again, with
        the duplicate address and the last administrator, in the transaction that makes the change.
        """
        if identifier is None or await self.store.get(identifier) is None:
            raise HTTPException(404, "Not found")
        result = self.validator.changes(await self.json_body(request))
        if not isinstance(result, Changes):
            return self.validation_errors(result)
        changes = result

        def permit(signed_in: User | None, target: User | None) -> Changes:
            now = self.recheck(caller, signed_in, coded=True)
            self.check_address_change(now, target, changes)
            return self.restrict(changes, now)

        outcome = await self.store.update(identifier, changes, caller=AsCaller(caller.email, permit))
        if outcome is Refusal.NOT_FOUND:
            raise HTTPException(404, "Not found")
        if outcome is Refusal.LAST_ADMINISTRATOR:
            raise CodedRefusal("last_administrator", "The account's last administrator must stay an administrator.")
        if outcome is Refusal.TAKEN:
            return self.validation_errors({"email_address": [TAKEN]})
        return JSONResponse(self.render_user(outcome))

    async def resend_invitation(self, identifier: str | None, caller: Account) -> Response:
        """Send the invitation again (the sandbox sends no email): 200, 422 once activated, or 404."""
        user = None if identifier is None else await self.store.get(identifier)
        if user is None:
            raise HTTPException(404, "Not found")
        if user.activated:
            return JSONResponse({"error": "User already activated"}, status_code=422)
        return JSONResponse({"status": "ok"})

    # -- steps ----------------------------------------------------------------------------------------------

    async def authorize(self, request: Request, *, coded: bool = False) -> Account:
        """The caller, who must be an administrator or allowed to manage users (else 401 / 403).

        *coded*: the operation's 403 is `{error, error_code}` (those that change or remove a user, or resend),
        not `{status, error}`.

        The key is checked against the configured accounts; it signs in as the user row it belongs to, which must
        be activated and still have the address given (see `Store.add_accounts`). A write checks again, against
        the rows of its own transaction (`recheck`): this early check only answers 401 / 403 before the body.
        """
        account = self.authenticator.authenticate(request.headers.get("authorization"))
        if account is None:
            raise HTTPException(401, "Access denied", headers=_CHALLENGE)
        return self.recheck(account, await self.store.signed_in(account.email), coded=coded)

    def recheck(self, caller: Account, signed_in: User | None, *, coded: bool = False) -> Account:
        """*caller* with the role of *signed_in*, the row its key signs in as now: 401 when that is no row, 403 when
        the row may not manage users. Run again inside each write's transaction, so a caller removed or demoted
        while its body was arriving is refused there."""
        if signed_in is None:
            raise HTTPException(401, "Access denied", headers=_CHALLENGE)
        now = dataclasses.replace(
            caller, account_administrator=signed_in.account_administrator, can_manage_users=signed_in.can_manage_users
        )
        if not now.may_manage_users:
            if coded:
                raise CodedRefusal("forbidden", _FORBIDDEN)
            raise HTTPException(403, _FORBIDDEN)
        return now

    def check_address_change(self, caller: Account, target: User | None, changes: Changes) -> None:
        """403 `forbidden` when a caller who is not an account administrator changes an administrator's address:
        an address is how its user signs in, and an administrator's is the administrators' to change."""
        if caller.account_administrator or target is None or not target.account_administrator:
            return
        if "email_address" in changes and changes["email_address"] != target.email_address:
            raise CodedRefusal("forbidden", _ADMINISTRATORS_ADDRESS)

    @staticmethod
    def identifier(request: Request) -> str | None:
        """The path's identifier in its stored form, or None when it is not a UUID (a 404 then)."""
        return canonical_identifier(request.path_params["identifier"])

    async def json_body(self, request: Request) -> Any:
        """The parsed body of every operation that has one: 415 unless JSON, 413 when too large, 400 unless JSON."""
        self.check_content_type(request.headers.get("content-type"))
        return self.parse_json(await self.read_body(request))

    def restrict(self, sent: Sent, caller: Account) -> Sent:
        """The admin-only flags are an account administrator's to set; from any other caller they are ignored:
        an invitation gets them false (their default), a change leaves them as they are."""
        if caller.account_administrator:
            return sent
        if isinstance(sent, Invitation):
            return sent.without(ADMIN_ONLY_FLAGS)
        return Changes({name: value for name, value in sent.items() if name not in ADMIN_ONLY_FLAGS})

    def check_content_type(self, content_type: str | None) -> None:
        """415 unless the body is declared as JSON (`application/json`, `application/*+json`, any parameters)."""
        media_type = (content_type or "").partition(";")[0].strip().lower()
        kind, _, subtype = media_type.partition("/")
        if kind != "application" or not (subtype == "json" or subtype.endswith("+json")):
            raise HTTPException(415, "Send the body as application/json.")

    async def read_body(self, request: Request) -> bytes:
        """The body, or 413 as soon as it is known to be over `max_body_bytes` (declared or streamed), or 408 (and
        the connection closed) when all of it has not arrived `body_timeout` seconds after reading began."""
        limit = self.max_body_bytes
        too_large = HTTPException(413, f"The request body is larger than {limit} bytes.")
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                raise HTTPException(400, "The Content-Length header is not a number.")
            if int(declared) > limit:
                raise too_large
        chunks: list[bytes] = []
        size = 0
        try:
            # One deadline for the whole body: a timeout per read would restart with every byte of a drip.
            async with asyncio.timeout(self.body_timeout):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise too_large
                    chunks.append(chunk)
        except TimeoutError:
            message = f"The request body did not arrive within {self.body_timeout:g} seconds."
            raise HTTPException(408, message, headers={"Connection": "close"}) from None
        return b"".join(chunks)

    def parse_json(self, body: bytes) -> Any:
        """The parsed body, or 400 when it is not JSON text in UTF-8."""
        try:
            payload = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
            if b"\\u" in body:
                # An escaped lone surrogate ("\ud800") parses, but can be neither stored nor sent back.
                json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except (ValueError, RecursionError):  # UnicodeError and JSONDecodeError are ValueErrors
            raise HTTPException(400, "The request body is not valid JSON.") from None
        return payload

    def validation_errors(self, errors: Errors) -> Response:
        """422 with Rails-style `{field: [messages]}`."""
        return JSONResponse(errors, status_code=422)

    def render_user(self, user: User) -> dict[str, Any]:
        """A user as the API shows it."""
        return user.as_json()
