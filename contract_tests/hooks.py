"""Schemathesis hooks shared by the pytest suite and a raw `st run`.

For `st run`: `SCHEMATHESIS_HOOKS=contract_tests.hooks st run openapi.yaml --url ...` (from the repo root).
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import schemathesis
from schemathesis import GenerationMode

# Reserved for documentation (RFC 2606): no invitation sent to it can reach a person.
DEFAULT_EMAIL_DOMAIN = "example.com"
# Every address the suite invites starts with this, so a cleanup can find users a killed run left behind.
ADDRESS_PREFIX = "contract-"


def unique_address(domain: str | None = None) -> str:
    """A fresh address no run has used before, in a domain nobody receives mail for."""
    return f"{ADDRESS_PREFIX}{uuid.uuid4().hex[:20]}@{domain or email_domain()}"


def invitation_of(case: Any) -> dict[str, Any] | None:
    """The `user` object of a POST /users case, if the body has one."""
    body = case.body if isinstance(getattr(case, "body", None), dict) else None
    user = body.get("user") if body else None
    return user if isinstance(user, dict) else None


def email_domain() -> str:
    return os.environ.get("DEPLOYHQ_CONTRACT_EMAIL_DOMAIN") or DEFAULT_EMAIL_DOMAIN


def live() -> bool:
    return os.environ.get("DEPLOYHQ_CONTRACT_LIVE") == "1"


def contain_address(user: dict[str, Any], *, positive: bool) -> None:
    """Keep the invitation's address inside the run's email domain, fresh when the data is valid.

    Generated data repeats addresses (the coverage phase sends `0@0.com` many times), and a duplicate
    is rightly a 422. Rewriting *positive* cases keeps `positive_data_acceptance` at full strength:
    any other refusal of valid data still fails; duplicates are tested on purpose elsewhere.
    An address in a negative case keeps its local part (made unique) but moves to the run's domain, so a server
    that wrongly accepts it cannot mail anyone outside that domain; in live mode it is replaced outright.
    """
    address = user.get("email_address")
    if not isinstance(address, str) or "@" not in address:
        return
    if positive or live():
        user["email_address"] = unique_address()
    else:
        # Unique too: once the domain is replaced, the data may well be valid, and must not be a duplicate.
        user["email_address"] = f"{address.rsplit('@', 1)[0]}{uuid.uuid4().hex[:8]}@{email_domain()}"


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Every POST /users the suite sends invites an address in the run's domain (see contain_address)."""
    if case.method.upper() != "POST" or case.path != "/users":
        return
    user = invitation_of(case)
    if user is not None:
        positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
        contain_address(user, positive=positive)
