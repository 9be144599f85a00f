"""Whether a host name can be looked up at all, checked before anything is sent.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import functools

__all__ = ["host_problem"]

_MAX_LABEL = 63  # RFC 1035, section 2.3.4


@functools.lru_cache(maxsize=64)  # asked before every call, of the few hosts a program talks to
def host_problem(host: str) -> str | None:
    """What stops *host* (ASCII, as httpx's `raw_host`) from being looked up, or None.

    The check is the lookup's own: `socket.getaddrinfo` IDNA-encodes a host name with Python's codec, which refuses
    an empty label or one over 63 characters with a bare UnicodeError (the async lookup sent it to the resolver).
    """
    try:
        host.encode("idna")
    except UnicodeError:
        longest = max(host.removesuffix(".").split("."), key=len)
        if len(longest) > _MAX_LABEL:
            return f"has a label of {len(longest)} characters ({_MAX_LABEL} at most)"
        return "has an empty label (two dots in a row, or a dot at the start)"
    return None
