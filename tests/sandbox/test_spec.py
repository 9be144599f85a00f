"""The spec the server implements: found in a checkout, read for its zone list and length limits."""

from __future__ import annotations

from deployhq_sandbox import load_spec
from deployhq_sandbox._spec import find_spec

from .conftest import ROOT


def test_checkout_spec_is_found() -> None:
    """In a checkout the spec is the repository's openapi.yaml, or the one installed in the package."""
    assert find_spec().resolve() in {(ROOT / "openapi.yaml").resolve(), (ROOT / "deployhq_sandbox" / "openapi.yaml")}


def test_zones_and_limits_come_from_the_spec(spec: dict) -> None:  # type: ignore[type-arg]
    """The zone list is the TimeZone enum, the limits the invitation's maxLengths, the required fields its own."""
    loaded = load_spec()
    assert (loaded.time_zones, loaded.max_lengths, loaded.required) == (
        frozenset(spec["components"]["schemas"]["TimeZone"]["enum"]),
        {"first_name": 255, "last_name": 255, "email_address": 254},
        ("first_name", "email_address"),
    )
