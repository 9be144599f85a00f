"""Schemathesis hooks shared by the pytest suite and a raw `st run`: every address the suite sends is contained.

For `st run`: `SCHEMATHESIS_HOOKS=deployhq_contract.hooks st run openapi.yaml --url ...` (from the repo root).
"""

from __future__ import annotations

import itertools
import os
import uuid
from typing import Any

import schemathesis
from schemathesis import Case, GenerationMode, HookContext
from schemathesis.generation.meta import TestPhase

from . import operations, runtime
from .spec import schema_errors

# Reserved for documentation (RFC 2606): no invitation sent to it can reach a person.
DEFAULT_EMAIL_DOMAIN = "example.com"
# Every address the suite invites starts with this, so a cleanup can find users a killed run left behind.
ADDRESS_PREFIX = "contract-"


def unique_address(domain: str | None = None) -> str:
    """A fresh address no run has used before, in a domain nobody receives mail for."""
    return f"{ADDRESS_PREFIX}{uuid.uuid4().hex[:20]}@{domain or email_domain()}"


def sized_address(length: int, *, local_length: int | None = None, domain: str | None = None) -> str:
    """A fresh address of exactly *length* characters in the run's domain (longer than a plain fresh one).

    The local part is padded to *local_length* (which may exceed RFC 5321's 64, for a refusal), the rest goes into
    subdomain labels of at most 63 characters each. Used to keep the spec's boundaries (254, 255) in what is sent.
    """
    domain = domain or email_domain()
    local = unique_address(domain).partition("@")[0]
    local = local.ljust(max(len(local), local_length or 0), "x")
    room = length - len(local) - 1 - len(domain) - 1  # for the labels in front of ".<domain>", dots included
    if room < 1:
        return f"{local.ljust(length - 1 - len(domain), 'x')}@{domain}"
    count = -(-(room + 1) // 64)
    letters = room - (count - 1)
    labels = ["d" * (letters // count + (1 if i < letters % count else 0)) for i in range(count)]
    return f"{local}@{'.'.join(labels)}.{domain}"


def malformed_address(domain: str | None = None) -> str:
    """An address no server may accept (two `@`), still inside the run's domain should one accept it anyway."""
    return f"{ADDRESS_PREFIX}{uuid.uuid4().hex[:20]}@@{domain or email_domain()}"


def user_object_of(case: Case[Any]) -> dict[str, Any] | None:
    """The `user` object of a case's JSON body, if the body has one."""
    user = case.body.get("user") if isinstance(case.body, dict) else None
    return user if isinstance(user, dict) else None


def email_domain() -> str:
    """The run's --email-domain; for a raw `st run`, which has no run, DEPLOYHQ_CONTRACT_EMAIL_DOMAIN."""
    if runtime.active():
        return runtime.current().target.email_domain
    return os.environ.get("DEPLOYHQ_CONTRACT_EMAIL_DOMAIN") or DEFAULT_EMAIL_DOMAIN


def live() -> bool:
    """Whether the run is --live; for a raw `st run`, DEPLOYHQ_CONTRACT_LIVE=1."""
    if runtime.active():
        return runtime.current().target.live
    return os.environ.get("DEPLOYHQ_CONTRACT_LIVE") == "1"


def is_valid_address(value: object) -> bool:
    """Whether *value* passes the spec's own `email_address` rules (format and length)."""
    return isinstance(value, str) and not schema_errors("UserInvitation", {"first_name": "A", "email_address": value})


def contain_address(user: dict[str, Any], *, positive: bool) -> None:
    """Keep the address a case sends inside the run's email domain, without changing what the case tests.

    Valid data: a fresh address. Generated data repeats addresses (the coverage phase sends `0@0.com` many
    times) and a duplicate is rightly a 422; a fresh address keeps `positive_data_acceptance` at full
    strength (duplicates are tested on purpose elsewhere).
    Invalid data stays invalid: on loopback it is sent as generated. Against a live target an address that is
    valid is replaced by a fresh valid one (the case is invalid for another reason), and one that is not by a
    malformed one in the run's domain, so a server that wrongly accepts the case can mail nobody outside it.
    """
    address = user.get("email_address")
    if not isinstance(address, str):
        return
    if positive:
        # As long as the generated one, so the coverage phase's boundary lengths (253, 254) are still sent.
        local_length = len(address.rpartition("@")[0])
        fresh = sized_address(len(address), local_length=local_length) if len(address) > 40 else unique_address()
        user["email_address"] = fresh if is_valid_address(fresh) else unique_address()
    elif live():
        user["email_address"] = unique_address() if is_valid_address(address) else malformed_address()


def is_positive(case: Case[Any]) -> bool:
    return case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE


_TURNS = itertools.count()


def aim_at_a_known_user(case: Case[Any]) -> None:
    """Every other valid request on one user goes to a user this run created, instead of a random identifier.

    A generated UUID names nobody, so without this almost every fuzzed PATCH, PUT, resend and DELETE would be a 404
    and what they do to a real user would go unjudged. Only users the run created and has not removed are chosen,
    so nobody else's user is ever touched.
    """
    parameters = case.path_parameters
    if not parameters or "identifier" not in parameters or not is_positive(case) or next(_TURNS) % 2:
        return
    operation = operations.of_case(case)
    if live() and operation is not None and operation.effects.sends_email:
        return  # a resend to a user of the run is an email: the explicit promises send the run's only ones
    # Not alive(): it copies every user the run wrote, and this runs before each request (O(users) copies each).
    known = runtime.history().alive_identifiers()
    if known:
        parameters["identifier"] = known[next(_TURNS) % len(known)]


@schemathesis.hook
def filter_case(context: HookContext, case: Case[Any]) -> bool:
    """With --live, no generated valid invitation or resend but the stateful scenarios' invitations: each is an email,
    and the explicit promises already invite with every field, flag and boundary the spec has, and resend. Invalid
    requests (refused, no email) are all kept."""
    if not live() or not is_positive(case):
        return True
    operation = operations.of_case(case)
    if operation is None or not operation.effects.sends_email:
        return True
    # The stateful scenarios follow the spec's links from an invitation (test_stateful.py): that one email stays.
    stateful = case.meta is not None and case.meta.phase.name == TestPhase.STATEFUL
    return stateful and operation.effects.creates_user


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    """Every address the suite sends is in the run's domain (see contain_address); see aim_at_a_known_user."""
    operation = operations.of_case(case)
    if operation is None:
        return
    aim_at_a_known_user(case)
    user = user_object_of(case)
    if operation.effects.carries_address and user is not None:
        contain_address(user, positive=is_positive(case))


def with_sized_addresses(fault: dict[str, Any]) -> dict[str, Any]:
    """The fault with its address placeholders made fresh addresses in the run's domain, one over a limit."""
    sized = {
        "local part of 65": sized_address(80, local_length=65),
        "255 characters": sized_address(255, local_length=64),
        "spaces around": f" {sized_address(45)} ",
    }
    return {name: sized.get(value, value) if isinstance(value, str) else value for name, value in fault.items()}
