"""The HTTP handlers: one `Route` per path with all its methods, so unsupported methods get 405 + `Allow`.

Order of checks for `POST /users`: credentials (401), permission (403), content type (415), size (413),
JSON (400), validation (422), duplicate address (422), then 201.
Seam for broken variants: subclass `UsersAPI` and override one step (`create_user`, `render_user`,
`restrict`, `check_content_type`, `read_body`, `parse_json`, ...), then pass the class to
`create_app(..., api_class=...)`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, NoReturn

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._auth import Authenticator
from ._config import Account
from ._db import DeleteOutcome, Store
from ._models import ADMIN_ONLY_FLAGS, Invitation, User
from ._spec import Spec
from ._validation import TAKEN, Errors, Validator

__all__ = ["UsersAPI", "canonical_identifier"]

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


class UsersAPI:
    """The Users API over a store, a validator and an authenticator."""

    def __init__(
        self, *, store: Store, validator: Validator, authenticator: Authenticator, spec: Spec, max_body_bytes: int
    ) -> None:
        self.store = store
        self.validator = validator
        self.authenticator = authenticator
        self.spec = spec
        self.max_body_bytes = max_body_bytes

    def routes(self) -> list[Route]:
        """The app's routes."""
        return [
            Route("/openapi.yaml", self.openapi, methods=["GET"]),
            Route("/users", self.users, methods=["GET", "POST"]),
            Route("/users/{identifier}", self.user, methods=["GET", "DELETE"]),
        ]

    # -- endpoints ------------------------------------------------------------------------------------------

    async def openapi(self, request: Request) -> Response:
        """The spec this server implements, unauthenticated."""
        return Response(self.spec.text, media_type="application/yaml")

    async def users(self, request: Request) -> Response:
        """`/users`: list (GET) or invite (POST)."""
        caller = self.authorize(request)
        if request.method == "POST":
            return await self.create_user(request, caller)
        return await self.list_users(request, caller)

    async def user(self, request: Request) -> Response:
        """`/users/{identifier}`: read (GET) or remove (DELETE)."""
        caller = self.authorize(request)
        identifier = canonical_identifier(request.path_params["identifier"])
        if request.method == "DELETE":
            return await self.delete_user(identifier, caller)
        return await self.get_user(identifier, caller)

    # -- operations -----------------------------------------------------------------------------------------

    async def list_users(self, request: Request, caller: Account) -> Response:
        """Every user, oldest first."""
        return JSONResponse([self.render_user(user) for user in await self.store.list()])

    async def create_user(self, request: Request, caller: Account) -> Response:
        """Invite a user: 201 with the stored user, or the first problem found."""
        self.check_content_type(request.headers.get("content-type"))
        payload = self.parse_json(await self.read_body(request))
        result = self.validator.validate(payload)
        if not isinstance(result, Invitation):
            return self.validation_errors(result)
        user = await self.store.create(self.restrict(result, caller))
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
        """Remove a user: 404 if unknown, 403 for the account's last administrator."""
        outcome = DeleteOutcome.NOT_FOUND if identifier is None else await self.store.delete(identifier)
        if outcome is DeleteOutcome.NOT_FOUND:
            raise HTTPException(404, "Not found")
        if outcome is DeleteOutcome.ADMINISTRATOR:
            raise HTTPException(403, "The account's last administrator cannot be removed.")
        return JSONResponse({"status": "ok"})

    # -- steps ----------------------------------------------------------------------------------------------

    def authorize(self, request: Request) -> Account:
        """The caller, who must be an administrator or allowed to manage users (else 401 / 403)."""
        caller = self.authenticator.authenticate(request.headers.get("authorization"))
        if caller is None:
            raise HTTPException(401, "Access denied", headers=_CHALLENGE)
        if not caller.may_manage_users:
            raise HTTPException(403, "You do not have permission to manage users.")
        return caller

    def restrict(self, invitation: Invitation, caller: Account) -> Invitation:
        """Force the admin-only flags to false when the caller is not an account administrator."""
        return invitation if caller.account_administrator else invitation.without(ADMIN_ONLY_FLAGS)

    def check_content_type(self, content_type: str | None) -> None:
        """415 unless the body is declared as JSON (`application/json`, `application/*+json`, any parameters)."""
        media_type = (content_type or "").partition(";")[0].strip().lower()
        kind, _, subtype = media_type.partition("/")
        if kind != "application" or not (subtype == "json" or subtype.endswith("+json")):
            raise HTTPException(415, "Send the body as application/json.")

    async def read_body(self, request: Request) -> bytes:
        """The body, or 413 as soon as it is known to be over `max_body_bytes` (declared or streamed)."""
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
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
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
