"""The package's public surface: exactly what __all__ lists, sorted."""

from __future__ import annotations

import deployhq_sandbox


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted and names every public attribute, so an accidental export fails here."""
    public = {name for name in vars(deployhq_sandbox) if not name.startswith("_")}
    assert (deployhq_sandbox.__all__, public) == (sorted(deployhq_sandbox.__all__), set(deployhq_sandbox.__all__))
