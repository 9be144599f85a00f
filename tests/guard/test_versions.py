"""spec_guard.versions: info.version, the distribution's version and CHANGELOG.md's top entry are one number."""

from __future__ import annotations

import pytest

from spec_guard import versions
from spec_guard._document import SpecError
from spec_guard._versions import top_entry

from .conftest import BASE, CHANGELOG_HEAD, RELEASED_ENTRY, Checkout


def test_agreeing_versions_pass(checkout: Checkout):
    """A released 1.0.0 everywhere, frozen in releases/, has no problem."""
    assert [] == versions.problems(checkout.project)


def test_an_unreleased_entry_agrees_too(checkout: Checkout):
    """`## [1.1.0] - Unreleased` on top agrees with 1.1.0 in the spec and pyproject.toml, frozen or not."""
    checkout.write(BASE, version="1.1.0", entry="## [1.1.0] - Unreleased\n\n")
    assert [] == versions.problems(checkout.project)


@pytest.mark.parametrize(
    ("spec", "dist", "top"),
    [("1.1.0", "1.0.0", "1.1.0"), ("1.1.0", "1.1.0", "1.0.0"), ("1.0.0", "1.1.0", "1.1.0")],
    ids=["pyproject lags", "changelog lags", "spec lags"],
)
def test_each_disagreement_names_all_three(checkout: Checkout, spec, dist, top):
    """Any one number out of step fails, and the message gives all three with their sources."""
    checkout.write(
        BASE, version=spec, pyproject_version=dist, entry=f"## [{top}] - Unreleased\n\n" if top != "1.0.0" else ""
    )
    assert [
        f"the versions differ: openapi.yaml info.version is {spec}, pyproject.toml [project] version is {dist}, "
        f"CHANGELOG.md's top entry is {top}; make them one"
    ] == versions.problems(checkout.project)


def test_a_version_that_is_not_semver_is_named(checkout: Checkout):
    """`1.1` everywhere agrees, but each source is named as not MAJOR.MINOR.PATCH."""
    checkout.write(BASE, version="1.1", entry="## [1.1] - Unreleased\n\n")
    assert [
        "openapi.yaml info.version: '1.1' is not a MAJOR.MINOR.PATCH version such as 1.2.0",
        "pyproject.toml [project] version: '1.1' is not a MAJOR.MINOR.PATCH version such as 1.2.0",
        "CHANGELOG.md's top entry: '1.1' is not a MAJOR.MINOR.PATCH version such as 1.2.0",
    ] == versions.problems(checkout.project)


def test_a_dated_entry_needs_its_frozen_spec(checkout: Checkout):
    """A top entry with a date says "released": without releases/openapi-X.Y.Z.yaml that is a problem."""
    checkout.write(BASE, version="1.1.0", entry="## [1.1.0] - 2026-12-01\n\n")
    assert [
        "CHANGELOG.md dates 1.1.0 (2026-12-01) but releases/ has no openapi-1.1.0.yaml: "
        "release it with `nox -s release`, or write `- Unreleased`"
    ] == versions.problems(checkout.project)


def test_an_unversioned_unreleased_heading_is_refused(checkout: Checkout):
    """A bare `## Unreleased` on top is refused, saying how to write it."""
    checkout.project.changelog.write_text(f"{CHANGELOG_HEAD}## Unreleased\n\n- x\n\n{RELEASED_ENTRY}", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        versions.problems(checkout.project)
    assert (
        "CHANGELOG.md's top entry '## Unreleased' names no version: write it as `## [X.Y.Z] - Unreleased` "
        "with the version in openapi.yaml (and `- YYYY-MM-DD` in place of Unreleased once released)"
    ) == str(caught.value)


@pytest.mark.parametrize(
    ("heading", "problem"),
    [
        ("## 2.0.0", "is not `## [X.Y.Z] - Unreleased` or `## [X.Y.Z] - YYYY-MM-DD`"),
        ("## [2.0.0]", "is not `## [X.Y.Z] - Unreleased` or `## [X.Y.Z] - YYYY-MM-DD`"),
        ("## 2.0.0 - Unreleased", "is not `## [X.Y.Z] - Unreleased` or `## [X.Y.Z] - YYYY-MM-DD`"),
        ("## [2.0.0] - soon", "is not `## [X.Y.Z] - Unreleased` or `## [X.Y.Z] - YYYY-MM-DD`"),
        ("## [2.0.0] - 2026-02-30", "dates it 2026-02-30, which is no day of the calendar"),
        ("## [2.0.0] - 2026-13-01", "dates it 2026-13-01, which is no day of the calendar"),
    ],
    ids=["no brackets, no state", "no state", "no brackets", "a word for a date", "30 February", "month 13"],
)
def test_a_top_entry_not_in_the_one_form_is_refused(checkout: Checkout, heading: str, problem: str):
    """Only `## [X.Y.Z] - Unreleased` or `## [X.Y.Z] - YYYY-MM-DD` with a real date passes, the heading named."""
    checkout.write(BASE, version="2.0.0")
    checkout.project.changelog.write_text(f"{CHANGELOG_HEAD}{heading}\n\n- x\n\n{RELEASED_ENTRY}", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        versions.problems(checkout.project)
    assert f"CHANGELOG.md's top entry {heading!r} {problem}" == str(caught.value)


def test_a_top_entry_dated_before_the_previous_release_is_named(checkout: Checkout):
    """A top entry dated before the release under it is a problem naming both dates."""
    checkout.write(BASE, version="1.1.0", entry="## [1.1.0] - 2026-11-26\n\n")
    checkout.project.frozen("1.1.0").write_text("frozen", encoding="utf-8")
    assert [
        "CHANGELOG.md dates 1.1.0 2026-11-26, before the previous release, 1.0.0, dated 2026-11-27"
    ] == versions.problems(checkout.project)


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("CHANGELOG.md", "# Changelog\n", "CHANGELOG.md has no `## ` entry; start one with `## [1.0.0] - Unreleased`"),
        ("pyproject.toml", "[project\n", "pyproject.toml is not valid TOML: "),
        ("pyproject.toml", '[project]\nname = "x"\n', "pyproject.toml has no [project] version string"),
        ("openapi.yaml", "info: {title: x}\n", "openapi.yaml has no info.version string"),
        ("openapi.yaml", "info: [\n", " is not valid YAML: "),
        ("openapi.yaml", "- a list\n", " is not an OpenAPI document (its top level is not a mapping)"),
    ],
    ids=["changelog without entries", "broken TOML", "no project version", "no info.version", "broken YAML", "a list"],
)
def test_a_broken_source_is_named(checkout: Checkout, file, content, message):
    """A missing or malformed version source is an error naming the file and what is wrong."""
    (checkout.project.root / file).write_text(content, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        versions.problems(checkout.project)
    assert message in str(caught.value)


def test_a_missing_file_is_named(checkout: Checkout):
    """A checkout without pyproject.toml is an error naming the path."""
    checkout.project.pyproject.unlink()
    with pytest.raises(SpecError) as caught:
        versions.problems(checkout.project)
    assert f"cannot read {checkout.project.pyproject}: No such file or directory" == str(caught.value)


def test_a_section_is_the_text_under_its_heading(checkout: Checkout):
    """The top entry's `### Breaking` section runs to the next `###` heading; a missing section is None."""
    checkout.write(
        BASE, version="2.0.0", entry="## [2.0.0] - Unreleased\n\n### Breaking\n\n- a\n\n### Added\n\n- b\n\n"
    )
    entry = top_entry(checkout.project.changelog)
    assert ("2.0.0", "Unreleased", "\n- a\n\n", None) == (
        entry.version,
        entry.when,
        entry.section("Breaking"),
        entry.section("Removed"),
    )
