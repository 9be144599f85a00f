"""Remove the users contract runs left on a target.

Usage (same target options as the suite; credentials from DEPLOYHQ_EMAIL / DEPLOYHQ_API_KEY):
    python -m contract_tests.cleanup --base-url URL [--live] [--sweep]

Deletes every user recorded for that target in reports/contract-created-users.txt (the ledger a run
appends to as each invitation is accepted). `--sweep` also deletes users whose address has the exact
shape the suite invites (`contract-<20 hex digits>@<email domain>`): these catch an invitation that was
accepted in the instant a run was killed, before it could be recorded.
Exit 0 when nothing is left, 1 when some users could not be removed, 4 when the target cannot be reached or
refuses the credentials (nothing was removed).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from . import preflight
from .guard import CLEANUP_COMMAND, LEDGER_PATH, Guard, Ledger, guarded_session
from .hooks import ADDRESS_PREFIX, DEFAULT_EMAIL_DOMAIN
from .target import LIVE_RATE_LIMIT, Target, TargetError

__all__ = ["delete_all", "main", "sweep"]


def delete_all(target: Target, ledger: Ledger, *, guard: Guard | None = None, workers: int = 4) -> None:
    """DELETE every outstanding user of *ledger*, a few at a time; a 404 counts as removed.

    Through the run's *guard* when there is one (so its count of requests is whole), else a new one.
    Deletes email nobody, so no budget can refuse them.
    """
    guard = guard or Guard(ledger=ledger, rate_limit=target.rate_limit)
    local = threading.local()
    sessions: list[requests.Session] = []

    def delete(identifier: str) -> None:
        if not hasattr(local, "session"):
            local.session = guarded_session(guard)
            local.session.auth = target.admin
            local.session.headers["Accept"] = "application/json"
            sessions.append(local.session)
        # A failed delete stays outstanding, and is listed as left behind.
        with contextlib.suppress(requests.RequestException):
            url = f"{target.base_url}/users/{identifier}"
            if local.session.delete(url, timeout=30).status_code == 403:
                # An account administrator cannot be removed (DeployHQ's remove-user page): take the flag first.
                local.session.patch(url, json={"user": {"account_administrator": False}}, timeout=30)
                local.session.delete(url, timeout=30)

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(delete, ledger.outstanding))
    finally:
        for session in sessions:
            session.close()


def sweep(target: Target, ledger: Ledger) -> None:
    """Adopt into *ledger* every user whose address is one the suite makes."""
    pattern = re.compile(rf"{re.escape(ADDRESS_PREFIX)}[0-9a-f]{{20}}@{re.escape(target.email_domain)}", re.IGNORECASE)
    with guarded_session(Guard(rate_limit=target.rate_limit)) as session:
        response = session.get(
            f"{target.base_url}/users", auth=target.admin, timeout=30, headers={"Accept": "application/json"}
        )
    response.raise_for_status()
    for user in response.json():
        if pattern.fullmatch(str(user.get("email_address", ""))):
            ledger.adopt(user["identifier"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=CLEANUP_COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="the target (default: DEPLOYHQ_BASE_URL, else DEPLOYHQ_ACCOUNT)")
    parser.add_argument("--live", action="store_true", help="allow a target that is not on loopback")
    parser.add_argument("--email-domain", default=DEFAULT_EMAIL_DOMAIN, help="the domain the runs invited into")
    parser.add_argument("--sweep", action="store_true", help="also remove users with the suite's address shape")
    parser.add_argument(
        "--rate-limit", type=float, default=None, help=f"requests per second (default: {LIVE_RATE_LIMIT:g} with --live)"
    )
    args = parser.parse_args(argv)
    try:
        # A budget of 0: cleanup never sends anything that emails a person. Paced like the suite against a live target.
        target = Target.external(
            args.base_url, live=args.live, email_domain=args.email_domain, create_budget=0,
            rate_limit=args.rate_limit or (LIVE_RATE_LIMIT if args.live else None),
        )  # fmt: skip
    except TargetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 4
    if target is None:
        print("error: name the target with --base-url or DEPLOYHQ_BASE_URL / DEPLOYHQ_ACCOUNT", file=sys.stderr)
        return 4
    refusal, _ = preflight.check(target.base_url, target.admin)
    if refusal is not None:
        print(f"error: {refusal}", file=sys.stderr)
        return 4
    ledger = Ledger(LEDGER_PATH, target.base_url)
    ledger.load()
    if args.sweep:
        try:
            sweep(target, ledger)
        except (requests.RequestException, ValueError) as error:
            print(f"error: could not list the users of {target.base_url} to sweep them ({error})", file=sys.stderr)
            return 4
    delete_all(target, ledger)
    left = ledger.outstanding
    ledger.rewrite()
    print(f"{target.base_url}: removed {len(ledger.created) - len(left)} user(s), {len(left)} left behind")
    for identifier in left:
        print(f"  left behind: {identifier}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
