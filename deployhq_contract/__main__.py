"""`deployhq-contract` (or `python -m deployhq_contract`): judge a server against the DeployHQ Users API contract.

Runs the same suite as `pytest contract_tests`, from any directory, against the spec shipped with it, and any
promise files or folders given after the options (a team's own rules, judged with the same rails and summary).
Exit codes: 0 the target keeps the contract; 1 it breaks a promise; 4 it could not be judged (a refused
option or target, unreachable, credentials refused, not allowed, not this API); 2 interrupted.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# The built-in promises: package data of the wheel, the checkout's contract_tests/ in an editable install.
SUITE = next((p for p in (HERE / "suite", HERE.parent / "contract_tests") if p.is_dir()), HERE / "suite")
USAGE = """\
usage: deployhq-contract [options] [PATH ...] [-- pytest options]

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
  --email-budget N       at most N requests that email a person: accepted invitations and resends
                         (default 100 with --live); 0 sends none (--create-budget N is the same option)
  --rate-limit R         at most R requests per second, above 0 (default 2 with --live)
  --dry-run              print the generated requests (credentials filtered), send none
  --max-answer-bytes N   refuse any answer larger than N bytes, e.g. 10MiB (the default)
  --request-timeout S    give up on a request not wholly answered within S seconds in all (default 30)
  --list-promises        print every promise (operation, sentence, source, test) as a JSON array, send none
  --contract-scale       with --live, also grow the account past 1000 users (each an email; DEPLOYHQ_CONTRACT_SCALE=1)
generation:
  --contract-profile P   ci (default), dev, live (default with --live) or quick (DEPLOYHQ_CONTRACT_PROFILE)
  --max-examples N       generated examples per operation
reports:
  --junitxml PATH        the JUnit report (default: reports/contract-junit.xml); the Markdown summary is written
                         next to it, and appended to $GITHUB_STEP_SUMMARY when that is set

your own promises:
  PATH                   files or folders of test_*.py to judge with the built-in promises; they get the fixtures
                         `client` (the generated client), `api` and `target`, the same rails, ledger and cleanup, and
                         appear in the summary by their docstrings; `@pytest.mark.contract_rank(N)` orders them

Exit codes: 0 kept, 1 broken, 4 could not judge, 2 interrupted. Any other pytest option may follow.
"""


def arguments(argv: Sequence[str]) -> list[str]:
    """pytest's arguments for the suite: its own settings file, no cache, and the user's options and paths."""
    translated = ["--contract-strict" if arg == "--strict" else arg for arg in argv if arg != "--"]
    settings = HERE / "suite.ini"
    # Promise files given with the suite share its rootdir, so each test is named by a path that exists.
    paths = [Path(arg).resolve() for arg in translated if _is_promises(arg)]
    rootdir = Path(os.path.commonpath([SUITE, *paths]))
    return [str(SUITE), "-c", str(settings), "--rootdir", str(rootdir), "-p", "no:cacheprovider", *translated]


def _is_promises(arg: str) -> bool:
    """Whether a command-line argument names a file or folder of promises (not an option or its value)."""
    path = Path(arg.partition("::")[0])
    return not arg.startswith("-") and (path.is_dir() or (path.is_file() and path.suffix == ".py"))


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
