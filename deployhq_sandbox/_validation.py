"""Validation of a `POST /users` body into an `Invitation` and of an update into the changes it asks for,
or Rails-style `{field: [messages]}` errors.

Seam for broken variants: subclass `Validator` and override one check (`name_errors`, `email_key`,
`time_zone_errors`, `flag_errors`) or a default (`default_time_zone`, `default_flag`), then pass the class
to `create_app(..., validator_class=...)`.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, cast

from email_validator import EmailNotValidError, validate_email

from ._models import FLAGS, WRITABLE, Changes, Invitation
from ._spec import Spec

__all__ = ["BLANK", "ECMA_WHITESPACE", "Errors", "Validator", "user_object"]

Errors = dict[str, list[str]]

BLANK = "can't be blank"
INVALID = "is invalid"
TAKEN = "has already been taken"
NOT_IN_LIST = "is not included in the list"
NOT_BOOLEAN = "must be true or false"
NOT_STRING = "must be a string"
MISSING = "is missing"

# "Blank" means what the spec's `pattern: \S` means, and JSON Schema patterns are ECMA-262 regexes:
# their \s differs from Python's (ECMA has U+FEFF; Python adds U+001C-U+001F and U+0085).
ECMA_WHITESPACE = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def too_long(maximum: int) -> str:
    """Rails' message for a string over its maximum length."""
    return f"is too long (maximum is {maximum} characters)"


def is_blank(value: str) -> bool:
    """Whether a string has no character but white space, as the spec's `\\S` pattern decides it."""
    return all(character in ECMA_WHITESPACE for character in value)


def _has_odd_case_ace_prefix(address: str) -> bool:
    """Whether a label of the address's domain starts with `xn--` in any letter case but lower."""
    labels = address.rpartition("@")[2].split(".")
    return any(label[:4].lower() == "xn--" and not label.startswith("xn--") for label in labels)


def user_object(payload: object) -> dict[str, object] | None:
    """The body's `user` object, or None when the body has none."""
    user = payload.get("user") if isinstance(payload, dict) else None
    return cast(dict[str, object], user) if isinstance(user, dict) else None


class Validator:
    """The rules of each field, apart from what an invitation adds to them (required fields, defaults).

    `check_field` decides whether one sent value is valid, the same way for an invitation and an update.
    `validate` is the invitation's policy on top: required fields, then the server's defaults.
    `changes` is the update's: only what was sent, checked, and no default.
    The zone list, the length limits and the required fields come from the spec.
    """

    default_time_zone = "Etc/UTC"
    default_flag = False

    def __init__(self, spec: Spec) -> None:
        self.time_zones = spec.time_zones
        self.max_lengths = spec.max_lengths
        self.required = spec.required

    def validate(self, payload: object) -> Invitation | Errors:
        """An `Invitation` with defaults applied, or every problem found. Unknown keys are ignored."""
        user = user_object(payload)
        if user is None:
            return {"user": [MISSING]}
        values, errors = self.check(user, required=self.required)
        if errors:
            return errors
        defaults: dict[str, Any] = {
            "last_name": None,
            "time_zone": self.default_time_zone,
            **dict.fromkeys(FLAGS, self.default_flag),
        }
        return Invitation(**{**defaults, **values})

    def changes(self, payload: object) -> Changes | Errors:
        """The sent fields to change, each checked by its rule, with no default; or every problem found."""
        user = user_object(payload)
        if user is None:
            return {"user": [MISSING]}
        values, errors = self.check(user, required=())
        return errors or values

    def check(self, user: Mapping[str, object], *, required: Collection[str]) -> tuple[Changes, Errors]:
        """The stored values of the known fields sent (with `email_key`), and the problems of those and of
        the *required* fields missing. Unknown keys are ignored."""
        values = Changes()
        errors: Errors = {}
        for name in WRITABLE:
            if name not in user and name not in required:
                continue
            messages, stored = self.check_field(name, user.get(name))
            if messages:
                errors[name] = messages
            else:
                values.update(stored)
        return values, errors

    def check_field(self, name: str, value: object) -> tuple[list[str], Changes]:
        """One field's problems, or the values to store for it (an address adds its `email_key`)."""
        if name in FLAGS:
            messages = self.flag_errors(value)
        elif name == "time_zone":
            messages = self.time_zone_errors(value)
        else:
            # A field an invitation requires can never be blank, in an update either.
            messages = self.name_errors(name, value, required=name in self.required)
        if messages:
            return messages, Changes()
        if name == "email_address":
            key = self.email_key(cast(str, value))
            return ([INVALID], Changes()) if key is None else ([], Changes({name: value, "email_key": key}))
        return [], Changes({name: value})

    def name_errors(self, field: str, value: object, *, required: bool) -> list[str]:
        """Problems of a string field: missing or blank when *required* (a field an invitation must have),
        not a string, too long."""
        if value is None and required:
            return [BLANK]
        if not isinstance(value, str):
            return [NOT_STRING]
        if required and is_blank(value):
            return [BLANK]
        maximum = self.max_lengths.get(field)
        if maximum is not None and len(value) > maximum:
            return [too_long(maximum)]
        return []

    def email_key(self, address: str) -> str | None:
        """The address normalised and lower-cased (what duplicates are decided on), or None when invalid.

        `format: email` is RFC 5321's ASCII mailbox (non-ASCII is `idn-email`), so the address must be ASCII
        and its local part at most 64 characters (`strict`). `.test` domains are allowed for test setups;
        the other special-use names (`.invalid`, `.localhost`, ...) and dotless domains cannot receive the
        invitation email and are refused. No DNS lookup is made.
        A domain label starting with the IDNA prefix in another letter case than `xn--` (`XN--P1AI`) is
        refused too: DNS would take it, but jsonschema_rs' `format: email` (what schemathesis validates
        responses with) reads only `xn--` as that prefix and calls the address invalid, so a 201 echoing it
        would break the contract's own response schema.
        """
        # A dotless domain cannot receive the invitation (openapi.yaml); email-validator lets `.test`'s bare
        # top-level name through when test names are allowed.
        if not address.isascii() or _has_odd_case_ace_prefix(address) or "." not in address.rpartition("@")[2]:
            return None
        try:
            valid = validate_email(
                address, check_deliverability=False, allow_smtputf8=False, strict=True, test_environment=True
            )
        except EmailNotValidError:
            return None
        # The ASCII form: email-validator's `normalized` turns an A-label domain into Unicode, which the
        # accounts' and the activate tool's lookups (the address lower-cased) would never find.
        return (valid.ascii_email or valid.normalized).lower()

    def time_zone_errors(self, value: object) -> list[str]:
        """Problems of `time_zone`: anything but a name from the spec's TimeZone enum."""
        return [] if isinstance(value, str) and value in self.time_zones else [NOT_IN_LIST]

    def flag_errors(self, value: object) -> list[str]:
        """Problems of a permission flag: anything but a JSON boolean."""
        return [] if isinstance(value, bool) else [NOT_BOOLEAN]
