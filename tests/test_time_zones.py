"""scripts/time_zones.py: the spec's zone list comes from the tzdata package alone, and `--check` names what differs."""

from __future__ import annotations

import importlib.resources
import importlib.util
import shutil
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest
import tzdata

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "time_zones.py"
_spec = importlib.util.spec_from_file_location("time_zones", SCRIPT)
assert _spec
assert _spec.loader
time_zones = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(time_zones)

# A zone no tz database has: only a machine's own zone files could make it appear.
FOREIGN = "Mars/Olympus_Mons"


@pytest.fixture
def system_zone_files(tmp_path: Path) -> Iterator[Path]:
    """A system zone folder (as /usr/share/zoneinfo) holding one valid zone file that tzdata does not know."""
    folder = tmp_path / "zoneinfo"
    (folder / "Mars").mkdir(parents=True)
    with importlib.resources.as_file(importlib.resources.files("tzdata.zoneinfo.Etc").joinpath("UTC")) as utc:
        shutil.copyfile(utc, folder / FOREIGN)
    zoneinfo.reset_tzpath(to=[str(folder)])
    try:
        yield folder
    finally:
        zoneinfo.reset_tzpath()


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    """A spec whose TimeZone block is what the installed tzdata gives, whatever version that is."""
    path = tmp_path / "openapi.yaml"
    text = "components:\n  schemas:\n    TimeZone:\n      type: string\n"
    path.write_text(text + time_zones.render("      ") + "    Other:\n      type: string\n", encoding="utf-8")
    return path


def tzdata_zones() -> list[str]:
    """The zones file the tzdata package ships, less what is not a zone."""
    listed = importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return sorted(set(listed) - time_zones.NOT_ZONES)


def test_zone_files_of_the_machine_are_not_read(system_zone_files: Path) -> None:
    """A zone file only this machine has (zoneinfo would list it) never reaches the spec's list."""
    assert FOREIGN in zoneinfo.available_timezones()  # the machine's files really are on zoneinfo's path
    assert tzdata_zones() == time_zones.zone_names()


def test_the_list_has_every_iana_zone_and_no_file_that_is_not_one() -> None:
    """Europe/London and Etc/UTC are listed; Factory, localtime and posixrules are not."""
    names = time_zones.zone_names()
    assert (True, True, set()) == ("Europe/London" in names, "Etc/UTC" in names, {"Factory", "localtime"} & set(names))


def test_check_passes_on_a_current_list(spec_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--check` on a list written from the installed tzdata exits 0 and changes nothing."""
    before = spec_copy.read_text(encoding="utf-8")
    assert (0, before) == (time_zones.main(["--check", "--spec", str(spec_copy)]), spec_copy.read_text("utf-8"))
    assert "" == capsys.readouterr().out


def test_check_names_each_zone_that_differs(spec_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A list missing a zone and holding one tzdata lacks fails `--check`, naming both and the tzdata versions."""
    text = spec_copy.read_text(encoding="utf-8")
    stale = text.replace("        - Europe/London\n", "")
    stale = stale.replace("        - Etc/UTC\n", f"        - Etc/UTC\n        - {FOREIGN}\n")
    stale = stale.replace(f"(tzdata {tzdata.IANA_VERSION})", "(tzdata 1999z)")
    spec_copy.write_text(stale, encoding="utf-8")

    code = time_zones.main(["--check", "--spec", str(spec_copy)])

    assert 1 == code
    assert [
        f"openapi.yaml: the TimeZone enum was written from tzdata 1999z and differs from the installed tzdata "
        f"{tzdata.IANA_VERSION}: run scripts/time_zones.py (and scripts/regenerate.py), then commit them together",
        "  missing: Europe/London",
        f"  not in tzdata: {FOREIGN}",
    ] == capsys.readouterr().out.splitlines()
    assert stale == spec_copy.read_text(encoding="utf-8")


def test_rewrite_then_check_passes(spec_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without `--check` the stale block is rewritten; a second `--check` in the same process then passes."""
    text = spec_copy.read_text(encoding="utf-8")
    spec_copy.write_text(text.replace("        - Europe/London\n", ""), encoding="utf-8")

    assert 0 == time_zones.main(["--spec", str(spec_copy)])
    assert 0 == time_zones.main(["--check", "--spec", str(spec_copy)])
    assert f"TimeZone lists {len(tzdata_zones())} zones from tzdata" in capsys.readouterr().out


def test_spec_without_the_block_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A spec with no `# BEGIN time zones` marker exits 2, naming the file, and is left as it was."""
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.1.0\n", encoding="utf-8")

    assert 2 == time_zones.main(["--spec", str(spec)])
    assert "error: no '# BEGIN time zones' block in openapi.yaml\n" == capsys.readouterr().err
    assert "openapi: 3.1.0\n" == spec.read_text(encoding="utf-8")


def test_missing_spec_is_an_error_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--spec` naming no file exits 2 with one line naming the path, not a traceback."""
    missing = tmp_path / "nowhere.yaml"

    assert 2 == time_zones.main(["--check", "--spec", str(missing)])
    assert f"error: cannot read {missing}: No such file or directory\n" == capsys.readouterr().err
