"""HTTP Basic auth against the configured accounts: the email address and its API key.
Whether that account may still sign in, and with which role, is the store's to say (`UsersAPI.authorize`).

Keys are compared with `hmac.compare_digest` and never logged or echoed.
Seam for broken variants: subclass `Authenticator` (override `authenticate`) and pass the class to
`create_app(..., authenticator_class=...)`.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import base64
import binascii
import hmac

from ._config import Account, Accounts

__all__ = ["Authenticator"]


class Authenticator:
    """Finds the account an `Authorization` header belongs to."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = tuple(accounts)
        self._keys = [(account.email.lower().encode(), account.api_key.encode(), account) for account in accounts]

    def authenticate(self, authorization: str | None) -> Account | None:
        """The caller's account, or None for missing, malformed or wrong credentials."""
        credentials = self.parse(authorization)
        if credentials is None:
            return None
        email, api_key = credentials
        found = None
        for known_email, known_key, account in self._keys:
            # `&`, not `and`: both comparisons always run, so timing does not say which half was wrong.
            if hmac.compare_digest(known_email, email) & hmac.compare_digest(known_key, api_key):
                found = account
        return found

    @staticmethod
    def parse(authorization: str | None) -> tuple[bytes, bytes] | None:
        """(lower-cased email, key) as bytes from a Basic `Authorization` header, or None if it is not one."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        email, separator, api_key = decoded.partition(":")
        if not separator:
            return None
        return email.lower().encode(), api_key.encode()
