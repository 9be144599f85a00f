"""The promises of openapi.yaml that no built-in schemathesis check knows, as plain functions.

Each returns the broken promises in plain words (empty when kept). `checks.py` registers them with
schemathesis; the explicit tests and the client round trip call them directly. Field names, flags,
defaults and "blank" all come from the spec (`spec.py`).
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

from . import calibration
from .spec import ADMIN_ONLY_FLAGS, FLAGS, INVITATION_FIELDS, USER_FIELDS, is_blank

__all__ = [
    "DEFAULTS",
    "coded_error_promises",
    "echo_promises",
    "error_body_promises",
    "invitation_promises",
    "list_promises",
    "order_promises",
    "read_promises",
    "refusal_promises",
    "same_user",
    "unknown_fields",
    "update_promises",
    "user_shape_promises",
    "validation_body_promises",
]

# What an invitation that leaves a field out gets (openapi.yaml: UserInvitation's descriptions).
DEFAULTS: Mapping[str, Any] = {"time_zone": "Etc/UTC", "last_name": None, **dict.fromkeys(FLAGS, False)}
REQUIRED_ON_INVITE = ("first_name", "email_address")


def user_shape_promises(user: Mapping[str, Any]) -> list[str]:
    """Every field a user must have, an integer id and a UUID identifier."""
    broken = [f"the user has no {name} field" for name in sorted(USER_FIELDS - set(user))]
    identifier = user.get("identifier")
    if "identifier" in user and not _is_uuid(identifier):
        broken.append(f"identifier must be a UUID, but came back {identifier!r}")
    if "id" in user and (not isinstance(user["id"], int) or isinstance(user["id"], bool)):
        broken.append(f"id must be an integer, but came back {user['id']!r}")
    return broken


def echo_promises(sent: Mapping[str, Any], user: Mapping[str, Any], *, ignored: Collection[str] = ()) -> list[str]:
    """Each value that was sent (and is not *ignored*) comes back exactly as sent."""
    broken = []
    for name in INVITATION_FIELDS:
        if name not in sent or name in ignored or name not in user:
            continue
        if name in FLAGS and not isinstance(sent[name], bool):
            continue  # not a flag value at all: the refusal is the schema checks' business
        if user[name] != sent[name] or type(user[name]) is not type(sent[name]):
            what = "permission flag " + name if name in FLAGS else name
            broken.append(f"{what} was sent as {_show(sent[name])} but came back {_show(user[name])}")
    return broken


def invitation_promises(sent: Mapping[str, Any], user: Mapping[str, Any], *, administrator: bool = True) -> list[str]:
    """What a 201 to POST /users must show, given the `user` object that was sent and who sent it."""
    forced = () if administrator else ADMIN_ONLY_FLAGS
    broken = user_shape_promises(user) + echo_promises(sent, user, ignored=forced)
    for name, default in DEFAULTS.items():
        wrong = name in user and name not in sent and user[name] != default
        if name == "last_name" and name in user and name not in sent:  # a decision: a live run calibrates it
            wrong = calibration.judge("last_name_null", not wrong, f"last_name came back {_show(user[name])}")
        if wrong:
            what = "permission flag " + name if name in FLAGS else name
            shown = _show(user[name])
            broken.append(f"{what} was omitted, so it must come back {_show(default)}, but came back {shown}")
    for flag in forced:
        if flag in sent and user.get(flag) is not False:
            broken.append(
                f"permission flag {flag} was sent by a caller who is not an administrator, so it must come back "
                f"false, but came back {_show(user.get(flag))}"
            )
    if "activated" in user and user["activated"] is not False:
        broken.append(f"a new invitation must not be activated, but activated came back {_show(user['activated'])}")
    return broken


def update_promises(
    before: Mapping[str, Any], sent: Mapping[str, Any], after: Mapping[str, Any], *, administrator: bool = True
) -> list[str]:
    """What a 200 to PATCH/PUT must show: the sent fields changed, every other field as it was before."""
    ignored = () if administrator else ADMIN_ONLY_FLAGS
    broken = user_shape_promises(after) + echo_promises(sent, after, ignored=ignored)
    for name in sorted(USER_FIELDS):
        changed_on_purpose = name in sent and name in INVITATION_FIELDS and name not in ignored
        if changed_on_purpose or name not in before or name not in after:
            continue
        if after[name] != before[name]:
            by_non_administrator = name in ignored and name in sent
            why = "was sent by a caller who is not an administrator" if by_non_administrator else "was not sent"
            broken.append(f"{name} {why}, so it must keep {_show(before[name])}, but came back {_show(after[name])}")
    return broken


def read_promises(identifier: str, user: Mapping[str, Any], written: Mapping[str, Any] | None) -> list[str]:
    """A user read by identifier is that user, and is what its last write answered."""
    broken = user_shape_promises(user)
    if user.get("identifier") != identifier:
        broken.append(f"asked for user {identifier} but got user {user.get('identifier')!r}")
    if written is not None:
        broken += [f"read back, {difference}" for difference in differences(written, user)]
    return broken


def list_promises(users: list[Any], alive: Mapping[str, Mapping[str, Any]], removed: Collection[str]) -> list[str]:
    """The list holds each user once, every user the run wrote as last written, and none the run removed."""
    broken: list[str] = []
    identifiers = [u.get("identifier") for u in users if isinstance(u, dict)]
    ids = [u.get("id") for u in users if isinstance(u, dict)]
    for name, values in (("identifier", identifiers), ("id", ids)):
        repeated = sorted(text for text, count in Counter(map(repr, values)).items() if count > 1)
        if repeated:
            broken.append(f"the list repeats {name} {', '.join(repeated)}")
    listed = {u.get("identifier"): u for u in users if isinstance(u, dict)}
    for identifier, written in sorted(alive.items()):
        if identifier not in listed:
            broken.append(f"user {identifier} exists (it was just written) but is not in the list")
        else:
            broken += [f"listed user {identifier}: {d}" for d in differences(written, listed[identifier])]
    lingering = sorted(identifier for identifier in removed if identifier in listed)
    broken += [f"user {identifier} was removed but is still listed" for identifier in lingering]
    return broken + order_promises(users)


def order_promises(users: list[Any]) -> list[str]:
    """The list is oldest first: ids increase in order of creation, so they increase along the list."""
    ids = [u.get("id") for u in users if isinstance(u, dict)]
    numbers = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    for position, (earlier, later) in enumerate(itertools.pairwise(numbers), start=1):
        if later < earlier:  # an equal id is a repeat, which list_promises names on its own
            return [
                f"the list must be oldest first (ids increasing), but id {later} follows id {earlier} "
                f"at position {position + 1} of {len(numbers)}"
            ]
    return []


def same_user(expected: Mapping[str, Any], actual: Any, *, what: str = "read back") -> list[str]:
    """*actual* is the user *expected* on every field the spec knows (fields a server adds are not compared)."""
    if not isinstance(actual, Mapping):
        return [f"{what}, the user is not a JSON object: {actual!r:.200}"]
    return [
        f"{what}, {name} is {_show(actual.get(name))} where it was {_show(expected[name])}"
        for name in sorted(USER_FIELDS)
        if name in expected and (actual.get(name) != expected[name] or name not in actual)
    ]


def differences(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """The spec's user fields on which two views of one user disagree."""
    return [
        f"{name} is {_show(actual.get(name))} where the write answered {_show(expected[name])}"
        for name in sorted(USER_FIELDS)
        if name in expected and (actual.get(name) != expected[name] or name not in actual)
    ]


def refusal_promises(operation_id: str, sent: Mapping[str, Any], status: int, body: Any) -> list[str]:
    """A required value that is missing or blank is refused with a 422 whose body names the field.

    Statuses that answer an earlier problem are not judged here: 401 (credentials), 403, 404 (unknown
    user), 413 (size), 415 (content type) and 429 (rate limit).
    """
    if operation_id == "createUser":
        faulty = [name for name in REQUIRED_ON_INVITE if is_blank(sent.get(name))]
    else:  # an update: only what was sent is checked, and what is sent must not be blank
        faulty = [name for name in REQUIRED_ON_INVITE if name in sent and is_blank(sent[name])]
    if not faulty or status in (401, 403, 404, 413, 415, 429) or status >= 500:
        return []
    what = " and ".join(faulty)
    if status != 422:
        return [f"a request with {what} missing or blank must be refused with 422, but was answered {status}"]
    named = body if isinstance(body, Mapping) else {}
    broken = [f"the 422 for a missing or blank {name} does not name {name} (body: {body!r:.200})" for name in faulty
              if name not in named]  # fmt: skip
    return _calibrated(body, broken)


def error_body_promises(status: int, body: Any) -> list[str]:
    """An error answer other than a 422 or a coded 403: `{"status": <the status>, "error": <text>}`."""
    if not isinstance(body, Mapping):
        return [f'a {status} must have the JSON body {{"status": {status}, "error": ...}}, not {body!r:.200}']
    broken = []
    if body.get("status") != status or isinstance(body.get("status"), bool):
        shown = _show(body.get("status"))
        broken.append(f'the {status} body must repeat the status as "status": {status}, not {shown}')
    if "error" in body and not isinstance(body["error"], str):
        broken.append(f'the {status} body\'s "error" must be text, not {_show(body["error"])}')
    return broken


def coded_error_promises(body: Any, error_code: str | None = None) -> list[str]:
    """A 403 of an operation that changes a user: `{"error": <text>, "error_code": <code>}`."""
    if not isinstance(body, Mapping):
        return [f'the 403 must have the JSON body {{"error": ..., "error_code": ...}}, not {body!r:.200}']
    broken = [f"the 403 body's \"{name}\" must be text, not {_show(body.get(name))}" for name in ("error", "error_code")
              if not isinstance(body.get(name), str)]  # fmt: skip
    if error_code is not None and isinstance(body.get("error_code"), str) and body["error_code"] != error_code:
        broken.append(f"the 403's error_code must be {error_code!r}, not {body['error_code']!r}")
    return broken


def _other_vendor_shape(body: Any) -> bool:
    """A 422 body in another shape DeployHQ's SDK reads: `{"error": text}` or `{"errors": [text, ...]}`."""
    if not isinstance(body, Mapping) or len(body) != 1:
        return False
    if "error" in body:
        return isinstance(body["error"], str)
    return _is_message_list(body.get("errors"))


def _calibrated(body: Any, broken: list[str]) -> list[str]:
    """The Rails-style 422 is a decision: a body in another shape DeployHQ's SDK reads is calibrated, not failed."""
    if not broken:
        calibration.judge("validation_map", True, "")
        return broken
    if _other_vendor_shape(body) and not calibration.judge("validation_map", False, f"the 422 body is {body!r:.200}"):
        return []
    return broken


def validation_body_promises(body: Any, *fields: str) -> list[str]:
    """A 422 in the Rails shape, `{field: [messages]}`, naming each of *fields*."""
    return _calibrated(body, _validation_body(body, fields))


def _validation_body(body: Any, fields: tuple[str, ...]) -> list[str]:
    if not isinstance(body, Mapping) or not body:
        return [f"a 422 must map each offending field to its messages, not {body!r:.200}"]
    broken = [f"the 422 does not name {name} (body: {body!r:.200})" for name in fields if name not in body]
    shapeless = sorted(name for name, messages in body.items() if not _is_message_list(messages))
    if shapeless:
        broken.append(f"the 422 must give each field a list of messages; {', '.join(shapeless)} has none")
    return broken


def unknown_fields(user: Mapping[str, Any]) -> set[str]:
    """Response fields the spec does not know: additive drift, reported but allowed."""
    return set(user) - USER_FIELDS


def _is_message_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(message, str) for message in value)


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _show(value: Any) -> str:
    """JSON spelling for true/false/null, repr for the rest."""
    for literal, spelling in ((True, "true"), (False, "false"), (None, "null")):
        if value is literal:
            return spelling
    return repr(value)
