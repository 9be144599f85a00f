"""Rate limits: every 429 the run met had the body and the `Retry-After` the spec gives it.

The guard waits out each 429 and sends the request again, so no test sees one: it judges each as it arrives,
and this test, which runs last, gives the verdict.
"""

from __future__ import annotations

import pytest

from deployhq_contract.guard import Guard
from deployhq_contract.operations import OPERATIONS

pytestmark = [pytest.mark.contract_rank(150), pytest.mark.conditional, *(pytest.mark.operation(o) for o in OPERATIONS)]


def test_every_429_had_the_documented_body_and_retry_after(guard: Guard) -> None:
    """A 429 is {"status": 429, "error": ...} with a whole number of seconds in Retry-After."""
    if not guard.rate_limit_answers:
        pytest.skip("not judged: the target answered no request with 429 during the run")

    assert [] == sorted(set(guard.rate_limit_faults))
