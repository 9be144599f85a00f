"""Which server the suite judges, as whom, and under which safety rails.

An API key lives in exactly one kind of object here, `Credentials`, whose repr and str never show it:
pytest prints locals (`-l`), reprs and assertion operands, so no tuple, string or dict in the suite may
hold a key. `Credentials` is itself the `auth=` a `requests` call takes.
"""

from __future__ import annotations

import base64
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase, _basic_auth_str

from deployhq_users import MIN_API_KEY_LENGTH, ConfigurationError, resolve_base_url

from .live_plan import LIVE_PLAN

__all__ = [
    "LIVE_CREATE_BUDGET",
    "LIVE_RATE_LIMIT",
    "ROLES",
    "WRONG_API_KEY",
    "Credentials",
    "Target",
    "TargetError",
    "is_loopback",
]

# A wrong key for the 401 promises: a constant unrelated to any real key, so a printed request shows nothing.
WRONG_API_KEY = "wrong-api-key-of-the-contract-suite-0000"
# The live rails' defaults: the emails a default --live run needs (live_plan.py); 2 requests a second keeps its
# ~200 requests under two minutes.
LIVE_CREATE_BUDGET = LIVE_PLAN.emails
LIVE_RATE_LIMIT = 2.0
# Optional callers besides the administrator, named like the vendor CLI's variables.
ROLES: Mapping[str, str] = {"manager": "DEPLOYHQ_MANAGER", "member": "DEPLOYHQ_MEMBER"}


class TargetError(Exception):
    """The target or its credentials are missing or unsafe; the run stops before sending anything."""


@dataclass(frozen=True)
class Credentials(AuthBase):
    """An email address and its API key; signs a `requests` call with HTTP Basic auth. The key is never shown."""

    email: str
    api_key: str = field(repr=False)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = _basic_auth_str(self.email, self.api_key)
        return request

    # Explicit, not the dataclass's: Hypothesis' pretty printer (falsifying examples, verbose output) walks a
    # dataclass's fields itself and would show the key, whatever `repr=False` says.
    def __repr__(self) -> str:
        return f"Credentials(email={self.email!r}, api_key=[hidden])"

    def __str__(self) -> str:
        return f"{self.email} (API key hidden)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never be shown: the key, `email:key`, and the base64 of a Basic auth header."""
        pair = f"{self.email}:{self.api_key}"
        return (self.api_key, pair, base64.b64encode(pair.encode()).decode())

    def with_wrong_key(self) -> Credentials:
        """The same address with a key that is certainly wrong."""
        return Credentials(self.email, WRONG_API_KEY)


def is_loopback(base_url: str) -> bool:
    """Whether *base_url* points at this machine (127.0.0.0/8, ::1 or localhost)."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Target:
    """A server to judge, the callers the suite signs in as, and the rails the run keeps to."""

    base_url: str
    admin: Credentials
    manager: Credentials | None = None  # may manage users, is not an administrator
    member: Credentials | None = None  # may not manage users
    live: bool = False
    embedded: bool = False
    strict: bool = True
    email_domain: str = "example.com"
    create_budget: int | None = None  # requests that email a person: invitations and resends
    rate_limit: float | None = None  # requests per second

    @property
    def email(self) -> str:
        return self.admin.email

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every key of every caller the run signs in as, in every form that could be printed."""
        callers = (self.admin, self.manager, self.member)
        return tuple(secret for caller in callers if caller is not None and caller.api_key for secret in caller.secrets)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def role(self, name: str) -> Credentials | None:
        """The credentials of *name* ("admin", "manager" or "member"), if the run has them."""
        found: Credentials | None = {"admin": self.admin, "manager": self.manager, "member": self.member}[name]
        return found

    @classmethod
    def external(
        cls,
        base_url: str | None,
        *,
        live: bool,
        email_domain: str,
        create_budget: int | None,
        rate_limit: float | None,
        strict: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> Target | None:
        """The target named by --base-url / DEPLOYHQ_BASE_URL / DEPLOYHQ_ACCOUNT, or None for the embedded server."""
        env = os.environ if env is None else env
        if not (base_url or env.get("DEPLOYHQ_BASE_URL") or env.get("DEPLOYHQ_ACCOUNT")):
            return None
        try:
            url = resolve_base_url(base_url=base_url, env=env)
        except ConfigurationError as error:
            raise TargetError(str(error)) from None
        if not is_loopback(url) and not live:
            raise TargetError(
                f"{url} is not a loopback address. Every invitation the suite sends there is a real email and a real "
                "user. Add --live (or DEPLOYHQ_CONTRACT_LIVE=1) to run against it with the live safety rails."
            )
        admin = credentials_from(env, "DEPLOYHQ", required=True, purpose=f"the suite signs in to {url} as an account "
                                 "administrator")  # fmt: skip
        assert admin is not None  # required=True raises instead
        return cls(
            base_url=url,
            admin=admin,
            manager=credentials_from(env, ROLES["manager"]),
            member=credentials_from(env, ROLES["member"]),
            live=live,
            # Leniency is forgiven only against a live target, and never with --strict.
            strict=strict or not live,
            email_domain=email_domain,
            create_budget=create_budget,
            rate_limit=rate_limit,
        )


def credentials_from(
    env: Mapping[str, str], prefix: str, *, required: bool = False, purpose: str = ""
) -> Credentials | None:
    """`<prefix>_EMAIL` and `<prefix>_API_KEY` from *env*: both, or neither (else TargetError naming the other)."""
    names = (f"{prefix}_EMAIL", f"{prefix}_API_KEY")
    email, api_key = (env.get(name) for name in names)
    if email and api_key:
        if len(api_key) < MIN_API_KEY_LENGTH:  # the client refuses it too: the round trip could not even start
            raise TargetError(f"{names[1]} is {len(api_key)} characters; an API key has at least {MIN_API_KEY_LENGTH}")
        return Credentials(email, api_key)
    if not required and not email and not api_key:
        return None
    missing = " and ".join(name for name, value in zip(names, (email, api_key), strict=True) if not value)
    raise TargetError(f"set {missing}" + (f": {purpose}" if purpose else f" (or unset both {' and '.join(names)})"))
