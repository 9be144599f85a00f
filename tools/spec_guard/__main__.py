"""`python -m spec_guard gate|versions|release|drift|refresh`: the commands behind the nox sessions."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from spec_guard import drift, gate, release, versions
from spec_guard._document import SpecError
from spec_guard._project import ROOT, Project
from spec_guard._snapshot import Source

# DeployHQ's official CLI keeps the vendor's OpenAPI document as test data.
VENDOR_REPOSITORY = "deployhq/deployhq-cli"
VENDOR_PATH = "internal/commands/testdata/openapi.json"


def _gate(project: Project, _: argparse.Namespace) -> int:
    verdict = gate.judge(project)
    print(gate.report(verdict, project))
    return 1 if verdict.problems else 0


def _versions(project: Project, _: argparse.Namespace) -> int:
    found = versions.problems(project)
    if found:
        print("\n".join(f"version check: {problem}" for problem in found), file=sys.stderr)
        return 1
    print(f"version check: openapi.yaml, pyproject.toml and {project.changelog.name} agree.")
    return 0


def _release(project: Project, args: argparse.Namespace) -> int:
    day = release.parse_day(args.date) if args.date else dt.datetime.now(dt.UTC).date()
    done, lines = release.release(project, day)
    print("\n".join(lines), file=sys.stdout if done else sys.stderr)
    return 0 if done else 1


def _drift(project: Project, _: argparse.Namespace) -> int:
    passed, lines = drift.check(project)
    print("\n".join(lines))
    return 0 if passed else 1


def _refresh(project: Project, args: argparse.Namespace) -> int:
    day = release.parse_day(args.date)
    source = Source(args.repository, args.source_path, args.commit, day.isoformat())
    print("\n".join(drift.refresh(project, args.document, source)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spec_guard", description=__doc__)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to work on (default: this repository)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("gate", help="compare openapi.yaml with the last release; fail on an unfit version")
    commands.add_parser("versions", help="check that openapi.yaml, pyproject.toml and CHANGELOG.md agree")
    freeze = commands.add_parser("release", help="freeze openapi.yaml in releases/ and date the changelog entry")
    freeze.add_argument("--date", help="the release date, YYYY-MM-DD (default: today, UTC)")
    commands.add_parser("drift", help="list the differences from the vendor's document; fail on an unexplained one")
    snapshot = commands.add_parser("refresh", help="rewrite drift/vendor-users-facts.yaml from a vendor document")
    snapshot.add_argument("document", type=Path, help="the vendor's OpenAPI document (JSON or YAML)")
    snapshot.add_argument("--commit", required=True, help="the commit of the vendor's repository it was read at")
    snapshot.add_argument("--date", required=True, help="that commit's date, YYYY-MM-DD")
    snapshot.add_argument("--repository", default=VENDOR_REPOSITORY, help=f"default: {VENDOR_REPOSITORY}")
    snapshot.add_argument("--source-path", default=VENDOR_PATH, help=f"its path there; default: {VENDOR_PATH}")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"--root {args.root} is not a directory")
    handlers = {"gate": _gate, "versions": _versions, "release": _release, "drift": _drift, "refresh": _refresh}
    run = handlers[args.command]
    try:
        return run(Project(args.root), args)
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
