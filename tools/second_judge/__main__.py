"""`python -m second_judge [--variant NAME] [-- PYTEST OPTIONS]`: the contract suite through Stoplight Prism.

Exit codes: 0 Prism finds no response violation in front of the reference server and at least one in
front of the broken variant; 1 it does not; 4 nothing could be judged (no Node.js, Prism or the suite failed
to start, the server behind Prism never answered, --prism-dir or --reports cannot be a folder); 2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from mutants.harness import ROOT

from .prism import VERSION, PrismUnavailableError, install
from .run import Judgement, judge
from .variants import SCHEMA_FAULTS

DEFAULT_VARIANT = SCHEMA_FAULTS[0]
DEFAULT_PRISM_DIR = ROOT / ".nox" / ".cache" / "prism"  # nox's shared cache folder: never committed
DEFAULT_REPORTS = ROOT / "reports" / "second-judge"
NOT_JUDGED = 4


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m second_judge", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--variant", default=DEFAULT_VARIANT, choices=SCHEMA_FAULTS, metavar="NAME",
        help=f"the broken variant Prism must catch, one whose answers break the schema: {', '.join(SCHEMA_FAULTS)} "
        f"(default: {DEFAULT_VARIANT})",
    )  # fmt: skip
    parser.add_argument(
        "--prism-dir", type=Path, default=DEFAULT_PRISM_DIR,
        help=f"where Prism {VERSION} is installed with npm when missing (default: .nox/.cache/prism)",
    )  # fmt: skip
    parser.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, help="where Prism's logs and the JUnit go")
    parser.add_argument("pytest_args", nargs="*", metavar="PYTEST OPTIONS", help="passed to both suite runs")
    args = parser.parse_args(argv)
    for option, folder in (("--prism-dir", args.prism_dir), ("--reports", args.reports)):
        problem = unusable_folder(folder)
        if problem is not None:
            print(f"second judge: could not judge: {option} {problem}", file=sys.stderr)
            return NOT_JUDGED
    # CI cancels with SIGTERM: turn it into an exit, so that Prism and the server are stopped on the way out.
    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        return run(args.variant, args.prism_dir, args.reports, args.pytest_args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(variant: str, prism_dir: Path, reports: Path, pytest_args: list[str]) -> int:
    """Judge the reference server, then *variant*, each behind Prism; print what each judge said and the verdict."""
    started = time.monotonic()
    try:
        prism = install(prism_dir)
        print(
            f"second judge: Stoplight Prism {VERSION} as a validating proxy (without --errors) in front of each "
            "server; the tests whose verdict Prism decides itself are left out (second_judge/deselect.py)",
            flush=True,
        )
        judgements = []
        for target in ("faithful", variant):
            # A variant needs one bad answer, not a whole run: stop the suite at its first failure.
            first_failure = target != "faithful"
            judgement = judge(target, prism, reports / target, pytest_args=pytest_args, first_failure=first_failure)
            print(line(judgement), flush=True)
            problem = unjudged(judgement)
            if problem is not None:
                print(problem)
                return NOT_JUDGED
            judgements.append(judgement)
    except PrismUnavailableError as error:
        print(f"second judge: could not judge: {error}", file=sys.stderr)
        return NOT_JUDGED
    except subprocess.TimeoutExpired as error:
        print(f"second judge: could not judge: the suite took longer than {error.timeout:g} s", file=sys.stderr)
        return NOT_JUDGED
    except OSError as error:  # a folder that stopped being usable after the check, a full disk
        where = f": {error.filename}" if error.filename else ""
        print(f"second judge: could not judge: {error.strerror or error}{where}", file=sys.stderr)
        return NOT_JUDGED
    code, verdict = decide(*judgements)
    print(verdict)
    print(f"Prism's logs, JUnit reports and summaries: {shown(reports)}; took {time.monotonic() - started:.1f} s")
    return code


def unusable_folder(path: Path) -> str | None:
    """Why *path* cannot be a folder to write into, as "is not a folder" or "cannot be a folder: ...", else None."""
    existing = next((candidate for candidate in (path, *path.parents) if candidate.exists()), None)
    if existing is None or (existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)):
        return None
    reason = "is not a folder" if not existing.is_dir() else "is not writable"
    return f"{path} {reason}" if existing == path else f"{path} cannot be a folder: {existing} {reason}"


def line(judgement: Judgement) -> str:
    """One run in one line, then each kind of response violation Prism found, with its count."""
    prism = judgement.prism
    lines = [
        f"  {judgement.target:<16} Prism: {prism.response_violations} response violation(s) in {prism.forwarded} "
        f"answers judged | suite through Prism: exit {judgement.suite.code} ({judgement.suite_line()}) "
        f"| {judgement.seconds:.1f} s"
    ]
    lines += [f"      {count} x {violation}" for violation, count in sorted(prism.response.items())]
    if prism.terminated:
        lines.append(f"      {prism.terminated} request(s) the server never answered (see prism.log)")
    return "\n".join(lines)


def unjudged(judgement: Judgement) -> str | None:
    """Why a run gave no verdict (the suite refused the target, selected nothing, crashed; Prism judged nothing)."""
    if judgement.suite_judged and judgement.prism.forwarded > 0:
        return None
    said = judgement.suite.output.strip().splitlines()[-5:]
    return (
        f"could not judge {judgement.target}: the suite exited {judgement.suite.code} after "
        f"{judgement.prism.forwarded} answers through Prism:\n    " + "\n    ".join(said)
    )


def decide(faithful: Judgement, broken: Judgement) -> tuple[int, str]:
    """The exit code and the verdict in words: Prism passes the reference server and catches the variant."""
    failures = []
    if faithful.prism.response_violations:
        failures.append(
            f"Prism found {faithful.prism.response_violations} response violation(s) in the reference server's "
            f"answers: the server or openapi.yaml is wrong (see {shown(faithful.reports / 'prism.log')})"
        )
    if not broken.prism.response_violations:
        failures.append(
            f"Prism found no response violation in front of {broken.target}: either it misses the schema fault, "
            f"or {broken.target} has none (pick one whose answers break the schema, e.g. {DEFAULT_VARIANT})"
        )
    agreement = f"the suite through Prism {agreement_of(faithful)}; {agreement_of(broken)}"
    if failures:
        return 1, "verdict: FAILED\n  " + "\n  ".join([*failures, agreement])
    return 0, f"verdict: ok: Prism passes the reference server and catches {broken.target}; {agreement}"


def agreement_of(judgement: Judgement) -> str:
    """What the suite said about a server, and whether Prism said the same (a response violation = broken)."""
    suite_broken = judgement.suite.code == 1
    prism_broken = judgement.prism.response_violations > 0
    said = f"{'failed' if suite_broken else 'passed'} {judgement.target}"
    return f"{said} ({'as Prism did' if suite_broken == prism_broken else 'Prism did NOT'})"


def shown(path: Path) -> str:
    """*path* relative to the repository when inside it (output never shows this machine's layout)."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
