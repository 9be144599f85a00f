"""One version: `info.version` in openapi.yaml, `[project] version` and CHANGELOG.md's top entry must agree."""

from __future__ import annotations

from spec_guard._document import SpecError, info_version, load
from spec_guard._project import Project
from spec_guard._versions import UNRELEASED, Version, project_version, top_entry


def problems(project: Project, *, require_frozen: bool = True) -> list[str]:
    """Every disagreement between the three version numbers, in words; empty when they are one.

    With *require_frozen*, a dated (released) top entry also needs its frozen spec in releases/.
    """
    entry = top_entry(project.changelog)
    versions = {
        "openapi.yaml info.version": info_version(load(project.spec), project.spec.name),
        "pyproject.toml [project] version": project_version(project.pyproject),
        f"{project.changelog.name}'s top entry": entry.version,
    }
    found: list[str] = []
    for source, version in versions.items():
        try:
            Version.parse(version, source)
        except SpecError as error:
            found.append(str(error))
    if len(set(versions.values())) > 1:
        listed = ", ".join(f"{source} is {version}" for source, version in versions.items())
        found.append(f"the versions differ: {listed}; make them one")
    released = entry.when != UNRELEASED
    if released and entry.previous and entry.day and entry.day < entry.previous.day:
        found.append(
            f"{project.changelog.name} dates {entry.version} {entry.when}, before the previous release, "
            f"{entry.previous.version}, dated {entry.previous.day.isoformat()}"
        )
    if require_frozen and released and not project.frozen(entry.version).is_file():
        found.append(
            f"{project.changelog.name} dates {entry.version} ({entry.when}) but releases/ has no "
            f"{project.frozen(entry.version).name}: release it with `nox -s release`, or write `- {UNRELEASED}`"
        )
    return found
