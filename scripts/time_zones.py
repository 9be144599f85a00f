"""Rewrite the `TimeZone` enum in openapi.yaml from the tzdata package.

Usage: python scripts/time_zones.py [--check] [--spec PATH]

The spec lists every accepted zone name so that generated clients, the reference server and
schemathesis' positive generation all agree on what a valid `time_zone` is. The list comes from the
tzdata package alone (pinned exactly in pyproject.toml's `lint` group), never from the machine's zone
files, so every machine writes the same list. After raising that pin, run this, then
`scripts/regenerate.py`, and commit the three together.
"""

from __future__ import annotations

import argparse
import importlib.resources
import re
import sys
from pathlib import Path

import tzdata

SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
BLOCK = re.compile(r"(?P<indent>[ ]*)# BEGIN time zones[^\n]*\n.*?# END time zones\n", re.DOTALL)
WRITTEN_FROM = re.compile(r"\(tzdata (?P<version>[^)]+)\)")
# Not zones at all, but files that ship inside the tz database.
NOT_ZONES = {"Factory", "localtime", "posixrules"}


def zone_names() -> list[str]:
    """Every IANA zone name of the tzdata package, sorted.

    Read from the package's own list: `zoneinfo.available_timezones()` adds the zone files of the machine
    (TZPATH, e.g. /usr/share/zoneinfo), which differ from one operating system and its updates to the next.
    """
    listed = importlib.resources.files(tzdata).joinpath("zones").read_text(encoding="utf-8").split()
    return sorted(set(listed) - NOT_ZONES)


def render(indent: str) -> str:
    """The enum block, with its markers, at the given indentation."""
    lines = [f"{indent}# BEGIN time zones: written by scripts/time_zones.py (tzdata {tzdata.IANA_VERSION})"]
    lines.append(f"{indent}enum:")
    lines.extend(f"{indent}  - {name}" for name in zone_names())
    lines.append(f"{indent}# END time zones")
    return "\n".join(lines) + "\n"


def stale(block: str, spec_name: str) -> list[str]:
    """What a person needs to read about a block that is not what the installed tzdata gives."""
    written = WRITTEN_FROM.search(block.splitlines()[0])
    listed = {line.strip()[2:] for line in block.splitlines() if line.strip().startswith("- ")}
    current = set(zone_names())
    return [
        f"{spec_name}: the TimeZone enum was written from tzdata {written['version'] if written else '(unknown)'} "
        f"and differs from the installed tzdata {tzdata.IANA_VERSION}: run scripts/time_zones.py "
        "(and scripts/regenerate.py), then commit them together",
        *(f"  missing: {name}" for name in sorted(current - listed)),
        *(f"  not in tzdata: {name}" for name in sorted(listed - current)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the spec's list is stale")
    parser.add_argument("--spec", type=Path, default=SPEC, help="the OpenAPI document (default: openapi.yaml)")
    args = parser.parse_args(argv)
    try:
        spec = args.spec.read_text(encoding="utf-8")
    except OSError as error:
        print(f"error: cannot read {args.spec}: {error.strerror or error}", file=sys.stderr)
        return 2
    match = BLOCK.search(spec)
    if match is None:
        print(f"error: no '# BEGIN time zones' block in {args.spec.name}", file=sys.stderr)
        return 2
    updated = spec[: match.start()] + render(match["indent"]) + spec[match.end() :]
    if args.check:
        if updated != spec:
            print("\n".join(stale(match[0], args.spec.name)))
            return 1
        return 0
    args.spec.write_text(updated, encoding="utf-8")
    print(f"{args.spec.name}: TimeZone lists {len(zone_names())} zones from tzdata {tzdata.IANA_VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
