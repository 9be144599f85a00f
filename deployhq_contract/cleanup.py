"""Remove the users contract runs left on a target.

Usage (same target options as the suite; credentials from DEPLOYHQ_EMAIL / DEPLOYHQ_API_KEY):
    python -m deployhq_contract.cleanup --base-url URL [--live] [--sweep]

Deletes every user recorded for that target in reports/contract-created-users.txt (the ledger a run
appends to as each invitation is accepted), except those of a run still going. `--sweep` also deletes users
whose address has a shape the suite invites (`contract-<20 hex digits>` in the email domain, as sent, upper-
or title-cased, tagged, padded or with added subdomain labels to reach a length): these catch an invitation
that was accepted in the instant a run was killed, before it could be recorded. A target that keeps answering
429 to a DELETE ends the deleting (the rest are listed as left behind), not the cleanup.
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

from . import bounded, preflight
from .guard import (
    CLEANUP_COMMAND,
    LEDGER_PATH,
    Guard,
    KeptRateLimitingError,
    Ledger,
    RefusedBySuiteError,
    guarded_session,
    settle_environment,
)
from .hooks import ADDRESS_PREFIX, DEFAULT_EMAIL_DOMAIN
from .target import LIVE_RATE_LIMIT, Target, TargetError

__all__ = ["delete_all", "is_suite_address", "main", "sweep"]


def is_suite_address(address: str, email_domain: str) -> bool:
    """Whether *address* is one the suite makes in *email_domain* (hooks.py, strategies.py), in any of its shapes.

    A fresh address `contract-<20 hex>@domain`; upper-cased, title-cased behind `Ada.`, or `+tagged`; its local part
    padded with x to a length, and `d` labels added in front of the domain to reach a total length; malformed
    with `@@`.
    """
    shape = (
        rf"(?:ada\.)?{re.escape(ADDRESS_PREFIX)}[0-9a-f]{{20}}(?:x*|\+[^@\s]*)"
        rf"@@?(?:d{{1,63}}\.)*{re.escape(email_domain)}"
    )
    return re.fullmatch(shape, address, re.IGNORECASE) is not None


# Deletes in flight at once. The reference server commits concurrent writes together, so more at once is fewer
# commits: 1000 deletes at the end of a 25-example run took 1.35 s with 4, 1.15 s with 8 (mean of four runs each;
# 16 gained nothing more). Once the target answers 429, they go one at a time (see delete_all).
WORKERS = 8


def delete_all(target: Target, ledger: Ledger, *, guard: Guard | None = None, workers: int = WORKERS) -> str | None:
    """DELETE every outstanding user of *ledger*, a few at a time; a 404 counts as removed.

    Through the run's *guard* when there is one (so its count of requests is whole), else a new one.
    Deletes email nobody, so no budget can refuse them. A target that answers 429 to every try of one DELETE
    stops the deleting: the users not yet removed stay outstanding. Returns why it stopped early, if it did.

    After the first 429 the deletes go one at a time: threads that wait out the same Retry-After and try again
    together mostly lose again (the target lets a few through), until one of them gives up and stops the cleanup
    with users left behind (a rate-limited target without --rate-limit: 44 of 60 users left with 8 threads).
    """
    guard = guard or Guard(ledger=ledger, rate_limit=target.rate_limit, base_url=target.base_url)
    local = threading.local()
    sessions: list[requests.Session] = []
    stopped: list[str] = []
    one_at_a_time = threading.Lock()

    def delete(identifier: str) -> None:
        if stopped:
            return
        if not hasattr(local, "session"):
            local.session = settle_environment(guarded_session(guard), target.base_url)
            local.session.auth = target.admin
            local.session.headers["Accept"] = "application/json"
            sessions.append(local.session)
        limited = guard.rate_limit_answers > 0
        with one_at_a_time if limited else contextlib.nullcontext():
            if not stopped:
                remove(local.session, identifier)

    def remove(session: requests.Session, identifier: str) -> None:
        # A failed delete stays outstanding, and is listed as left behind.
        url = f"{target.base_url}/users/{identifier}"
        try:
            if session.delete(url, timeout=30).status_code == 403:
                # An account administrator cannot be removed (DeployHQ's remove-user page): take the flag first.
                session.patch(url, json={"user": {"account_administrator": False}}, timeout=30)
                session.delete(url, timeout=30)
        except KeptRateLimitingError as error:
            stopped.append(str(error))
        except (requests.RequestException, RefusedBySuiteError):
            pass

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(delete, ledger.outstanding))
    finally:
        for session in sessions:
            session.close()
    return stopped[0] if stopped else None


def sweep(target: Target, ledger: Ledger, limits: bounded.Limits = bounded.DEFAULT_LIMITS) -> None:
    """Adopt into *ledger* every user whose address is one the suite makes."""
    with guarded_session(Guard(rate_limit=target.rate_limit, base_url=target.base_url, limits=limits)) as session:
        response = session.get(
            f"{target.base_url}/users", auth=target.admin, timeout=30, headers={"Accept": "application/json"}
        )
    response.raise_for_status()
    users = bounded.loads(response.content)
    if not isinstance(users, list):
        raise ValueError("GET /users did not answer a list")
    for user in users:
        if isinstance(user, dict) and is_suite_address(str(user.get("email_address", "")), target.email_domain):
            ledger.adopt(str(user["identifier"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=CLEANUP_COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="the target (default: DEPLOYHQ_BASE_URL, else DEPLOYHQ_ACCOUNT)")
    parser.add_argument("--live", action="store_true", help="allow a target that is not on loopback")
    parser.add_argument("--email-domain", default=DEFAULT_EMAIL_DOMAIN, help="the domain the runs invited into")
    parser.add_argument("--sweep", action="store_true", help="also remove users with the suite's address shape")
    parser.add_argument(
        "--rate-limit", type=float, default=None, help=f"requests per second (default: {LIVE_RATE_LIMIT:g} with --live)"
    )
    bounded.add_options(parser)
    args = parser.parse_args(argv)
    limits = bounded.Limits(args.max_answer_bytes, args.request_timeout)
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
    refusal, _ = preflight.check(target.base_url, target.admin, limits=limits)
    if refusal is not None:
        print(f"error: {refusal}", file=sys.stderr)
        return 4
    ledger = Ledger(LEDGER_PATH, target.base_url)
    ledger.load()
    if args.sweep:
        try:
            sweep(target, ledger, limits)
        except (requests.RequestException, RefusedBySuiteError, ValueError, KeyError) as error:
            print(f"error: could not list the users of {target.base_url} to sweep them ({error})", file=sys.stderr)
            return 4
    stopped = delete_all(target, ledger, guard=Guard(ledger=ledger, rate_limit=target.rate_limit,
                                                     base_url=target.base_url, limits=limits))  # fmt: skip
    left = ledger.outstanding
    ledger.rewrite()
    print(f"{target.base_url}: removed {len(ledger.created) - len(left)} user(s), {len(left)} left behind")
    if stopped:
        print(f"  stopped deleting: {stopped}")
    for identifier in left:
        print(f"  left behind: {identifier}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
