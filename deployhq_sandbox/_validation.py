"""Validation of a `POST /users` body into an `Invitation`, or Rails-style `{field: [messages]}` errors.

Seam for broken variants: subclass `Validator` and override one check (`name_errors`, `email_key`,
`time_zone_errors`, `flag_errors`) or a default (`default_time_zone`, `default_flag`), then pass the class
to `create_app(..., validator_class=...)`.
"""

from __future__ import annotations

from typing import Any, cast

from email_validator import EmailNotValidError, validate_email

from ._models import FLAGS, Invitation
from ._spec import Spec

__all__ = ["BLANK", "ECMA_WHITESPACE", "Errors", "Validator"]

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


class Validator:
    """Checks an invitation against the spec's rules; the zone list and length limits come from the spec."""

    default_time_zone = "Etc/UTC"
    default_flag = False

    def __init__(self, spec: Spec) -> None:
        self.time_zones = spec.time_zones
        self.max_lengths = spec.max_lengths

    def validate(self, payload: object) -> Invitation | Errors:
        """An `Invitation` with defaults applied, or every problem found. Unknown keys are ignored."""
        user = payload.get("user") if isinstance(payload, dict) else None
        if not isinstance(user, dict):
            return {"user": [MISSING]}
        errors: Errors = {}

        first_name = user.get("first_name")
        self._add(errors, "first_name", self.name_errors("first_name", first_name, required=True))
        last_name = user.get("last_name")
        if "last_name" in user:
            self._add(errors, "last_name", self.name_errors("last_name", last_name, required=False))

        email_address = user.get("email_address")
        email_key: str | None = None
        messages = self.name_errors("email_address", email_address, required=True)
        if not messages and isinstance(email_address, str):
            email_key = self.email_key(email_address)
            if email_key is None:
                messages = [INVALID]
        self._add(errors, "email_address", messages)

        time_zone = user.get("time_zone", self.default_time_zone)
        self._add(errors, "time_zone", self.time_zone_errors(time_zone))

        flags: dict[str, Any] = {}
        for name in FLAGS:
            flags[name] = user.get(name, self.default_flag)
            self._add(errors, name, self.flag_errors(flags[name]))

        if errors:
            return errors
        # Every value was checked above; the casts only tell the type checker so.
        return Invitation(
            first_name=cast(str, first_name),
            last_name=cast(str | None, last_name),
            email_address=cast(str, email_address),
            email_key=cast(str, email_key),
            time_zone=cast(str, time_zone),
            **flags,
        )

    @staticmethod
    def _add(errors: Errors, field: str, messages: list[str]) -> None:
        if messages:
            errors[field] = messages

    def name_errors(self, field: str, value: object, *, required: bool) -> list[str]:
        """Problems of a string field: missing or blank when required, not a string, too long."""
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
        """
        if not address.isascii():
            return None
        try:
            valid = validate_email(
                address, check_deliverability=False, allow_smtputf8=False, strict=True, test_environment=True
            )
        except EmailNotValidError:
            return None
        return valid.normalized.lower()

    def time_zone_errors(self, value: object) -> list[str]:
        """Problems of `time_zone`: anything but a name from the spec's TimeZone enum."""
        return [] if isinstance(value, str) and value in self.time_zones else [NOT_IN_LIST]

    def flag_errors(self, value: object) -> list[str]:
        """Problems of a permission flag: anything but a JSON boolean."""
        return [] if isinstance(value, bool) else [NOT_BOOLEAN]
