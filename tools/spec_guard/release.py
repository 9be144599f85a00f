"""Release procedure: freeze openapi.yaml as releases/openapi-X.Y.Z.yaml and date CHANGELOG.md's top entry.

The frozen copy is what the breaking-change gate compares the next changes with; it is never edited again.
"""

from __future__ import annotations

import datetime as dt

from spec_guard import _versions, gate, versions
from spec_guard._document import SpecError, info_version, load
from spec_guard._project import Project
from spec_guard._versions import UNRELEASED, top_entry


def release(project: Project, day: dt.date) -> tuple[bool, list[str]]:
    """Freeze the spec under its version, dated *day*; return (done, lines to print)."""
    disagreements = versions.problems(project, require_frozen=False)
    if disagreements:
        return False, ["cannot release:", *(f"  - {problem}" for problem in disagreements)]
    version = info_version(load(project.spec), project.spec.name)
    frozen = project.frozen(version)
    entry = top_entry(project.changelog)
    spec_bytes = project.spec.read_bytes()
    if frozen.is_file():
        if frozen.read_bytes() != spec_bytes:
            return False, [
                f"cannot release: releases/{frozen.name} exists and differs from {project.spec.name}; "
                f"a released version is never changed: bump the version (see CHANGELOG.md) and release that"
            ]
        if entry.when != UNRELEASED:
            return True, [f"{version} is already released (releases/{frozen.name}, {entry.when}); nothing to do."]
    if entry.previous and day < entry.previous.day:
        return False, [
            f"cannot release {version} dated {day.isoformat()}: the previous release, {entry.previous.version}, "
            f"is dated {entry.previous.day.isoformat()}; give a --date on or after it"
        ]
    if gate.releases(project):
        verdict = gate.judge(project)
        if verdict.problems:
            return False, ["cannot release: the breaking-change gate fails", gate.report(verdict, project)]
    frozen.parent.mkdir(exist_ok=True)
    frozen.write_bytes(spec_bytes)
    lines = project.changelog.read_text(encoding="utf-8").split("\n")
    lines[entry.line] = f"## [{version}] - {day.isoformat()}"
    project.changelog.write_text("\n".join(lines), encoding="utf-8")
    return True, [
        f"Froze {project.spec.name} as releases/{frozen.name} and dated {project.changelog.name}'s {version} entry "
        f"{day.isoformat()}.",
        f"Next: commit both, tag the commit v{version}, and start the next entry as `## [X.Y.Z] - {UNRELEASED}` "
        "when the next change needs a new version.",
    ]


def parse_day(text: str) -> dt.date:
    """A YYYY-MM-DD date, or a SpecError naming the value."""
    day = _versions.parse_day(text)
    if day is None:
        raise SpecError(f"--date {text!r} is not a YYYY-MM-DD date")
    return day
