"""`deployhq-contract` (or `python -m contract_tests`): judge a server against the DeployHQ Users API contract.

Runs the same suite as `pytest contract_tests`, from any directory, against the spec shipped with it.
Exit codes: 0 the target keeps the contract; 1 it breaks a promise; 4 it could not be judged (a refused
option or target, unreachable, credentials refused, not allowed, not this API); 2 interrupted.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parent
USAGE = """\
usage: deployhq-contract [options] [-- pytest options]

Judge a server against the DeployHQ Users API contract (openapi.yaml). With no target, an embedded reference
server on a free loopback port is judged (needs the [sandbox] extra, which [contract] includes).

target:
  --base-url URL         the server to judge (default: DEPLOYHQ_BASE_URL, else https://<DEPLOYHQ_ACCOUNT>.deployhq.com)
                         signing in with DEPLOYHQ_EMAIL / DEPLOYHQ_API_KEY (an administrator's); optional roles:
                         DEPLOYHQ_MANAGER_EMAIL / _API_KEY, DEPLOYHQ_MEMBER_EMAIL / _API_KEY
  --live                 allow a target that is not on loopback, with the live safety rails (DEPLOYHQ_CONTRACT_LIVE=1)
  --strict               with --live, fail on invalid data the target accepts instead of reporting it as leniency
rails and budget:
  --email-domain DOMAIN  every invited address is in this domain (default: example.com)
  --create-budget N      at most N accepted invitations and resends (default 100 with --live); 0 sends none
  --rate-limit R         at most R requests per second, above 0 (default 2 with --live)
  --dry-run              print the generated requests (credentials filtered), send none
  --list-promises        print every promise (operation, sentence, source, test) as a JSON array, send none
generation:
  --contract-profile P   ci (default), dev, live (default with --live) or quick (DEPLOYHQ_CONTRACT_PROFILE)
  --max-examples N       generated examples per operation
reports:
  --junitxml PATH        the JUnit report (default: reports/contract-junit.xml); the Markdown summary is written
                         next to it, and appended to $GITHUB_STEP_SUMMARY when that is set

Exit codes: 0 kept, 1 broken, 4 could not judge, 2 interrupted. Any other pytest option may follow.
"""


def arguments(argv: Sequence[str]) -> list[str]:
    """pytest's arguments for the suite: its own settings file, no cache, and the user's options."""
    translated = ["--contract-strict" if arg == "--strict" else arg for arg in argv if arg != "--"]
    return [str(SUITE), "-c", str(SUITE / "suite.ini"), "--rootdir", str(SUITE), "-p", "no:cacheprovider", *translated]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(arg in ("-h", "--help") for arg in argv):
        print(USAGE, end="")
        return 0
    if "--list-promises" in argv:
        return _list_promises(argv)
    return int(pytest.main(arguments(argv)))


def _list_promises(argv: list[str]) -> int:
    """Print the promise registry alone on standard output (pytest's lines go to standard error); send nothing."""
    from .provenance import LISTED

    with contextlib.redirect_stdout(sys.stderr):
        code = int(pytest.main([*arguments(argv), "-q"], plugins=[_Cli()]))
    if code == 0:
        print(json.dumps(LISTED, indent=2, ensure_ascii=False))
    return code


class _Cli:
    """Marks a run started by this command: provenance.print_registry leaves the printing to it."""

    keeps_listing = True


if __name__ == "__main__":
    sys.exit(main())
