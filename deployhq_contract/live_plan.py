"""What a default --live run sends at most: the figures `--dry-run` prints and the default --email-budget comes from.

Measured with a default `--live` run against the reference server on loopback (README, "Against a real account");
tests/contract_suite/test_live_plan.py fails when a run sends more.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LIVE_PLAN", "Plan"]


@dataclass(frozen=True)
class Plan:
    invitations: int  # accepted invitations: each a new user and an email
    resends: int  # accepted resends: each an email
    requests: int  # every request, the preflight and the cleanup included

    @property
    def emails(self) -> int:
        return self.invitations + self.resends


# Measured: 7 invitations (3 explicit ones composed of every value they judge, the client's, the address invited
# again after a removal, 2 from the stateful scenarios), 2 resends, 279 requests (198 before the near-miss
# credentials on every operation and the nulls, which cost no email but a request each). The eighth invitation is the
# manager's (test_roles.py, with DEPLOYHQ_MANAGER_* set: 10 emails, 220 requests), or room for the stateful
# scenarios, whose steps follow the target's answers.
LIVE_PLAN = Plan(invitations=8, resends=2, requests=290)
