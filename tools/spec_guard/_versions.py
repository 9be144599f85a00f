"""The project's three version numbers: `info.version`, the distribution's version, CHANGELOG.md's top entry."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from spec_guard._document import SpecError

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
# `## [1.1.0] - Unreleased` while a release is being prepared, `## [1.0.0] - 2026-11-27` once it is out; no other form.
ENTRY = re.compile(r"^## \[(?P<version>[^\]\s]+)\] - (?P<when>Unreleased|\d{4}-\d{2}-\d{2})\s*$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNRELEASED = "Unreleased"
FORMS = "`## [X.Y.Z] - Unreleased` or `## [X.Y.Z] - YYYY-MM-DD`"


class Version(NamedTuple):
    """A MAJOR.MINOR.PATCH version; tuples compare in release order."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str, source: str) -> Version:
        """The version in *text*, or a SpecError naming *source* when it is not MAJOR.MINOR.PATCH."""
        match = SEMVER.match(text)
        if match is None:
            raise SpecError(f"{source}: {text!r} is not a MAJOR.MINOR.PATCH version such as 1.2.0")
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


class Release(NamedTuple):
    """A dated entry of the changelog."""

    version: str
    day: dt.date


def parse_day(text: str) -> dt.date | None:
    """The day *text* names as YYYY-MM-DD, or None (`date.fromisoformat` alone also takes 20261201, 2026-W48-2)."""
    if DAY.match(text) is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class ChangelogEntry:
    """The top entry of CHANGELOG.md: its heading, version, date (or Unreleased) and text."""

    heading: str
    line: int  # 0-based line number of the heading
    version: str
    when: str  # Unreleased or a YYYY-MM-DD day
    body: str
    previous: Release | None  # the latest release dated below it

    @property
    def day(self) -> dt.date | None:
        """The release day, None while Unreleased."""
        return None if self.when == UNRELEASED else dt.date.fromisoformat(self.when)

    def section(self, prefix: str) -> str | None:
        """The text under the entry's first `### <prefix>...` heading, or None when there is none."""
        match = re.search(
            rf"^### {re.escape(prefix)}[^\n]*\n(?P<text>.*?)(?=^### |\Z)", self.body, re.MULTILINE | re.DOTALL
        )
        return match["text"] if match else None


def top_entry(path: Path) -> ChangelogEntry:
    """The first `## ` entry of the changelog at *path*."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise SpecError(f"cannot read {path}: {error.strerror or error}") from error
    starts = [number for number, line in enumerate(lines) if line.startswith("## ")]
    if not starts:
        raise SpecError(f"{path.name} has no `## ` entry; start one with `## [1.0.0] - Unreleased`")
    first = starts[0]
    end = starts[1] if len(starts) > 1 else len(lines)
    heading = lines[first]
    if heading.strip() in ("## Unreleased", "## [Unreleased]"):
        raise SpecError(
            f"{path.name}'s top entry {heading!r} names no version: write it as `## [X.Y.Z] - Unreleased` "
            "with the version in openapi.yaml (and `- YYYY-MM-DD` in place of Unreleased once released)"
        )
    match = ENTRY.match(heading)
    if match is None:
        raise SpecError(f"{path.name}'s top entry {heading!r} is not {FORMS}")
    if match["when"] != UNRELEASED and parse_day(match["when"]) is None:
        raise SpecError(
            f"{path.name}'s top entry {heading!r} dates it {match['when']}, which is no day of the calendar"
        )
    body = "\n".join(lines[first + 1 : end])
    return ChangelogEntry(heading, first, match["version"], match["when"], body, _latest_release(lines[end:]))


def _latest_release(lines: list[str]) -> Release | None:
    # Older entries are read as far as they are well formed: the top entry alone is checked strictly.
    found = []
    for line in lines:
        match = ENTRY.match(line)
        day = parse_day(match["when"]) if match else None
        if match and day:
            found.append(Release(match["version"], day))
    return max(found, key=lambda release: release.day, default=None)


def project_version(path: Path) -> str:
    """`[project] version` of the pyproject.toml at *path*."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SpecError(f"cannot read {path}: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{path.name} is not valid TOML: {error}") from error
    version = data.get("project", {}).get("version")
    if not isinstance(version, str):
        raise SpecError(f"{path.name} has no [project] version string")
    return version
