"""The broken variants the second judge runs behind Prism: those whose answers break the schema where Prism looks."""

from __future__ import annotations

__all__ = ["SCHEMA_FAULTS"]

# Every variant of mutants/ was run behind Prism 5.14.2 as `python -m second_judge --variant NAME` runs it (the suite
# stopping at its first failure); these are the ones whose answers Prism flagged, the default first. The others break
# promises no schema states (defaults, duplicates, roles, what a read shows after a write) and pass Prism, or break
# the schema where Prism never looks (500-on-bad-json: Prism answers a body that is not JSON itself), so a run
# against them could only fail. tests/prism/test_variants.py shows that Prism catches each one listed.
SCHEMA_FAULTS = (
    "field-missing",  # an invitation's answer without time_zone
    "id-mistyped",
    "identifier-not-uuid",
    "created-is-200",  # a status the operation does not document
    "html-content-type",
    "422-wrong-shape",
    "401-plain-text",
    "accepts-malformed-address",  # answers the malformed address back, against `format: email`
    "delete-403-uncoded",
    "throttles-in-html",
)
