"""The catalogue: one variant per promise, and the promise (in the suite's words) that must catch it."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

from deployhq_sandbox import Accounts, Authenticator, UsersAPI, Validator, create_app
from deployhq_sandbox._config import Account

from ._rewrite import Exchange, RewriteAnswers

__all__ = ["ADDITIVE_DRIFT", "CATALOGUE", "Variant", "build"]


@dataclass(frozen=True)
class Variant:
    name: str
    breaks: str  # the promise, in plain words
    build: Callable[[str | os.PathLike[str], Accounts], Any]


def _answers(rewrite: Callable[[Exchange], None]) -> Callable[[str | os.PathLike[str], Accounts], Any]:
    return lambda database, accounts: RewriteAnswers(create_app(database, accounts=accounts), rewrite)


def _created(edit: Callable[[Exchange, dict[str, Any]], None]) -> Callable[[Exchange], None]:
    """Rewrite only the 201s of POST /users, as JSON."""

    def rewrite(exchange: Exchange) -> None:
        if exchange.is_create() and exchange.status == 201:
            body = exchange.json()
            edit(exchange, body)
            exchange.set_json(body)

    return rewrite


# -- answers rewritten -----------------------------------------------------------------------------------


def _omitted_flag_true(exchange: Exchange, body: dict[str, Any]) -> None:
    if "can_manage_agents" not in exchange.invitation:
        body["can_manage_agents"] = True


def _sent_flag_dropped(exchange: Exchange, body: dict[str, Any]) -> None:
    if exchange.invitation.get("can_create_projects") is True:
        body["can_create_projects"] = False


def _last_name_dropped(exchange: Exchange, body: dict[str, Any]) -> None:
    body["last_name"] = None


def _first_name_changed(exchange: Exchange, body: dict[str, Any]) -> None:
    body["first_name"] = body["first_name"].strip() + " (invited)"


def _time_zone_default(exchange: Exchange, body: dict[str, Any]) -> None:
    if "time_zone" not in exchange.invitation:
        body["time_zone"] = "UTC"


def _activated(exchange: Exchange, body: dict[str, Any]) -> None:
    body["activated"] = True


def _identifier_number(exchange: Exchange, body: dict[str, Any]) -> None:
    body["identifier"] = str(body["id"])


def _id_string(exchange: Exchange, body: dict[str, Any]) -> None:
    body["id"] = str(body["id"])


def _field_missing(exchange: Exchange, body: dict[str, Any]) -> None:
    del body["time_zone"]


def _status_200(exchange: Exchange) -> None:
    if exchange.is_create() and exchange.status == 201:
        exchange.status = 200


def _html_content_type(exchange: Exchange) -> None:
    if exchange.is_create() and exchange.status == 201:
        exchange.headers["content-type"] = "text/html; charset=utf-8"


def _422_shape(exchange: Exchange) -> None:
    if exchange.status == 422:
        # The vendor spec's artefact: one string per body instead of field -> list of messages.
        fields = sorted(exchange.json())
        exchange.set_json({"field_with_error": fields[0] if fields else "unknown"})


def _401_text(exchange: Exchange) -> None:
    if exchange.status == 401:
        exchange.content = b"HTTP Basic: Access denied.\n"
        exchange.headers["content-type"] = "text/plain; charset=utf-8"


def _500_on_non_ascii(exchange: Exchange) -> None:
    name = exchange.invitation.get("first_name")
    if exchange.is_create() and isinstance(name, str) and not name.isascii():
        exchange.status = 500
        exchange.set_json({"status": 500, "error": "Internal server error"})


# -- one piece of the server replaced --------------------------------------------------------------------


class _IgnoresCredentials(Authenticator):
    def authenticate(self, authorization: str | None) -> Account | None:
        return super().authenticate(authorization) or self.accounts[0]


class _AcceptsAnyKey(Authenticator):
    def authenticate(self, authorization: str | None) -> Account | None:
        credentials = self.parse(authorization)
        if credentials is None:
            return None
        return next((a for a in self.accounts if a.email.lower().encode() == credentials[0]), None)


class _AcceptsDuplicates(Validator):
    def email_key(self, address: str) -> str | None:
        key = super().email_key(address)
        return None if key is None else f"{key}#{uuid.uuid4()}"


class _AcceptsBlankNames(Validator):
    def name_errors(self, field: str, value: object, *, required: bool) -> list[str]:
        if field == "first_name" and isinstance(value, str):
            return []
        return super().name_errors(field, value, required=required)


class _AcceptsMalformedAddresses(Validator):
    def email_key(self, address: str) -> str | None:
        return super().email_key(address) or f"{address.lower()}#{uuid.uuid4()}"


class _AcceptsUnknownZones(Validator):
    def time_zone_errors(self, value: object) -> list[str]:
        return [] if isinstance(value, str) else super().time_zone_errors(value)


class _CrashesOnBadJSON(UsersAPI):
    def parse_json(self, body: bytes) -> Any:
        return json.loads(body)  # a ValueError here becomes a 500


class _DeleteKeepsTheUser(UsersAPI):
    async def delete_user(self, identifier: str | None, caller: Account) -> Any:
        user = None if identifier is None else await self.store.get(identifier)
        if user is None:
            return await super().delete_user(identifier, caller)
        return JSONResponse({"status": "ok"})  # says so, but removes nothing


def _piece(**pieces: Any) -> Callable[[str | os.PathLike[str], Accounts], Any]:
    return lambda database, accounts: create_app(database, accounts=accounts, **pieces)


CATALOGUE: dict[str, Variant] = {
    variant.name: variant
    for variant in [
        Variant(
            "omitted-flag-true", "an omitted permission flag comes back false", _answers(_created(_omitted_flag_true))
        ),
        Variant(
            "sent-flag-dropped", "a sent permission flag comes back as sent", _answers(_created(_sent_flag_dropped))
        ),
        Variant("last-name-dropped", "a sent last_name comes back as sent", _answers(_created(_last_name_dropped))),
        Variant("first-name-changed", "a sent first_name comes back as sent", _answers(_created(_first_name_changed))),
        Variant(
            "wrong-time-zone-default", "an omitted time_zone comes back Etc/UTC", _answers(_created(_time_zone_default))
        ),
        Variant("invite-activated", "a new invitation is not activated", _answers(_created(_activated))),
        Variant("identifier-not-uuid", "identifier is a UUID", _answers(_created(_identifier_number))),
        Variant("id-mistyped", "id is an integer", _answers(_created(_id_string))),
        Variant("field-missing", "a user has all 13 fields", _answers(_created(_field_missing))),
        Variant("created-is-200", "an invitation is answered 201", _answers(_status_200)),
        Variant("html-content-type", "answers are application/json", _answers(_html_content_type)),
        Variant("422-wrong-shape", "a 422 maps each field to its messages", _answers(_422_shape)),
        Variant("401-plain-text", "a 401 has the documented JSON body", _answers(_401_text)),
        Variant("500-on-non-ascii", "no input is answered with a 5xx", _answers(_500_on_non_ascii)),
        Variant("500-on-bad-json", "a body that is not JSON is a 400, not a 5xx", _piece(api_class=_CrashesOnBadJSON)),
        Variant("ignores-credentials", "no credentials is a 401", _piece(authenticator_class=_IgnoresCredentials)),
        Variant("accepts-any-key", "a wrong API key is a 401", _piece(authenticator_class=_AcceptsAnyKey)),
        Variant("accepts-duplicates", "a duplicate address is a 422", _piece(validator_class=_AcceptsDuplicates)),
        Variant("accepts-blank-first-name", "a blank first_name is a 422", _piece(validator_class=_AcceptsBlankNames)),
        Variant(
            "accepts-malformed-address",
            "a malformed address is a 422",
            _piece(validator_class=_AcceptsMalformedAddresses),
        ),
        Variant("accepts-unknown-zone", "an unknown time_zone is a 422", _piece(validator_class=_AcceptsUnknownZones)),
        Variant("delete-keeps-user", "a removed user is gone", _piece(api_class=_DeleteKeepsTheUser)),
    ]
}


def _adds_a_field(exchange: Exchange) -> None:
    if exchange.status in (200, 201) and exchange.content.startswith((b"{", b"[")):
        body = exchange.json()
        for user in body if isinstance(body, list) else [body]:
            if isinstance(user, dict) and "identifier" in user:
                user["nickname"] = "new in a later API version"
        exchange.set_json(body)


# Not broken: a server that answers a field the spec does not know. The suite must pass, with a warning.
ADDITIVE_DRIFT = Variant("adds-a-field", "(none: additive drift is allowed)", _answers(_adds_a_field))


def build(name: str, database: str | os.PathLike[str], accounts: Accounts | None = None) -> Any:
    """The ASGI app of variant *name* ("faithful" for the reference server itself)."""
    accounts = Accounts.from_env() if accounts is None else accounts
    if name == "faithful":
        return create_app(database, accounts=accounts)
    if name == ADDITIVE_DRIFT.name:
        return ADDITIVE_DRIFT.build(database, accounts)
    return CATALOGUE[name].build(database, accounts)
