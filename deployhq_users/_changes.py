"""The fields `update_user` may change, as typed keyword arguments, and their check before anything is sent.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import difflib
from typing import get_type_hints

from deployhq_client.models import UpdateUserRequest, UserChanges

# Generated from the spec's `UserChanges` by scripts/regenerate.py: a new field is a keyword without an edit here.
# A field left out keeps its value on the server. None is no value: the spec has no null for any of these fields,
# so none can be cleared to null (an empty `last_name` is `last_name=""`). Annotate a dict built ahead with it,
# then `update_user(client, identifier, **changes)`.
from deployhq_client.typed_dicts import UserChangesDict

__all__ = ["UserChangesDict", "changes_request"]


# The JSON type of each field, for the check at run time of what mypy checks statically.
# TimeZone is a Literal of strings: its values are the server's to judge (a 422), so only "a string" is checked.
_KINDS: dict[str, type] = {
    name: bool if hint is bool else str for name, hint in get_type_hints(UserChangesDict).items()
}


def _unknown(operation: str, names: list[str]) -> TypeError:
    """A TypeError like Python's own for unknown keywords, each with the closest field name, and the fields' list."""
    named = []
    for name in names:
        close = difflib.get_close_matches(name, [*_KINDS, "rate_limit_retries"], n=1)
        named.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
    which = "an unexpected keyword argument" if len(names) == 1 else "unexpected keyword arguments"
    return TypeError(
        f"{operation}() got {which} {', '.join(named)}; the fields it can change: {', '.join(_KINDS)}; nothing was sent"
    )


def changes_request(operation: str, changes: UserChangesDict) -> UpdateUserRequest:
    """The body of PATCH /users/{identifier} carrying exactly the keys of *changes*, or a TypeError naming the
    first argument that is not a field, or not a value of its type, before anything is sent.
    """
    unknown = [name for name in changes if name not in _KINDS]
    if unknown:
        raise _unknown(operation, unknown)
    for name, value in changes.items():
        if value is None:
            also = ' (last_name="" empties the last name)' if name == "last_name" else ""
            raise TypeError(
                f"{operation}: {name}=None is no value the API takes: leave {name} out to keep its value{also}; "
                "nothing was sent"
            )
        kind = _KINDS[name]
        if not isinstance(value, kind):
            raise TypeError(
                f"{operation}: {name} must be {'True or False' if kind is bool else 'a string'}, "
                f"got {value!r} ({type(value).__name__}); nothing was sent"
            )
    return UpdateUserRequest(user=UserChanges(**changes))
