"""python -m spec_guard as nox and CI run it: a separate process, its exit code and its output."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

from .conftest import BASE, ROOT, Checkout, write_yaml


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "spec_guard", *map(str, args)]
    return subprocess.run(command, cwd=ROOT / "tools", capture_output=True, text=True, check=False, timeout=60)


def test_gate_passes_exit_0(checkout: Checkout):
    """An unchanged spec passes the gate with exit 0 and says so."""
    result = run("--root", checkout.project.root, "gate")
    assert (0, "ok: no change since 1.0.0.") == (result.returncode, result.stdout.splitlines()[-1])


def test_gate_fails_exit_1(checkout: Checkout):
    """A removed operation without a major bump fails with exit 1, naming the operation."""
    spec = copy.deepcopy(BASE)
    spec["paths"]["/users/{identifier}"].pop("delete")
    checkout.write(spec, version="1.1.0", entry="## [1.1.0] - Unreleased\n\n")
    result = run("--root", checkout.project.root, "gate")
    assert 1 == result.returncode
    assert (
        "  breaking: DELETE /users/{identifier} (deleteUser): the operation was removed" in result.stdout.splitlines()
    )


def test_versions_exit_codes(checkout: Checkout):
    """`versions` exits 0 when the numbers agree, 1 with the reason on stderr when they do not."""
    good = run("--root", checkout.project.root, "versions")
    checkout.write(BASE, version="1.0.0", pyproject_version="0.1.0")
    bad = run("--root", checkout.project.root, "versions")
    assert (0, 1) == (good.returncode, bad.returncode)
    assert bad.stderr.startswith("version check: the versions differ: openapi.yaml info.version is 1.0.0, ")


def test_release_with_a_date(checkout: Checkout):
    """`release --date` freezes and dates; a bad date is exit 2 naming it."""
    checkout.write(BASE, version="1.0.1", entry="## [1.0.1] - Unreleased\n\n")
    bad = run("--root", checkout.project.root, "release", "--date", "01/12/2026")
    good = run("--root", checkout.project.root, "release", "--date", "2026-12-01")
    assert (2, "error: --date '01/12/2026' is not a YYYY-MM-DD date\n") == (bad.returncode, bad.stderr)
    assert (0, True) == (good.returncode, checkout.project.frozen("1.0.1").is_file())


def test_an_error_is_exit_2_with_no_traceback(tmp_path: Path):
    """A checkout without the files is exit 2 with one line naming the missing file, not a traceback."""
    result = run("--root", tmp_path, "gate")
    assert (
        2,
        "error: releases/ holds no frozen spec to compare with: freeze the current release with `nox -s release`\n",
    ) == (
        result.returncode,
        result.stderr,
    )


def test_a_root_that_is_not_a_directory_is_a_usage_error(tmp_path: Path):
    """--root pointing at nothing is argparse's usage error (exit 2) naming the path."""
    result = run("--root", tmp_path / "nowhere", "versions")
    assert 2 == result.returncode
    assert f"--root {tmp_path / 'nowhere'} is not a directory" in result.stderr


def test_refresh_and_drift_exit_codes(tmp_path: Path):
    """refresh writes the facts (exit 0); drift then exits 1 on the unexplained difference, naming it."""
    write_yaml(tmp_path / "openapi.yaml", BASE)
    vendor = copy.deepcopy(BASE)
    vendor["paths"]["/users"]["post"]["operationId"] = "inviteUser"
    write_yaml(tmp_path / "vendor.yaml", vendor)
    refreshed = run(
        "--root", tmp_path, "refresh", tmp_path / "vendor.yaml", "--commit", "abc1234", "--date", "2026-07-01"
    )
    checked = run("--root", tmp_path, "drift")
    assert (0, 1) == (refreshed.returncode, checked.returncode)
    assert (
        "  UNEXPLAINED: POST /users | operationId | operationId: vendor inviteUser, ours createUser" in checked.stdout
    )


def test_refresh_needs_the_commit_and_a_real_document(tmp_path: Path):
    """refresh without --commit is a usage error; with a document that does not exist it names the path (exit 2)."""
    missing_commit = run("--root", tmp_path, "refresh", tmp_path / "openapi.json", "--date", "2026-07-01")
    missing_file = run(
        "--root", tmp_path, "refresh", tmp_path / "openapi.json", "--commit", "abc1234", "--date", "2026-07-01"
    )
    assert (2, True) == (
        missing_commit.returncode,
        "the following arguments are required: --commit" in missing_commit.stderr,
    )
    assert (2, f"error: cannot read {tmp_path / 'openapi.json'}: No such file or directory\n") == (
        missing_file.returncode,
        missing_file.stderr,
    )
    assert not (tmp_path / "drift").exists()


def test_a_second_run_in_the_same_process_gives_the_same_answer(checkout: Checkout, capsys):
    """main() keeps no state between calls: the gate twice in one process prints the same report."""
    from spec_guard.__main__ import main

    spec = copy.deepcopy(BASE)
    spec["paths"]["/users"]["post"]["responses"]["409"] = {"description": "Conflict."}
    checkout.write(spec, version="1.1.0", entry="## [1.1.0] - Unreleased\n\n")
    first = (main(["--root", str(checkout.project.root), "gate"]), capsys.readouterr().out)
    second = (main(["--root", str(checkout.project.root), "gate"]), capsys.readouterr().out)
    assert (0, first[1]) == second
    assert first[0] == 0


def test_refresh_of_an_empty_document_keeps_the_facts(tmp_path: Path):
    """`refresh EMPTY.json --commit ""` (the file holds `{}`) exits 2 naming each problem; the facts stay as written."""
    write_yaml(tmp_path / "openapi.yaml", BASE)
    write_yaml(tmp_path / "vendor.yaml", BASE)
    run("--root", tmp_path, "refresh", tmp_path / "vendor.yaml", "--commit", "abc1234", "--date", "2026-07-01")
    facts = (tmp_path / "drift" / "vendor-users-facts.yaml").read_text(encoding="utf-8")
    (tmp_path / "EMPTY.json").write_text("{}", encoding="utf-8")

    empty_commit = run("--root", tmp_path, "refresh", tmp_path / "EMPTY.json", "--commit", "", "--date", "2026-01-01")
    empty_document = run(
        "--root", tmp_path, "refresh", tmp_path / "EMPTY.json", "--commit", "abc1234", "--date", "2026-01-01"
    )

    assert (2, "error: --commit '' is not a commit hash (7 to 40 hexadecimal digits) of the vendor's repository\n") == (
        empty_commit.returncode,
        empty_commit.stderr,
    )
    assert (2, "error: EMPTY.json is not an OpenAPI document: it has no `openapi` version") == (
        empty_document.returncode,
        empty_document.stderr.split(";")[0],
    )
    assert facts == (tmp_path / "drift" / "vendor-users-facts.yaml").read_text(encoding="utf-8")


def test_release_before_the_previous_release_is_refused(checkout: Checkout):
    """`release --date 1999-01-01` after a 2026-11-27 release exits 1 naming both dates, and freezes nothing."""
    checkout.write(BASE, version="1.0.1", entry="## [1.0.1] - Unreleased\n\n")
    result = run("--root", checkout.project.root, "release", "--date", "1999-01-01")
    assert (
        1,
        "cannot release 1.0.1 dated 1999-01-01: the previous release, 1.0.0, is dated 2026-11-27; "
        "give a --date on or after it\n",
        False,
    ) == (result.returncode, result.stderr, checkout.project.frozen("1.0.1").exists())
