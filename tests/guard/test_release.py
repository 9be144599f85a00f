"""spec_guard.release: freezing the spec under its version and dating the changelog entry."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from spec_guard import gate, release
from spec_guard._document import SpecError

from .conftest import BASE, Checkout

DAY = dt.date(2026, 12, 1)


def with_status() -> dict:
    spec = copy.deepcopy(BASE)
    spec["paths"]["/users"]["post"]["responses"]["409"] = {"description": "Conflict."}
    return spec


def test_release_freezes_the_spec_and_dates_the_entry(checkout: Checkout):
    """Releasing 1.1.0 copies openapi.yaml byte for byte to releases/ and dates the top entry; the gate then rests."""
    checkout.write(with_status(), version="1.1.0", entry="## [1.1.0] - Unreleased\n\n### Added\n\n- 409.\n\n")
    done, _ = release.release(checkout.project, DAY)
    frozen = checkout.project.frozen("1.1.0")
    changelog = checkout.project.changelog.read_text(encoding="utf-8")
    assert (True, checkout.project.spec.read_bytes()) == (done, frozen.read_bytes())
    assert "## [1.1.0] - 2026-12-01\n\n### Added\n\n- 409.\n" in changelog
    verdict = gate.judge(checkout.project)
    assert ("1.1.0", [], []) == (str(verdict.baseline.version), verdict.changes, verdict.problems)


def test_a_second_release_of_the_same_version_does_nothing(checkout: Checkout):
    """Running the release twice leaves everything as the first run wrote it."""
    checkout.write(with_status(), version="1.1.0", entry="## [1.1.0] - Unreleased\n\n")
    release.release(checkout.project, DAY)
    before = checkout.project.changelog.read_text(encoding="utf-8")
    done, lines = release.release(checkout.project, dt.date(2027, 1, 1))
    assert (True, before) == (done, checkout.project.changelog.read_text(encoding="utf-8"))
    assert ["1.1.0 is already released (releases/openapi-1.1.0.yaml, 2026-12-01); nothing to do."] == lines


def test_a_failing_gate_blocks_the_release(checkout: Checkout):
    """A release whose version does not fit its changes is refused and writes nothing."""
    checkout.write(with_status(), version="1.0.1", entry="## [1.0.1] - Unreleased\n\n")
    changelog = checkout.project.changelog.read_text(encoding="utf-8")
    done, lines = release.release(checkout.project, DAY)
    assert (False, "cannot release: the breaking-change gate fails") == (done, lines[0])
    assert "compatible additions need at least the next minor version 1.1.0" in lines[1]
    assert (False, changelog) == (
        checkout.project.frozen("1.0.1").exists(),
        checkout.project.changelog.read_text(encoding="utf-8"),
    )


def test_a_released_version_is_never_overwritten(checkout: Checkout):
    """Editing the spec of a frozen version and releasing again is refused: bump the version instead."""
    checkout.write(with_status(), version="1.0.0")
    done, lines = release.release(checkout.project, DAY)
    assert (False, checkout.project.frozen("1.0.0").read_text(encoding="utf-8")) == (
        done,
        checkout.project.frozen("1.0.0").read_text(encoding="utf-8"),
    )
    assert [
        "cannot release: releases/openapi-1.0.0.yaml exists and differs from openapi.yaml; "
        "a released version is never changed: bump the version (see CHANGELOG.md) and release that"
    ] == lines


def test_disagreeing_versions_block_the_release(checkout: Checkout):
    """A release with pyproject.toml out of step is refused, naming the disagreement."""
    checkout.write(with_status(), version="1.1.0", pyproject_version="1.0.0", entry="## [1.1.0] - Unreleased\n\n")
    done, lines = release.release(checkout.project, DAY)
    assert (False, "cannot release:") == (done, lines[0])
    assert "pyproject.toml [project] version is 1.0.0" in lines[1]


def test_the_first_release_needs_no_baseline(checkout: Checkout):
    """With releases/ empty, the first release freezes the spec without a comparison."""
    checkout.project.frozen("1.0.0").unlink()
    checkout.write(BASE, version="1.0.0", entry="## [1.0.0] - Unreleased\n\n")
    done, _ = release.release(checkout.project, DAY)
    assert (True, True) == (done, checkout.project.frozen("1.0.0").is_file())


@pytest.mark.parametrize("text", ["2026-13-01", "tomorrow", ""])
def test_a_bad_date_is_refused(text):
    """--date takes only YYYY-MM-DD dates."""
    with pytest.raises(SpecError) as caught:
        release.parse_day(text)
    assert f"--date {text!r} is not a YYYY-MM-DD date" == str(caught.value)


@pytest.mark.parametrize("day", [dt.date(1999, 1, 1), dt.date(2026, 11, 26)], ids=["1999", "the day before"])
def test_a_release_dated_before_the_previous_one_is_refused(checkout: Checkout, day: dt.date):
    """Dating 1.1.0 before 1.0.0's 2026-11-27 is refused, naming both; nothing is frozen or dated."""
    checkout.write(with_status(), version="1.1.0", entry="## [1.1.0] - Unreleased\n\n")
    changelog = checkout.project.changelog.read_text(encoding="utf-8")
    done, lines = release.release(checkout.project, day)
    assert (
        False,
        [
            f"cannot release 1.1.0 dated {day.isoformat()}: the previous release, 1.0.0, is dated 2026-11-27; "
            "give a --date on or after it"
        ],
        False,
        changelog,
    ) == (done, lines, checkout.project.frozen("1.1.0").exists(), checkout.project.changelog.read_text("utf-8"))


def test_a_release_on_the_day_of_the_previous_one_is_allowed(checkout: Checkout):
    """Two releases on one day are fine: 1.1.0 dated 2026-11-27, like 1.0.0."""
    checkout.write(with_status(), version="1.1.0", entry="## [1.1.0] - Unreleased\n\n")
    assert True is release.release(checkout.project, dt.date(2026, 11, 27))[0]


@pytest.mark.parametrize("text", ["20261201", "2026-W48-2", "2026-02-30", "2026-12-1"])
def test_a_date_not_written_yyyy_mm_dd_is_refused(text: str):
    """`--date` takes YYYY-MM-DD only (Python would read 20261201 and week dates too), and a real day."""
    with pytest.raises(SpecError) as caught:
        release.parse_day(text)
    assert f"--date {text!r} is not a YYYY-MM-DD date" == str(caught.value)
