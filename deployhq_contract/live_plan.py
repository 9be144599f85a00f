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
# again after a removal, 2 from the stateful scenarios), 2 resends, 200 requests (279 before near misses and bad
# credentials were dealt one per operation, refused changes read back in one list, and one flag stood for the six
# in the nulls; 195 before the refusals noted on a user were read back ahead of a change that may be accepted). The
# eighth invitation is the manager's (test_roles.py, with DEPLOYHQ_MANAGER_* and DEPLOYHQ_MEMBER_* set: 10 emails,
# 219 requests, 214 before), or room for the stateful scenarios, whose steps follow the target's answers.
LIVE_PLAN = Plan(invitations=8, resends=2, requests=200)
