"""The catalogue: one variant per promise, and the test of the suite that must catch it.

Each variant breaks exactly one promise of openapi.yaml, in one of two ways: a piece of the reference
server replaced by a subclass that gets one rule wrong (the store really holds the wrong thing), or the
traffic rewritten on its way in or out (`_rewrite.py`). `caught_by` names the test (a node id of the
contract suite, as JUnit reports it) that must be the first to fail against the variant: `nox -s teeth`
checks that it is, so an incidental failure never counts as a catch.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import json
import os
import sqlite3
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

from deployhq_contract.spec import FLAGS
from deployhq_sandbox import (
    Account,
    Accounts,
    Authenticator,
    Changes,
    Errors,
    Invitation,
    Refusal,
    Store,
    User,
    UsersAPI,
    Validator,
    create_app,
)

from ._rewrite import Exchange, Request, Rewrite

__all__ = ["ADDITIVE_DRIFT", "AS_DEPLOYHQ_MAY", "CATALOGUE", "LENIENT", "MUST_PASS", "SERVABLE", "Variant", "build"]

Builder = Callable[[str | os.PathLike[str], Accounts], Any]


@dataclass(frozen=True)
class Variant:
    name: str
    breaks: str  # the promise, in plain words
    caught_by: str  # the contract suite's test that must fail first (node id, as in `pytest -x` output)
    build: Builder


def _requests(rewrite: Callable[[Request], None]) -> Builder:
    return lambda database, accounts: Rewrite(create_app(database, accounts=accounts), request=rewrite)


def _answers(rewrite: Callable[[Exchange], None]) -> Builder:
    return lambda database, accounts: Rewrite(create_app(database, accounts=accounts), answer=rewrite)


def _piece(**pieces: Any) -> Builder:
    return lambda database, accounts: create_app(database, accounts=accounts, **pieces)


def _user_answers(operation: str, status: int, edit: Callable[[Exchange, dict[str, Any]], None]) -> Builder:
    """Rewrite the JSON user in the *status* answers of *operation*."""

    def rewrite(exchange: Exchange) -> None:
        if exchange.operation == operation and exchange.status == status:
            body = exchange.json()
            edit(exchange, body)
            exchange.set_json(body)

    return _answers(rewrite)


def _on_users(operation: str, edit: Callable[[Request, dict[str, Any]], None]) -> Builder:
    """Rewrite the `user` object of each *operation* request before the server sees it."""

    def rewrite(request: Request) -> None:
        user = request.user
        if request.operation == operation and user is not None:
            edit(request, user)
            request.set_user(user)

    return _requests(rewrite)


# -- an invitation's answer ------------------------------------------------------------------------------


def _omitted_flag_true(exchange: Exchange, body: dict[str, Any]) -> None:
    if "can_manage_agents" not in exchange.sent:
        body["can_manage_agents"] = True


def _sent_flag_dropped(exchange: Exchange, body: dict[str, Any]) -> None:
    if exchange.sent.get("can_create_projects") is True:
        body["can_create_projects"] = False


def _last_name_dropped(exchange: Exchange, body: dict[str, Any]) -> None:
    body["last_name"] = None


def _first_name_changed(exchange: Exchange, body: dict[str, Any]) -> None:
    body["first_name"] = body["first_name"].strip() + " (invited)"


def _time_zone_default(exchange: Exchange, body: dict[str, Any]) -> None:
    if "time_zone" not in exchange.sent:
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
    if exchange.operation == "createUser" and exchange.status == 201:
        exchange.status = 200


def _html_content_type(exchange: Exchange) -> None:
    if exchange.operation == "createUser" and exchange.status == 201:
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
    name = exchange.sent.get("first_name")
    if exchange.operation == "createUser" and isinstance(name, str) and not name.isascii():
        exchange.status = 500
        exchange.set_json({"status": 500, "error": "Internal server error"})


# -- values normalised on the way in ---------------------------------------------------------------------


def _address_lower_cased(request: Request, user: dict[str, Any]) -> None:
    if isinstance(user.get("email_address"), str):
        user["email_address"] = user["email_address"].lower()


def _names_stripped(request: Request, user: dict[str, Any]) -> None:
    for name in ("first_name", "last_name"):
        if isinstance(user.get(name), str) and user[name].strip():
            user[name] = user[name].strip()


def _names_composed(request: Request, user: dict[str, Any]) -> None:
    for name in ("first_name", "last_name"):
        if isinstance(user.get(name), str):
            user[name] = unicodedata.normalize("NFC", user[name])


def _crash_at_max_length(exchange: Exchange) -> None:
    name = exchange.sent.get("first_name")
    if exchange.operation == "createUser" and isinstance(name, str) and len(name) == 255:
        exchange.status = 500
        exchange.set_json({"status": 500, "error": "Internal server error"})


# -- an update or a resend -------------------------------------------------------------------------------

# What a PUT meant as "replace" would set for every field left out.
_RESET = {"time_zone": "Etc/UTC", **dict.fromkeys(FLAGS, False)}


def _resets_omitted(request: Request, user: dict[str, Any]) -> None:
    for name, value in _RESET.items():
        user.setdefault(name, value)


def _drops_billing_flag(request: Request, user: dict[str, Any]) -> None:
    user.pop("can_manage_billing", None)


def _lower_cases_on_update(request: Request, user: dict[str, Any]) -> None:
    _address_lower_cased(request, user)


def _resend_to_activated(exchange: Exchange) -> None:
    if exchange.operation == "resendInvitation" and exchange.status == 422:
        exchange.status = 200
        exchange.set_json({"status": "ok"})


def _resend_unknown(exchange: Exchange) -> None:
    if exchange.operation == "resendInvitation" and exchange.status == 404:
        exchange.status = 200
        exchange.set_json({"status": "ok"})


def _delete_403_uncoded(exchange: Exchange) -> None:
    if exchange.operation == "deleteUser" and exchange.status == 403:
        exchange.set_json({"status": 403, "error": exchange.json().get("error", "Forbidden")})


def _administrator_refused_in_other_words(exchange: Exchange) -> None:
    """The refusal this project used to answer: `last_administrator`, not DeployHQ's `forbidden` and its words."""
    refusal = exchange.operation == "deleteUser" and exchange.status == 403
    if refusal and exchange.json().get("error") == "Cannot remove the account administrator":
        exchange.set_json({"error": "The account's last administrator cannot be removed.",
                           "error_code": "last_administrator"})  # fmt: skip


class _UpdateAcceptsDuplicates(Validator):
    def changes(self, payload: object) -> Changes | Errors:
        result = super().changes(payload)
        if isinstance(result, Changes) and "email_key" in result:
            result["email_key"] = f"{result['email_key']}#{uuid.uuid4()}"
        return result


class _UpdateAcceptsBlankFirstName(Validator):
    def changes(self, payload: object) -> Changes | Errors:
        user = payload.get("user") if isinstance(payload, dict) else None
        blank = isinstance(user, dict) and isinstance(user.get("first_name"), str) and not user["first_name"].strip()
        if not blank:
            return super().changes(payload)
        assert isinstance(user, dict)
        result = super().changes({"user": {k: v for k, v in user.items() if k != "first_name"}})
        if isinstance(result, Changes):
            result["first_name"] = user["first_name"]
        return result


class _UpdateAnswersTheOldUser(UsersAPI):
    async def update_user(self, request: Any, identifier: str | None, caller: Account) -> Any:
        before = None if identifier is None else await self.store.get(identifier)
        response = await super().update_user(request, identifier, caller)
        if before is not None and response.status_code == 200:
            return JSONResponse(self.render_user(before))  # the change is stored, the answer is stale
        return response


class _PendingAdministratorsCount(Store):
    """Counts administrators invited but not activated: the only one who can sign in can demote themselves."""

    @staticmethod
    def _is_last_administrator(connection: sqlite3.Connection, user: User) -> bool:
        if not user.account_administrator:
            return False
        query = "SELECT count(*) FROM users WHERE account_administrator AND identifier != ?"
        (others,) = connection.execute(query, (user.identifier,)).fetchone()
        return bool(others == 0)


class _RemovesAdministrators(Store):
    """Removes an account administrator as any other user: the rule DeployHQ's remove-user page refuses."""

    def _delete(self, connection: sqlite3.Connection, identifier: str) -> Any:
        connection.execute("UPDATE users SET account_administrator = 0 WHERE identifier = ?", (identifier,))
        return super()._delete(connection, identifier)


class _DemotesTheLastAdministrator(Store):
    def _update(self, connection: sqlite3.Connection, identifier: str, changes: Changes) -> User | Refusal:
        # Only where the rule applies: elsewhere this would also half-apply refused updates (the consistency
        # machine's catch, not this variant's promise).
        user = self._row(connection, identifier)
        if changes.get("account_administrator") is False and user and self._is_last_administrator(connection, user):
            connection.execute("UPDATE users SET account_administrator = 0 WHERE identifier = ?", (identifier,))
            changes = Changes({k: v for k, v in changes.items() if k != "account_administrator"})
        return super()._update(connection, identifier, changes)


# -- roles -----------------------------------------------------------------------------------------------


class _ManagerGrantsAdministrator(UsersAPI):
    def restrict(self, sent: Any, caller: Account) -> Any:
        return sent


class _MemberInvites(UsersAPI):
    async def create_endpoint(self, request: Any) -> Any:
        account = self.authenticator.authenticate(request.headers.get("authorization"))
        if account is not None and not account.may_manage_users:
            return await self.create_user(request, dataclasses.replace(account, can_manage_users=True))
        return await super().create_endpoint(request)

    def recheck(self, caller: Account, signed_in: Any, *, coded: bool = False) -> Account:
        # The write checks its caller again in its own transaction: the forged role has to pass there too.
        if signed_in is not None and caller.can_manage_users and not signed_in.can_manage_users:
            return caller
        return super().recheck(caller, signed_in, coded=coded)


# -- reads and lists, removals and identities ------------------------------------------------------------


def _list_misses_newest(exchange: Exchange) -> None:
    if exchange.operation == "listUsers" and exchange.status == 200:
        exchange.set_json(exchange.json()[:-1])


def _list_repeats_a_user(exchange: Exchange) -> None:
    if exchange.operation == "listUsers" and exchange.status == 200:
        users = exchange.json()
        exchange.set_json(users + users[-1:])


def _read_shows_default_zone(exchange: Exchange) -> None:
    if exchange.operation == "getUser" and exchange.status == 200:
        body = exchange.json()
        body["time_zone"] = "Etc/UTC"
        exchange.set_json(body)


class _ReadsFromAStaleCache(UsersAPI):
    cache: dict[str, Any]

    async def get_user(self, identifier: str | None, caller: Account) -> Any:
        cache = self.__dict__.setdefault("cache", {})
        if identifier in cache:
            return JSONResponse(cache[identifier])
        response = await super().get_user(identifier, caller)
        if identifier is not None:
            cache[identifier] = json.loads(bytes(response.body))
        return response


class _RemovedAddressStaysTaken(UsersAPI):
    async def delete_user(self, identifier: str | None, caller: Account) -> Any:
        user = None if identifier is None else await self.store.get(identifier)
        response = await super().delete_user(identifier, caller)
        if user is not None and response.status_code == 200:
            self.__dict__.setdefault("gone", set()).add(user.email_address.lower())
        return response

    async def create_user(self, request: Any, caller: Account) -> Any:
        try:
            sent = json.loads(await request.body()).get("user")
        except (ValueError, AttributeError):
            sent = None  # not an invitation this variant looks at: the faithful server answers it
        address = sent.get("email_address") if isinstance(sent, dict) else None
        if isinstance(address, str) and address.lower() in self.__dict__.get("gone", set()):
            return self.validation_errors({"email_address": ["has already been taken"]})
        return await super().create_user(request, caller)


class _RemovedUserStaysListed(UsersAPI):
    async def delete_user(self, identifier: str | None, caller: Account) -> Any:
        user = None if identifier is None else await self.store.get(identifier)
        response = await super().delete_user(identifier, caller)
        if user is not None and response.status_code == 200:
            self.__dict__.setdefault("ghosts", []).append(self.render_user(user))
        return response

    async def list_users(self, request: Any, caller: Account) -> Any:
        listed = json.loads(bytes((await super().list_users(request, caller)).body))
        return JSONResponse(listed + self.__dict__.get("ghosts", []))


class _ReusesIds(Store):
    """Gives a new user the lowest id above every user still there: a removed newest user's id comes back."""

    def _insert(self, connection: sqlite3.Connection, invitation: Any, *, activated: bool) -> User | None:
        (next_id,) = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM users").fetchone()
        user = super()._insert(connection, invitation, activated=activated)
        if user is None or user.id == next_id:
            return user
        connection.execute("UPDATE users SET id = ? WHERE identifier = ?", (next_id, user.identifier))
        return dataclasses.replace(user, id=next_id)


class _IdentifierFromAddress(Store):
    """Derives the identifier from the address: a removed user's address invited again gets its identifier back."""

    def _insert(self, connection: sqlite3.Connection, invitation: Any, *, activated: bool) -> User | None:
        user = super()._insert(connection, invitation, activated=activated)
        if user is None:
            return None
        derived = str(uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{user.email_address.lower()}"))
        connection.execute("UPDATE users SET identifier = ? WHERE identifier = ?", (derived, user.identifier))
        return dataclasses.replace(user, identifier=derived)


# -- found by review: what a Rails app does that the spec does not allow -----------------------------------


def _address_trimmed(request: Request, user: dict[str, Any]) -> None:
    if isinstance(user.get("email_address"), str):
        user["email_address"] = user["email_address"].strip()


def _false_flags_ignored(request: Request, user: dict[str, Any]) -> None:
    """Rails' `.presence`: a flag sent false is no change."""
    for name in [n for n, v in user.items() if v is False]:
        del user[name]


class _ZoneNamesForgiven(Validator):
    """Takes `europe/london` or Rails' `London` for `Europe/London`."""

    def check_field(self, name: str, value: object) -> Any:
        if name == "time_zone" and isinstance(value, str) and value not in self.time_zones:
            by_lower = {zone.lower(): zone for zone in self.time_zones}
            rails = {zone.rsplit("/", 1)[-1].replace("_", " ").lower(): zone for zone in self.time_zones}
            value = by_lower.get(value.lower()) or rails.get(value.lower(), value)
        return super().check_field(name, value)


class _BlankLastNameIsNull(Validator):
    def check_field(self, name: str, value: object) -> Any:
        messages, stored = super().check_field(name, value)
        if name == "last_name" and not messages and isinstance(value, str) and not value.strip():
            stored = Changes({**stored, "last_name": None})
        return messages, stored


class _RacyDuplicates(UsersAPI):
    """Decides duplicates by looking the address up first, with no unique index behind it: a second invitation that
    arrives while the first is between its look-up and its insert gets in too (the pause makes that certain)."""

    async def taken(self, address: str, but: str | None = None) -> bool:
        return any(u.email_address.lower() == address.lower() and u.identifier != but for u in await self.store.list())

    async def create_user(self, request: Any, caller: Account) -> Any:
        result = self.validator.validate(await self.json_body(request))
        if not isinstance(result, Invitation):
            return self.validation_errors(result)
        if await self.taken(result.email_address):
            return self.validation_errors({"email_address": ["has already been taken"]})
        await asyncio.sleep(0.3)
        unique = dataclasses.replace(result, email_key=f"{result.email_key}#{uuid.uuid4()}")
        user = await self.store.create(self.restrict(unique, caller))
        assert user is not None  # the key is unique: the store cannot refuse it
        return JSONResponse(self.render_user(user), status_code=201)

    async def update_user(self, request: Any, identifier: str | None, caller: Account) -> Any:
        try:
            sent = json.loads(await request.body())
        except ValueError:
            sent = None  # the faithful server answers what is not JSON
        user = sent.get("user") if isinstance(sent, dict) else None
        address = user.get("email_address") if isinstance(user, dict) else None
        if isinstance(address, str) and await self.taken(address, but=identifier):
            return self.validation_errors({"email_address": ["has already been taken"]})
        return await super().update_user(request, identifier, caller)


_ANSWERED = iter(range(1, 10**9))


def _throttles_in_html(exchange: Exchange) -> None:
    """Two early answers are a 429 as a proxy writes it: an HTML page, no Retry-After."""
    if next(_ANSWERED) in (5, 6):
        exchange.status = 429
        exchange.content = b"<html><body><h1>429 Too Many Requests</h1></body></html>"
        exchange.headers = {"content-type": "text/html"}


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


_VARIANTS = [
    # An invitation's answer.
    Variant(
        "omitted-flag-true",
        "an omitted permission flag comes back false",
        "test_invite.py::test_omitted_fields_get_their_defaults",
        _user_answers("createUser", 201, _omitted_flag_true),
    ),
    Variant(
        "sent-flag-dropped",
        "a sent permission flag comes back as sent",
        "test_invite.py::test_every_sent_value_comes_back",
        _user_answers("createUser", 201, _sent_flag_dropped),
    ),
    Variant(
        "last-name-dropped",
        "a sent last_name comes back as sent",
        "test_invite.py::test_every_sent_value_comes_back",
        _user_answers("createUser", 201, _last_name_dropped),
    ),
    Variant(
        "first-name-changed",
        "a sent first_name comes back as sent",
        "test_invite.py::test_omitted_fields_get_their_defaults",
        _user_answers("createUser", 201, _first_name_changed),
    ),
    Variant(
        "wrong-time-zone-default",
        "an omitted time_zone comes back Etc/UTC",
        "test_invite.py::test_omitted_fields_get_their_defaults",
        _user_answers("createUser", 201, _time_zone_default),
    ),
    Variant(
        "invite-activated",
        "a new invitation is not activated",
        "test_invite.py::test_omitted_fields_get_their_defaults",
        _user_answers("createUser", 201, _activated),
    ),
    Variant(
        "identifier-not-uuid",
        "identifier is a UUID",
        "test_invite.py::test_omitted_fields_get_their_defaults",
        _user_answers("createUser", 201, _identifier_number),
    ),
    Variant(
        "id-mistyped",
        "id is an integer",
        "test_invite.py::test_omitted_fields_get_their_defaults",
        _user_answers("createUser", 201, _id_string),
    ),
    Variant(
        "field-missing",
        "a user has all 13 fields",
        "test_invite.py::test_omitted_fields_get_their_defaults",
        _user_answers("createUser", 201, _field_missing),
    ),
    Variant(
        "created-is-200",
        "an invitation is answered 201",
        "test_invite.py::test_omitted_fields_get_their_defaults",
        _answers(_status_200),
    ),
    Variant(
        "html-content-type",
        "answers are application/json",
        "test_invite.py::test_omitted_fields_get_their_defaults",
        _answers(_html_content_type),
    ),
    Variant(
        "422-wrong-shape",
        "a 422 maps each field to its messages",
        "test_invite.py::test_duplicate_address_is_refused_case_insensitively",
        _answers(_422_shape),
    ),
    Variant(
        "401-plain-text",
        "a 401 has the documented JSON body",
        "test_auth.py::test_bad_credentials_are_a_401_with_the_documented_body[listUsers-no credentials]",
        _answers(_401_text),
    ),
    Variant(
        "500-on-non-ascii",
        "no input is answered with a 5xx",
        "test_invite.py::test_invalid_invitation_is_refused_naming_the_field[first_name blank in unicode]",
        _answers(_500_on_non_ascii),
    ),
    Variant(
        "500-on-bad-json",
        "a body that is not JSON is a 400, not a 5xx",
        "test_bodies.py::test_body_that_is_not_json_is_a_400[createUser]",
        _piece(api_class=_CrashesOnBadJSON),
    ),
    # Credentials.
    Variant(
        "ignores-credentials",
        "no credentials is a 401",
        "test_auth.py::test_bad_credentials_are_a_401_with_the_documented_body[listUsers-no credentials]",
        _piece(authenticator_class=_IgnoresCredentials),
    ),
    Variant(
        "accepts-any-key",
        "a wrong API key is a 401",
        "test_auth.py::test_bad_credentials_are_a_401_with_the_documented_body[listUsers-wrong API key]",
        _piece(authenticator_class=_AcceptsAnyKey),
    ),
    # Refusals of an invitation.
    Variant(
        "accepts-duplicates",
        "a duplicate address is a 422",
        "test_invite.py::test_duplicate_address_is_refused_case_insensitively",
        _piece(validator_class=_AcceptsDuplicates),
    ),
    Variant(
        "accepts-blank-first-name",
        "a blank first_name is a 422",
        "test_invite.py::test_invalid_invitation_is_refused_naming_the_field[first_name blank]",
        _piece(validator_class=_AcceptsBlankNames),
    ),
    Variant(
        "accepts-malformed-address",
        "a malformed address is a 422",
        "test_invite.py::test_invalid_invitation_is_refused_naming_the_field[email_address malformed]",
        _piece(validator_class=_AcceptsMalformedAddresses),
    ),
    Variant(
        "accepts-unknown-zone",
        "an unknown time_zone is a 422",
        "test_invite.py::test_invalid_invitation_is_refused_naming_the_field[unknown time zone]",
        _piece(validator_class=_AcceptsUnknownZones),
    ),
    # Values the spec allows, changed on their way in or out.
    Variant(
        "address-lower-cased",
        "a mixed-case address comes back exactly as sent",
        "test_invite.py::test_address_comes_back_exactly_as_sent",
        _on_users("createUser", _address_lower_cased),
    ),
    Variant(
        "names-stripped",
        "white space around a name is kept as sent",
        "test_invite.py::test_names_come_back_exactly_as_sent[white space around]",
        _on_users("createUser", _names_stripped),
    ),
    Variant(
        "names-composed",
        "a name in decomposed Unicode comes back byte for byte",
        "test_invite.py::test_names_come_back_exactly_as_sent[decomposed Unicode]",
        _on_users("createUser", _names_composed),
    ),
    Variant(
        "crash-at-max-length",
        "a name of exactly 255 characters is accepted, never a 5xx",
        "test_invite.py::test_longest_values_the_spec_allows_are_kept",
        _answers(_crash_at_max_length),
    ),
    # Removal.
    Variant(
        "delete-keeps-user",
        "a removed user is gone",
        "test_remove.py::test_removed_user_is_gone",
        _piece(api_class=_DeleteKeepsTheUser),
    ),
    # Updates and resends.
    Variant(
        "patch-resets-omitted",
        "a PATCH changes only the fields sent",
        "test_update.py::test_only_the_sent_fields_change[PATCH]",
        _on_users("updateUser", _resets_omitted),
    ),
    Variant(
        "put-resets-omitted",
        "a PUT changes only the fields sent, like a PATCH",
        "test_update.py::test_only_the_sent_fields_change[PUT]",
        _on_users("replaceUser", _resets_omitted),
    ),
    Variant(
        "put-ignores-a-flag",
        "a flag sent in a PUT comes back as sent",
        "test_update.py::test_every_field_can_change[PUT]",
        _on_users("replaceUser", _drops_billing_flag),
    ),
    Variant(
        "update-lower-cases-address",
        "a changed address comes back exactly as sent",
        "test_update.py::test_own_address_in_other_letter_case_is_not_a_duplicate[PATCH]",
        _on_users("updateUser", _lower_cases_on_update),
    ),
    Variant(
        "update-answers-old-user",
        "an update answers the user after the change",
        "test_update.py::test_only_the_sent_fields_change[PATCH]",
        _piece(api_class=_UpdateAnswersTheOldUser),
    ),
    Variant(
        "update-accepts-duplicate",
        "an update to another user's address is a 422",
        "test_update.py::test_another_users_address_is_refused_case_insensitively[PATCH]",
        _piece(validator_class=_UpdateAcceptsDuplicates),
    ),
    Variant(
        "update-accepts-blank-first-name",
        "an update to a blank first_name is a 422",
        "test_update.py::test_invalid_change_is_refused_naming_the_field[first_name empty-PATCH]",
        _piece(validator_class=_UpdateAcceptsBlankFirstName),
    ),
    Variant(
        "resend-to-activated",
        "a resend to an activated user is a 422",
        "test_resend.py::test_activated_user_is_refused",
        _answers(_resend_to_activated),
    ),
    Variant(
        "resend-to-unknown",
        "a resend to an unknown user is a 404",
        "test_resend.py::test_unknown_identifier_is_a_404",
        _answers(_resend_unknown),
    ),
    Variant(
        "delete-403-uncoded",
        "the 403 of DELETE is {error, error_code}",
        # The first 403 of DELETE a run meets is an account administrator's, before the roles are judged.
        "test_remove.py::test_an_account_administrator_cannot_be_removed",
        _answers(_delete_403_uncoded),
    ),
    Variant(
        "administrator-removable",
        "an account administrator cannot be removed",
        "test_remove.py::test_an_account_administrator_cannot_be_removed",
        _piece(store_class=_RemovesAdministrators),
    ),
    Variant(
        "administrator-refusal-reworded",
        "removing an account administrator is 403 in DeployHQ's words, error_code forbidden",
        "test_remove.py::test_an_account_administrator_cannot_be_removed",
        _answers(_administrator_refused_in_other_words),
    ),
    Variant(
        "last-administrator-demotable",
        "the last administrator cannot lose account_administrator",
        "test_last_administrator.py::test_last_administrator_cannot_be_demoted[PATCH]",
        _piece(store_class=_DemotesTheLastAdministrator),
    ),
    Variant(
        "pending-administrators-count",
        "an administrator invited but not activated does not count as the account's administrator",
        # Earlier tests leave administrators invited but not activated: the first demotion already shows it.
        "test_last_administrator.py::test_last_administrator_cannot_be_demoted[PATCH]",
        _piece(store_class=_PendingAdministratorsCount),
    ),
    # Roles.
    Variant(
        "manager-grants-administrator",
        "a caller who is not an administrator cannot grant admin-only flags",
        "test_roles.py::test_manager_invites_without_admin_only_flags",
        _piece(api_class=_ManagerGrantsAdministrator),
    ),
    Variant(
        "member-invites",
        "a member who may not manage users cannot invite",
        "test_roles.py::test_member_may_not_manage_users[createUser]",
        _piece(api_class=_MemberInvites),
    ),
    # Reads and lists against writes; removals; identities.
    Variant(
        "list-misses-newest",
        "the list shows every user",
        "test_read.py::test_list_shows_each_user_once_as_written",
        _answers(_list_misses_newest),
    ),
    Variant(
        "list-repeats-a-user",
        "the list shows each user once",
        "test_read.py::test_list_shows_each_user_once_as_written",
        _answers(_list_repeats_a_user),
    ),
    Variant(
        "read-shows-default-zone",
        "a user reads back as it was written",
        "test_read.py::test_invited_user_reads_back_as_created",
        _answers(_read_shows_default_zone),
    ),
    Variant(
        "read-from-stale-cache",
        "a read after a change shows the change",
        "test_update.py::test_a_flag_set_by_an_administrator_sticks[PATCH]",
        _piece(api_class=_ReadsFromAStaleCache),
    ),
    Variant(
        "removed-address-stays-taken",
        "a removed user's address can be invited again",
        "test_remove.py::test_removed_users_address_can_be_invited_again",
        _piece(api_class=_RemovedAddressStaysTaken),
    ),
    Variant(
        "removed-user-stays-listed",
        "a removed user is gone from the list",
        "test_remove.py::test_removed_user_is_gone",
        _piece(api_class=_RemovedUserStaysListed),
    ),
    Variant(
        "id-reused",
        "ids are never reused",
        "test_remove.py::test_removed_users_address_can_be_invited_again",
        _piece(store_class=_ReusesIds),
    ),
    # Found by review: forgiving input the spec refuses, Rails' `.presence`, a race, a proxy's 429.
    Variant(
        "address-trimmed",
        "an address with white space around it is a 422",
        "test_invite.py::test_invalid_invitation_is_refused_naming_the_field[email_address with spaces around]",
        _on_users("createUser", _address_trimmed),
    ),
    Variant(
        "zone-names-forgiven",
        "a time zone that is not an exact IANA name is a 422",
        "test_invite.py::test_invalid_invitation_is_refused_naming_the_field[time zone in lower case]",
        _piece(validator_class=_ZoneNamesForgiven),
    ),
    Variant(
        "false-flags-ignored",
        "a flag changed to false sticks",
        "test_update.py::test_a_flag_set_by_an_administrator_sticks[PATCH]",
        _on_users("updateUser", _false_flags_ignored),
    ),
    Variant(
        "blank-last-name-is-null",
        "an empty last name comes back empty, not null",
        "test_invite.py::test_names_come_back_exactly_as_sent[empty last name]",
        _piece(validator_class=_BlankLastNameIsNull),
    ),
    Variant(
        "racy-duplicates",
        "invitations of one address sent at once make one user",
        "test_invite.py::test_concurrent_invitations_of_one_address_make_one_user",
        _piece(api_class=_RacyDuplicates),
    ),
    Variant(
        "throttles-in-html",
        "a 429 has the documented body and a Retry-After",
        "test_rate_limits.py::test_every_429_had_the_documented_body_and_retry_after",
        _answers(_throttles_in_html),
    ),
    Variant(
        "identifier-reused",
        "identifiers are never reused",
        "test_remove.py::test_removed_users_address_can_be_invited_again",
        _piece(store_class=_IdentifierFromAddress),
    ),
]

CATALOGUE: dict[str, Variant] = {variant.name: variant for variant in _VARIANTS}


def _adds_a_field(exchange: Exchange) -> None:
    if exchange.status in (200, 201) and exchange.content.startswith((b"{", b"[")):
        body = exchange.json()
        for user in body if isinstance(body, list) else [body]:
            if isinstance(user, dict) and "identifier" in user:
                user["nickname"] = "new in a later API version"
        exchange.set_json(body)


class _Coerces(Validator):
    """Like a Rails app: a flag that is not a boolean is made one, a number given as a name becomes text."""

    def check_field(self, name: str, value: object) -> Any:
        if name in FLAGS and not isinstance(value, bool):
            value = bool(value)
        elif name in ("first_name", "last_name") and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return super().check_field(name, value)


def _adds_a_field_on_reads(exchange: Exchange) -> None:
    if exchange.operation in ("getUser", "listUsers"):
        _adds_a_field(exchange)


_ETAGS = iter(range(1, 10**9))


def _adds_an_etag(exchange: Exchange) -> None:
    """A field whose value differs in every answer, as an ETag or a fetch time would."""
    if exchange.status in (200, 201) and exchange.content.startswith((b"{", b"[")):
        body = exchange.json()
        for user in body if isinstance(body, list) else [body]:
            if isinstance(user, dict) and "identifier" in user:
                user["etag"] = f"W/{next(_ETAGS)}"
        exchange.set_json(body)


# Not broken: servers that answer fields the spec does not know ("Servers may add fields"). The suite must pass,
# with a warning: on every answer, only on reads (so a read has more fields than the write), or a value that
# changes with every answer (so no two answers are equal as a whole).
ADDITIVE_DRIFT = Variant("adds-a-field", "(none: additive drift is allowed)", "", _answers(_adds_a_field))
MUST_PASS = [
    ADDITIVE_DRIFT,
    Variant("adds-a-field-on-reads", "(none: additive drift is allowed)", "", _answers(_adds_a_field_on_reads)),
    Variant("adds-an-etag", "(none: additive drift is allowed)", "", _answers(_adds_an_etag)),
]
# Lenient, not broken for a client: it coerces mistyped values instead of refusing them. Against it `--live`
# passes with a leniency warning; strict runs (loopback, teeth, --contract-strict) fail.
LENIENT = Variant("lenient", "(leniency: mistyped values coerced, not refused)", "", _piece(validator_class=_Coerces))


class _LastNameEmpty(Validator):
    """An invitation without last_name stores "": every DeployHQ example shows last_name as a string."""

    def validate(self, payload: object) -> Any:
        result = super().validate(payload)
        if isinstance(result, Invitation) and result.last_name is None:
            return dataclasses.replace(result, last_name="")
        return result


def _errors_as_a_list(exchange: Exchange) -> None:
    """A 422 of an invitation or an update as {"errors": [...]}, a shape DeployHQ's SDK reads and its tests use."""
    if exchange.status == 422 and exchange.operation in ("createUser", "updateUser", "replaceUser"):
        body = exchange.json()
        messages = [f"{name.replace('_', ' ').capitalize()} {m}" for name, found in body.items() for m in found]
        exchange.set_json({"errors": messages})


# Answers as DeployHQ's own material allows where this contract decided otherwise: a --live run lists those
# decisions as contradicted in reports/contract-calibration.json and passes; a loopback run fails.
AS_DEPLOYHQ_MAY = Variant(
    "as-deployhq-may",
    '(decisions answered otherwise: 422 as {"errors": [...]}, last_name "" for an invitation without one)',
    "",
    lambda database, accounts: Rewrite(
        create_app(database, accounts=accounts, validator_class=_LastNameEmpty), answer=_errors_as_a_list
    ),
)
# Every name `python -m mutants NAME` serves.
SERVABLE = ("faithful", *(v.name for v in MUST_PASS), LENIENT.name, AS_DEPLOYHQ_MAY.name, *CATALOGUE)


def build(name: str, database: str | os.PathLike[str], accounts: Accounts | None = None) -> Any:
    """The ASGI app of variant *name* ("faithful" for the reference server itself)."""
    accounts = Accounts.from_env() if accounts is None else accounts
    if name == "faithful":
        return create_app(database, accounts=accounts)
    passing = {variant.name: variant for variant in (*MUST_PASS, LENIENT, AS_DEPLOYHQ_MAY)}
    if name in passing:
        return passing[name].build(database, accounts)
    if name not in CATALOGUE:
        raise KeyError(f"no variant named {name!r}; `python -m mutants --list` names them")
    return CATALOGUE[name].build(database, accounts)


# -- issue 23, the judge's third wave: near-miss credentials, effects across operations, scale, the spec's letter ----


class _NearMissAuthenticator(Authenticator):
    """Signs in whoever `accepts(known_key, given_key)` lets through for a known address."""

    @staticmethod
    def accepts(known: bytes, given: bytes) -> bool:
        raise NotImplementedError

    def authenticate(self, authorization: str | None) -> Account | None:
        found = super().authenticate(authorization)
        credentials = self.parse(authorization)
        if found is not None or credentials is None:
            return found
        email, given = credentials
        return next((a for e, k, a in self._keys if e == email and self.accepts(k, given)), None)


class _KeyCaseInsensitive(_NearMissAuthenticator):
    """The key kept in a case-insensitive column (MySQL's default collation)."""

    @staticmethod
    def accepts(known: bytes, given: bytes) -> bool:
        return known.lower() == given.lower()


class _KeyPrefix(_NearMissAuthenticator):
    """Compares only as much of the key as was given."""

    @staticmethod
    def accepts(known: bytes, given: bytes) -> bool:
        return bool(given) and known.startswith(given)


class _KeyTrailingIgnored(_NearMissAuthenticator):
    """Compares the stored key's length of what was given (a truncating column)."""

    @staticmethod
    def accepts(known: bytes, given: bytes) -> bool:
        return given[: len(known)] == known


class _EmptyKeyAccepted(_NearMissAuthenticator):
    """`api_key.blank? || ...`: an empty key for a known address signs in."""

    @staticmethod
    def accepts(known: bytes, given: bytes) -> bool:
        return given == b""


class _KeyWithAnyAddress(Authenticator):
    """Looks the key up and checks only that the address is some user's."""

    def authenticate(self, authorization: str | None) -> Account | None:
        credentials = self.parse(authorization)
        if credentials is None:
            return None
        email, given = credentials
        if not any(e == email for e, _, _ in self._keys):
            return None
        return next((a for _, k, a in self._keys if k == given), None)


def _names_html_escaped(request: Request, user: dict[str, Any]) -> None:
    for name in ("first_name", "last_name"):
        if isinstance(user.get(name), str):
            user[name] = html.escape(user[name], quote=False)


def _names_html_escaped_on_reads(exchange: Exchange) -> None:
    """A view layer that escapes what it renders, on reads only: the write's answer is still right."""
    if exchange.operation in ("getUser", "listUsers") and exchange.status == 200:
        body = exchange.json()
        for user in body if isinstance(body, list) else [body]:
            for name in ("first_name", "last_name"):
                if isinstance(user.get(name), str):
                    user[name] = html.escape(user[name], quote=False)
        exchange.set_json(body)


def _invisible_stripped(request: Request, user: dict[str, Any]) -> None:
    """A "sanitizer" of invisible characters (zero-width spaces, bidi marks, soft hyphens, BOM) that spares the
    zero-width joiner, so emoji sequences survive."""
    for name in ("first_name", "last_name"):
        if isinstance(user.get(name), str):
            user[name] = "".join(c for c in user[name] if c == "\u200d" or unicodedata.category(c) != "Cf")


def _control_stripped(request: Request, user: dict[str, Any]) -> None:
    """A "sanitizer" of control characters that keeps tab, newline and return."""
    for name in ("first_name", "last_name"):
        if isinstance(user.get(name), str):
            user[name] = "".join(c for c in user[name] if c in "\t\n\r" or unicodedata.category(c) != "Cc")


def _list_newest_first(exchange: Exchange) -> None:
    if exchange.operation == "listUsers" and exchange.status == 200:
        exchange.set_json(exchange.json()[::-1])


class _GivenUpAddressStaysTaken(Store):
    """Keeps every address a user changed away from in its unique index (an `email_was` never cleared)."""

    def _held(self) -> set[str]:
        held: set[str] = self.__dict__.setdefault("held", set())
        return held

    def _update(self, connection: sqlite3.Connection, identifier: str, changes: Changes) -> User | Refusal:
        before = self._row(connection, identifier)
        if changes.get("email_key") in self._held():
            return Refusal.TAKEN
        after = super()._update(connection, identifier, changes)
        given_up = None if before is None else before.email_address.lower()  # an ASCII address's key
        if isinstance(after, User) and given_up is not None and given_up != after.email_address.lower():
            self._held().add(given_up)
        return after

    def _insert(self, connection: sqlite3.Connection, invitation: Any, *, activated: bool) -> User | None:
        if invitation.email_key in self._held():
            return None
        return super()._insert(connection, invitation, activated=activated)


class _ChangedAddressKeptAsSent(Store):
    """Checks an update's address case-insensitively, but stores it as typed: later, it is unique only as typed."""

    def _update(self, connection: sqlite3.Connection, identifier: str, changes: Changes) -> User | Refusal:
        if "email_key" in changes and "email_address" in changes:
            query = "SELECT 1 FROM users WHERE lower(email_key) = ? AND identifier != ?"
            if connection.execute(query, (changes["email_key"], identifier)).fetchone():
                return Refusal.TAKEN
            changes = Changes({**changes, "email_key": changes["email_address"]})
        return super()._update(connection, identifier, changes)


class _RefusedInvitationLeavesARow(Store):
    """A duplicate invitation is refused, but the row a callback wrote before the check stays."""

    async def create(self, invitation: Invitation, *, caller: Any = None) -> User | None:
        user = await super().create(invitation, caller=caller)
        if user is None:
            orphan = dataclasses.replace(invitation, email_key=f"{invitation.email_key}#{uuid.uuid4()}")
            await super().create(orphan)
        return user


class _RefusedUpdateHalfApplies(Store):
    """Saves the other fields first and the address last, outside one transaction: a taken address keeps the rest."""

    def _update(self, connection: sqlite3.Connection, identifier: str, changes: Changes) -> User | Refusal:
        others = Changes({k: v for k, v in changes.items() if k not in ("email_key", "email_address")})
        if others and len(others) < len(changes):
            super()._update(connection, identifier, others)
        return super()._update(connection, identifier, changes)


class _ResendReappliesDefaults(UsersAPI):
    """A resend that builds the invitation again from the defaults and saves it over the user."""

    async def resend_invitation(self, identifier: str | None, caller: Account) -> Any:
        response = await super().resend_invitation(identifier, caller)
        if identifier is not None and response.status_code == 200:
            await self.store.update(identifier, Changes({"time_zone": "Etc/UTC", **dict.fromkeys(FLAGS, False)}))
        return response


class _ReadSavesStrippedNames(UsersAPI):
    """A read that saves the user (a `last_seen_at` touch) through a callback that strips names."""

    async def get_user(self, identifier: str | None, caller: Account) -> Any:
        response = await super().get_user(identifier, caller)
        user = None if identifier is None else await self.store.get(identifier)
        if user is not None:
            stripped = {n: v.strip() for n in ("first_name", "last_name") if (v := getattr(user, n)) and v.strip()}
            await self.store.update(user.identifier, Changes(stripped))
        return response


def _list_cut_at(limit: int) -> Builder:
    """A list with a default page size and no word of a next page (`LIMIT n` in the query)."""

    def cut(exchange: Exchange) -> None:
        if exchange.operation == "listUsers" and exchange.status == 200:
            exchange.set_json(exchange.json()[:limit])

    return _answers(cut)


def _list_pages_newest_page_first(exchange: Exchange) -> None:
    """Fetched in pages of 250 and joined newest page first: in order up to 250 users, not past it."""
    if exchange.operation == "listUsers" and exchange.status == 200:
        users = exchange.json()
        pages = [users[start : start + 250] for start in range(0, len(users), 250)]
        exchange.set_json([user for page in reversed(pages) for user in page])


def _ids_wrap_past_1000(exchange: Exchange) -> None:
    """Ids rendered from a counter of three decimal digits: user 1001 is shown as id 1."""
    if exchange.status in (200, 201) and exchange.content.startswith((b"{", b"[")):
        body = exchange.json()
        for user in body if isinstance(body, list) else [body]:
            if isinstance(user, dict) and isinstance(user.get("id"), int):
                user["id"] = (user["id"] - 1) % 1000 + 1
        exchange.set_json(body)


def _nulls_as_omitted(request: Request) -> None:
    """Rails' `params.compact`: a `null` optional field is taken as left out, not refused."""
    user = request.user
    if request.operation in ("createUser", "updateUser", "replaceUser") and user is not None:
        request.set_user({n: v for n, v in user.items() if v is not None or n in ("first_name", "email_address")})


_THIRD_WAVE = [
    # Near-miss credentials.
    Variant(
        "key-case-insensitive",
        "the API key in other letter case is a 401",
        "test_credentials.py::test_near_miss_credentials_are_a_401[listUsers-key in other letter case]",
        _piece(authenticator_class=_KeyCaseInsensitive),
    ),
    Variant(
        "key-prefix-accepted",
        "the API key without its last character is a 401",
        "test_credentials.py::test_near_miss_credentials_are_a_401[listUsers-key without its last character]",
        _piece(authenticator_class=_KeyPrefix),
    ),
    Variant(
        "key-trailing-accepted",
        "the API key with characters after it is a 401",
        "test_credentials.py::test_near_miss_credentials_are_a_401[listUsers-key with characters after it]",
        _piece(authenticator_class=_KeyTrailingIgnored),
    ),
    Variant(
        "empty-key-accepted",
        "an empty API key for a known address is a 401",
        "test_credentials.py::test_near_miss_credentials_are_a_401[listUsers-empty key]",
        _piece(authenticator_class=_EmptyKeyAccepted),
    ),
    Variant(
        "key-with-any-address",
        "the right API key with another user's address is a 401",
        "test_credentials.py::test_near_miss_credentials_are_a_401[listUsers-key with another user's address]",
        _piece(authenticator_class=_KeyWithAnyAddress),
    ),
    # Effects of one operation on the rest of the account.
    Variant(
        "given-up-address-stays-taken",
        "an address a user changed away from is free again",
        "test_consistency.py::test_reads_and_lists_agree_with_every_write",
        _piece(store_class=_GivenUpAddressStaysTaken),
    ),
    Variant(
        "changed-address-unique-as-typed",
        "an address set by an update is taken in any letter case",
        "test_consistency.py::test_reads_and_lists_agree_with_every_write",
        _piece(store_class=_ChangedAddressKeptAsSent),
    ),
    Variant(
        "refused-invitation-leaves-a-row",
        "a refused invitation creates no user",
        "test_consistency.py::test_reads_and_lists_agree_with_every_write",
        _piece(store_class=_RefusedInvitationLeavesARow),
    ),
    Variant(
        "refused-update-half-applies",
        "a refused update changes nothing",
        "test_consistency.py::test_reads_and_lists_agree_with_every_write",
        _piece(store_class=_RefusedUpdateHalfApplies),
    ),
    Variant(
        "resend-reapplies-defaults",
        "a resend changes no user",
        "test_consistency.py::test_reads_and_lists_agree_with_every_write",
        _piece(api_class=_ResendReappliesDefaults),
    ),
    Variant(
        "read-saves-stripped-names",
        "a read changes no user",
        "test_consistency.py::test_reads_and_lists_agree_with_every_write",
        _piece(api_class=_ReadSavesStrippedNames),
    ),
    # What the spec says of names and of the list.
    Variant(
        "names-html-escaped",
        "markup in a name comes back byte for byte",
        "test_invite.py::test_names_come_back_exactly_as_sent[markup quotes backslashes percent]",
        _on_users("createUser", _names_html_escaped),
    ),
    Variant(
        "names-html-escaped-on-reads",
        "markup in a name reads back byte for byte",
        "test_read.py::test_names_with_special_characters_read_back_byte_for_byte",
        _answers(_names_html_escaped_on_reads),
    ),
    Variant(
        "control-characters-stripped",
        "control characters in a name come back byte for byte",
        "test_invite.py::test_names_come_back_exactly_as_sent[control and format characters]",
        _on_users("createUser", _control_stripped),
    ),
    Variant(
        "format-characters-stripped",
        "format characters (zero-width, bidi marks) in a name come back byte for byte",
        "test_invite.py::test_names_come_back_exactly_as_sent[control and format characters]",
        _on_users("createUser", _invisible_stripped),
    ),
    # Leniency a live target must report: null taken as omitted.
    Variant(
        "null-as-omitted",
        "null for an optional field is a 422 (leniency on a live target)",
        "test_invite.py::test_null_for_an_optional_field_is_refused[last_name]",
        _requests(_nulls_as_omitted),
    ),
    Variant(
        "list-cut-at-100",
        "the list holds every user, past 100",
        # The quick profile's account is past 100 users before the scale phase: the consistency machine sees it first.
        "test_consistency.py::test_reads_and_lists_agree_with_every_write",
        _list_cut_at(100),
    ),
    Variant(
        "list-cut-at-250",
        "the list holds every user, past 250",
        "test_scale.py::test_list_is_whole_past_a_size[250]",
        _list_cut_at(250),
    ),
    Variant(
        "list-pages-out-of-order",
        "the list is oldest first, past 250",
        "test_scale.py::test_list_is_whole_past_a_size[250]",
        _answers(_list_pages_newest_page_first),
    ),
    Variant(
        "ids-wrap-past-1000",
        "ids are unique and increase, past 1000",
        "test_scale.py::test_list_is_whole_past_a_size[1000]",
        _answers(_ids_wrap_past_1000),
    ),
    Variant(
        "list-newest-first",
        "the list is oldest first",
        "test_read.py::test_list_shows_each_user_once_as_written",
        _answers(_list_newest_first),
    ),
]
CATALOGUE.update((variant.name, variant) for variant in _THIRD_WAVE)
SERVABLE = (*SERVABLE, *(variant.name for variant in _THIRD_WAVE))


class _ManagerChangesAdministratorsAddress(UsersAPI):
    """Checks who may change the permission flags, but not who may change an administrator's address."""

    def check_address_change(self, caller: Account, target: User | None, changes: Changes) -> None:
        return None


class _ResendAppliesItsBody(UsersAPI):
    """A resend that saves the names and flags of a body sent with it (one route shared with the update)."""

    async def resend_endpoint(self, request: Any) -> Any:
        response = await super().resend_endpoint(request)
        identifier = self.identifier(request)
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            body = None
        sent = body.get("user") if isinstance(body, dict) else None
        if identifier is not None and response.status_code == 200 and isinstance(sent, dict):
            names = ("first_name", "last_name", *FLAGS)
            await self.store.update(identifier, Changes({n: v for n, v in sent.items() if n in names}))
        return response


_FOURTH_WAVE = [
    Variant(
        "manager-changes-administrators-address",
        "a manager's change of an account administrator's address is a 403",
        "test_administrators_address.py::test_a_manager_cannot_change_an_administrators_address",
        _piece(api_class=_ManagerChangesAdministratorsAddress),
    ),
    Variant(
        "resend-applies-its-body",
        "a resend ignores a body",
        "test_resend_body.py::test_a_resend_ignores_a_body",
        _piece(api_class=_ResendAppliesItsBody),
    ),
]
CATALOGUE.update((variant.name, variant) for variant in _FOURTH_WAVE)
SERVABLE = (*SERVABLE, *(variant.name for variant in _FOURTH_WAVE))
