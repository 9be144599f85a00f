"""spec_guard.gate: the version a change needs, and the changelog a breaking change needs."""

from __future__ import annotations

import copy

import pytest

from spec_guard import gate
from spec_guard._changes import Severity
from spec_guard._document import SpecError

from .conftest import BASE, Checkout, Spec, write_yaml


def removed_nickname() -> Spec:
    """The release minus the response field `nickname`: one kind of breaking change."""
    spec = copy.deepcopy(BASE)
    spec["components"]["schemas"]["User"]["properties"].pop("nickname")
    return spec


def added_status() -> Spec:
    """The release plus a documented 409: a compatible addition."""
    spec = copy.deepcopy(BASE)
    spec["paths"]["/users"]["post"]["responses"]["409"] = {"description": "Conflict."}
    return spec


def reworded() -> Spec:
    """The release with another summary: documentation only."""
    spec = copy.deepcopy(BASE)
    spec["paths"]["/users"]["post"]["summary"] = "Invite someone"
    return spec


def entry(version: str, *sections: str) -> str:
    return f"## [{version}] - Unreleased\n\n" + "".join(f"{section}\n\n" for section in sections)


BREAKS_NICKNAME = "### Breaking\n\n- Users have no `nickname` any more."


@pytest.mark.parametrize(
    ("spec", "version", "changelog"),
    [
        (BASE, "1.0.0", ""),
        (BASE, "1.0.1", entry("1.0.1", "### Fixed\n\n- Tooling.")),
        (reworded(), "1.0.1", entry("1.0.1")),
        (added_status(), "1.1.0", entry("1.1.0")),
        (added_status(), "2.0.0", entry("2.0.0")),
        (removed_nickname(), "2.0.0", entry("2.0.0", BREAKS_NICKNAME)),
        (removed_nickname(), "2.1.0", entry("2.1.0", "### Added\n\n- More.", BREAKS_NICKNAME)),
    ],
    ids=[
        "no change, same version",
        "no change, bumped version",
        "documentation with a patch bump",
        "addition with a minor bump",
        "addition with a major bump",
        "breaking with the next major and a Breaking section naming it",
        "breaking with the section after another one",
    ],
)
def test_fitting_versions_pass(checkout: Checkout, spec, version, changelog):
    """Each kind of change passes with the version (and changelog) it needs."""
    checkout.write(spec, version=version, entry=changelog)
    assert [] == gate.judge(checkout.project).problems


@pytest.mark.parametrize(
    ("spec", "version", "changelog", "problem"),
    [
        (
            removed_nickname(),
            "1.1.0",
            entry("1.1.0", BREAKS_NICKNAME),
            "2 breaking change(s) need the next major version 2.0.0: openapi.yaml says 1.1.0",
        ),
        (
            removed_nickname(),
            "2.0.0",
            entry("2.0.0", "### Removed\n\n- `nickname`."),
            "CHANGELOG.md's 2.0.0 entry needs a `### Breaking` section saying what breaks "
            "(name each field, parameter, status or operation)",
        ),
        (
            removed_nickname(),
            "2.0.0",
            entry("2.0.0", "### Breaking\n\n- Users changed."),
            "`### Breaking` in CHANGELOG.md does not mention nickname: say what breaks for "
            "'POST /users (createUser): response 201 body field `nickname` was removed'; "
            "'GET /users/{identifier} (getUser): response 200 body field `nickname` was removed'",
        ),
        (
            removed_nickname(),
            "2.0.0",
            entry("2.0.0", "### Breaking\n\n- No `nicknames` in 2.0.0."),
            "`### Breaking` in CHANGELOG.md does not mention nickname: say what breaks for "
            "'POST /users (createUser): response 201 body field `nickname` was removed'; "
            "'GET /users/{identifier} (getUser): response 200 body field `nickname` was removed'",
        ),
        (
            removed_nickname(),
            "2.0.0",
            entry("1.1.0", BREAKS_NICKNAME),
            "CHANGELOG.md's top entry is 1.1.0, not 2.0.0: it must say what breaks",
        ),
        (
            added_status(),
            "1.0.1",
            entry("1.0.1"),
            "compatible additions need at least the next minor version 1.1.0: openapi.yaml says 1.0.1",
        ),
        (
            added_status(),
            "1.0.0",
            "",
            "compatible additions need at least the next minor version 1.1.0: openapi.yaml says 1.0.0",
        ),
        (
            reworded(),
            "1.0.0",
            "",
            "1.0.0 is released and frozen: a documentation change needs at least the patch version 1.0.1",
        ),
        (
            BASE,
            "0.9.0",
            entry("0.9.0"),
            "the version went backwards: openapi.yaml says 0.9.0, the last release is 1.0.0",
        ),
        (
            removed_nickname(),
            "3.0.0",
            entry("3.0.0", BREAKS_NICKNAME),
            "the version skips a major release: after 1.0.0 comes 2.0.0, not 3.0.0",
        ),
    ],
    ids=[
        "breaking without a major bump",
        "breaking without a Breaking section",
        "Breaking section not naming the field",
        "a longer word does not count as naming it",
        "changelog entry of another version",
        "addition with only a patch bump",
        "addition without a bump",
        "documentation without a bump",
        "version went backwards",
        "major version skipped",
    ],
)
def test_unfitting_versions_fail_naming_why(checkout: Checkout, spec, version, changelog, problem):
    """A version or changelog that does not fit the changes fails with the reason in plain words."""
    checkout.write(spec, version=version, entry=changelog)
    assert [problem] == gate.judge(checkout.project).problems


def test_every_breaking_change_must_be_named(checkout: Checkout):
    """With two breaking changes, the Breaking section must name both: the one left out is reported."""
    spec = removed_nickname()
    spec["paths"]["/users/{identifier}"].pop("delete")
    checkout.write(spec, version="2.0.0", entry=entry("2.0.0", BREAKS_NICKNAME))
    assert [
        "`### Breaking` in CHANGELOG.md does not mention deleteUser: say what breaks for "
        "'DELETE /users/{identifier} (deleteUser): the operation was removed'"
    ] == gate.judge(checkout.project).problems


def test_the_report_lists_changes_breaking_first(checkout: Checkout):
    """The report names each change, breaking ones first, then the counts and the verdict."""
    spec = added_status()
    spec["components"]["schemas"]["User"]["properties"].pop("nickname")
    checkout.write(spec, version="1.1.0", entry=entry("1.1.0"))
    verdict = gate.judge(checkout.project)
    assert (
        "openapi.yaml 1.1.0 against release 1.0.0 (releases/openapi-1.0.0.yaml):\n"
        "  breaking: POST /users (createUser): response 201 body field `nickname` was removed\n"
        "  breaking: GET /users/{identifier} (getUser): response 200 body field `nickname` was removed\n"
        "  compatible: POST /users (createUser): may now answer 409\n"
        "3 change(s): 2 breaking, 1 compatible, 0 documentation.\n"
        "FAILED:\n"
        "  - 2 breaking change(s) need the next major version 2.0.0: openapi.yaml says 1.1.0"
    ) == gate.report(verdict, checkout.project)
    assert Severity.BREAKING == verdict.severity


def test_the_newest_release_is_the_baseline(checkout: Checkout):
    """With 1.0.0 and 1.1.0 frozen, changes are counted from 1.1.0 (so an old addition needs no new bump)."""
    released = added_status()
    released["info"]["version"] = "1.1.0"
    write_yaml(checkout.project.frozen("1.1.0"), released)
    checkout.write(added_status(), version="1.1.0")
    verdict = gate.judge(checkout.project)
    assert ("1.1.0", [], []) == (str(verdict.baseline.version), verdict.changes, verdict.problems)


def test_versions_order_numerically_not_alphabetically(checkout: Checkout):
    """1.10.0 is newer than 1.9.0 when choosing the baseline."""
    for version in ("1.9.0", "1.10.0"):
        released = copy.deepcopy(BASE)
        released["info"]["version"] = version
        write_yaml(checkout.project.frozen(version), released)
    checkout.write(BASE, version="1.10.0")
    assert "1.10.0" == str(gate.judge(checkout.project).baseline.version)


def test_no_frozen_release_is_an_error(checkout: Checkout):
    """Without any frozen spec the gate refuses to guess and says how to make one."""
    checkout.project.frozen("1.0.0").unlink()
    with pytest.raises(SpecError) as caught:
        gate.judge(checkout.project)
    assert "releases/ holds no frozen spec to compare with: freeze the current release with `nox -s release`" == str(
        caught.value
    )


@pytest.mark.parametrize(
    ("name", "inside", "message"),
    [
        (
            "openapi-1.1.0.yaml",
            "1.2.0",
            "releases/openapi-1.1.0.yaml says info.version 1.2.0; a frozen spec keeps its own version",
        ),
        (
            "openapi-latest.yaml",
            "1.2.0",
            "releases/openapi-latest.yaml: 'latest' is not a MAJOR.MINOR.PATCH version such as 1.2.0",
        ),
    ],
    ids=["version inside differs from its name", "name is not a version"],
)
def test_a_misnamed_frozen_spec_is_an_error(checkout: Checkout, name, inside, message):
    """A frozen spec whose name and info.version disagree is refused, naming the file."""
    released = copy.deepcopy(BASE)
    released["info"]["version"] = inside
    write_yaml(checkout.project.releases / name, released)
    with pytest.raises(SpecError) as caught:
        gate.judge(checkout.project)
    assert message == str(caught.value)


def test_a_passing_report_says_which_version_fits(checkout: Checkout):
    """A compatible change with a minor bump ends the report with the version it fits."""
    checkout.write(added_status(), version="1.1.0", entry=entry("1.1.0"))
    report = gate.report(gate.judge(checkout.project), checkout.project)
    assert "ok: version 1.1.0 fits compatible changes since 1.0.0." == report.splitlines()[-1]
