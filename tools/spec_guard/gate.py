"""The breaking-change gate: openapi.yaml against the spec of the last release, and the version bump it needs.

The last release's spec is the frozen copy with the highest version in releases/ (written by `nox -s release`),
so the gate needs no git history and no tag: CI's clean clone has everything it compares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from spec_guard._changes import Change, Severity
from spec_guard._compare import compare_documents
from spec_guard._document import SpecError, info_version, load
from spec_guard._project import Project
from spec_guard._versions import Version, top_entry

FROZEN = re.compile(r"^openapi-(?P<version>.+)\.yaml$")
BREAKING_SECTION = "Breaking"


@dataclass(frozen=True)
class Release:
    """A frozen spec in releases/ and the version it was released as."""

    version: Version
    path: Path


def releases(project: Project) -> list[Release]:
    """Every frozen spec in releases/, oldest first; each must say the version its name says."""
    found: list[Release] = []
    for path in sorted(project.releases.glob("openapi-*.yaml")):
        match = FROZEN.match(path.name)
        assert match is not None
        version = Version.parse(match["version"], f"releases/{path.name}")
        inside = info_version(load(path), f"releases/{path.name}")
        if inside != str(version):
            raise SpecError(f"releases/{path.name} says info.version {inside}; a frozen spec keeps its own version")
        found.append(Release(version, path))
    return sorted(found, key=lambda release: release.version)


@dataclass
class Verdict:
    """What the gate found: the changes since the release, and why the version does not fit them (if it does not)."""

    baseline: Release
    version: Version
    changes: list[Change]
    problems: list[str] = field(default_factory=list)

    @property
    def severity(self) -> Severity | None:
        return max((change.severity for change in self.changes), default=None)


def _mentions(text: str, subject: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(subject)}(?![\w-])", text) is not None


def judge(project: Project) -> Verdict:
    """Compare openapi.yaml with the last release and check the version and changelog against the changes."""
    history = releases(project)
    if not history:
        raise SpecError(
            "releases/ holds no frozen spec to compare with: freeze the current release with `nox -s release`"
        )
    baseline = history[-1]
    document = load(project.spec)
    version = Version.parse(info_version(document, project.spec.name), f"{project.spec.name} info.version")
    changes = compare_documents(
        load(baseline.path),
        document,
        before_source=f"releases/{baseline.path.name}",
        after_source=project.spec.name,
    )
    changes.sort(key=lambda change: -change.severity)
    verdict = Verdict(baseline, version, changes)
    old = baseline.version
    next_major = Version(old.major + 1, 0, 0)
    if version < old:
        verdict.problems.append(f"the version went backwards: openapi.yaml says {version}, the last release is {old}")
    elif version.major > next_major.major:
        verdict.problems.append(f"the version skips a major release: after {old} comes {next_major}, not {version}")
    elif verdict.severity is Severity.BREAKING:
        _judge_breaking(project, verdict, next_major)
    elif verdict.severity is Severity.ADDITIVE and version < Version(old.major, old.minor + 1, 0):
        verdict.problems.append(
            f"compatible additions need at least the next minor version {old.major}.{old.minor + 1}.0: "
            f"openapi.yaml says {version}"
        )
    elif verdict.severity is Severity.DOCUMENTATION and version == old:
        verdict.problems.append(
            f"{old} is released and frozen: a documentation change needs at least the patch version "
            f"{old.major}.{old.minor}.{old.patch + 1}"
        )
    return verdict


def _judge_breaking(project: Project, verdict: Verdict, next_major: Version) -> None:
    breaking = [change for change in verdict.changes if change.severity is Severity.BREAKING]
    if verdict.version.major != next_major.major:
        verdict.problems.append(
            f"{len(breaking)} breaking change(s) need the next major version {next_major}: "
            f"openapi.yaml says {verdict.version}"
        )
        return
    entry = top_entry(project.changelog)
    name = project.changelog.name
    if entry.version != str(verdict.version):
        verdict.problems.append(
            f"{name}'s top entry is {entry.version}, not {verdict.version}: it must say what breaks"
        )
        return
    section = entry.section(BREAKING_SECTION)
    if section is None or not section.strip():
        verdict.problems.append(
            f"{name}'s {entry.version} entry needs a `### {BREAKING_SECTION}` section saying what breaks "
            "(name each field, parameter, status or operation)"
        )
        return
    unnamed: dict[str, list[Change]] = {}
    for change in breaking:
        if change.subjects and not any(_mentions(section, subject) for subject in change.subjects):
            unnamed.setdefault(change.subjects[0], []).append(change)
    for subject, changes in unnamed.items():
        listed = "; ".join(f"'{change.where}: {change.what}'" for change in changes)
        verdict.problems.append(
            f"`### {BREAKING_SECTION}` in {name} does not mention {subject}: say what breaks for {listed}"
        )


def report(verdict: Verdict, project: Project) -> str:
    """The gate's output: every change in plain words, the counts, and the verdict."""
    base = verdict.baseline
    lines = [f"{project.spec.name} {verdict.version} against release {base.version} (releases/{base.path.name}):"]
    lines.extend(f"  {change}" for change in verdict.changes)
    counts = {severity: 0 for severity in Severity}
    for change in verdict.changes:
        counts[change.severity] += 1
    summary = ", ".join(f"{counts[severity]} {severity.label}" for severity in sorted(Severity, reverse=True))
    lines.append(f"{len(verdict.changes)} change(s): {summary}.")
    if verdict.problems:
        lines.append("FAILED:")
        lines.extend(f"  - {problem}" for problem in verdict.problems)
    elif not verdict.changes:
        lines.append(f"ok: no change since {base.version}.")
    else:
        assert verdict.severity is not None
        lines.append(f"ok: version {verdict.version} fits {verdict.severity.label} changes since {base.version}.")
    return "\n".join(lines)
