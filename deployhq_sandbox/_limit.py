"""The opt-in rate limit: at most N requests a second per caller, answered 429 with `Retry-After` as the spec says.

A caller is the email address of the request's Basic credentials, lower-cased, whether or not the key is right
(the limit comes before authentication, as a real API's throttling does); requests without readable Basic
credentials share one bucket. Windows are moving (`limits`' moving window): no burst of 2N at a window edge.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException

from ._auth import Authenticator

__all__ = ["RateLimit", "check_rate_limit"]


def check_rate_limit(value: object) -> int:
    """*value* as a rate limit: a whole number of requests a second, at least 1 (else ValueError naming it)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"rate_limit must be a whole number of requests per second, at least 1; got {value!r}")
    return value


class RateLimit:
    """At most `per_second` requests in any one-second window per caller; `hit` raises a 429 past that."""

    def __init__(self, per_second: int) -> None:
        self.per_second = check_rate_limit(per_second)
        self._item = RateLimitItemPerSecond(self.per_second)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, authorization: str | None) -> None:
        """Count one request of the caller of *authorization*; 429 with `Retry-After` when it is one too many."""
        credentials = Authenticator.parse(authorization)
        caller = "" if credentials is None else credentials[0].decode()
        if self._limiter.hit(self._item, caller):
            return
        reset = self._limiter.get_window_stats(self._item, caller).reset_time
        retry_after = max(0, math.ceil(reset - time.time()))
        raise HTTPException(
            429,
            f"Rate limit exceeded: at most {self.per_second} requests a second per caller.",
            headers={"Retry-After": str(retry_after)},
        )
