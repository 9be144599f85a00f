"""Rewrite the `TimeZone` enum in openapi.yaml from the installed tzdata.

Usage: python scripts/time_zones.py [--check]

The spec lists every accepted zone name so that generated clients, the reference server and
schemathesis' positive generation all agree on what a valid `time_zone` is. Run this after
upgrading tzdata, then `scripts/regenerate.py`, and commit the three together.
"""

from __future__ import annotations

import argparse
import re
import sys
import zoneinfo
from pathlib import Path

import tzdata

SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
BLOCK = re.compile(r"(?P<indent>[ ]*)# BEGIN time zones[^\n]*\n.*?# END time zones\n", re.DOTALL)
# Not zones at all, but files that ship inside the tz database.
NOT_ZONES = {"Factory", "localtime", "posixrules"}


def zone_names() -> list[str]:
    """Every IANA zone name the installed tzdata knows, sorted."""
    return sorted(zoneinfo.available_timezones() - NOT_ZONES)


def render(indent: str) -> str:
    """The enum block, with its markers, at the given indentation."""
    lines = [f"{indent}# BEGIN time zones: written by scripts/time_zones.py (tzdata {tzdata.IANA_VERSION})"]
    lines.append(f"{indent}enum:")
    lines.extend(f"{indent}  - {name}" for name in zone_names())
    lines.append(f"{indent}# END time zones")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the spec's list is stale")
    args = parser.parse_args()
    spec = SPEC.read_text(encoding="utf-8")
    match = BLOCK.search(spec)
    if match is None:
        print(f"error: no '# BEGIN time zones' block in {SPEC.name}", file=sys.stderr)
        return 2
    updated = spec[: match.start()] + render(match["indent"]) + spec[match.end() :]
    if args.check:
        if updated != spec:
            print(
                f"{SPEC.name}: the TimeZone enum differs from tzdata {tzdata.IANA_VERSION}; run scripts/time_zones.py"
            )
            return 1
        return 0
    SPEC.write_text(updated, encoding="utf-8")
    print(f"{SPEC.name}: TimeZone lists {len(zone_names())} zones from tzdata {tzdata.IANA_VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
