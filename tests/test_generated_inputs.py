"""scripts/generated_inputs.py: it counts what it claims to, measures the same twice, and refuses bad options."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "generated_inputs.py"
_spec = importlib.util.spec_from_file_location("generated_inputs", SCRIPT)
assert _spec
assert _spec.loader
generated_inputs = importlib.util.module_from_spec(_spec)
sys.modules["generated_inputs"] = generated_inputs  # dataclasses look their module up while the class is made
_spec.loader.exec_module(generated_inputs)


def cells(markdown: str, operation: str = "createUser") -> dict[tuple[str, str], list[str]]:
    """The rows of one operation's table: (field, what) -> the cells of every source, in column order."""
    section = markdown.split(f"### {operation} ", 1)[-1].split("\n### ", 1)[0]
    rows: dict[tuple[str, str], list[str]] = {}
    field = ""
    for line in section.splitlines():
        parts = [part.strip() for part in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or parts[0] == "field":
            continue
        field = parts[0] or field
        rows[(field, parts[1])] = parts[2:]
    return rows


def run(*argv: str) -> str:
    """What the script prints for *argv*, run in this process."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert 0 == generated_inputs.main(list(argv))
    return printed.getvalue()


LONGEST_ADDRESS = "x" * 64 + "@" + "d" * 63 + "." + "d" * 63 + "." + "d" * 49 + ".example.com"
AWKWARD = (
    {"first_name": "a" * 255, "email_address": LONGEST_ADDRESS, "time_zone": "Etc/UTC", "can_manage_users": True},
    {"first_name": " Ame\u0301lie ", "email_address": "Ada@Example.com", "time_zone": "Cuba"},
    {"first_name": "a" * 256, "email_address": "x" * 65 + "@example.com", "time_zone": "Mars/Olympus"},
    {"first_name": "\u3000", "email_address": 7, "can_manage_users": "yes"},
    "not a user object",
)


def test_each_awkward_value_is_counted_in_its_row() -> None:
    """Hand-made values at, over and around each boundary land in exactly the rows that describe them."""
    sample = generated_inputs.Sample("suite", len(AWKWARD), AWKWARD, 0)
    measurement = generated_inputs.Measurement("createUser", (sample,), {})
    rows = cells(generated_inputs.table(measurement))
    expected = {
        ("(body)", "with a `user` object"): ["4"],
        ("first_name", "lengths reached"): ["1..256"],
        ("first_name", "length 255 (maxLength)"): ["1"],
        ("first_name", "length 256 (maxLength + 1)"): ["1"],
        ("first_name", "white space only"): ["1"],
        ("first_name", "white space around"): ["1"],
        ("first_name", "not NFC (decomposed Unicode)"): ["1"],
        ("first_name", "invalid, by keyword broken"): ["maxLength 1, pattern 1"],
        ("last_name", "values (field present)"): ["0"],
        ("email_address", "sent as generated (suite's before_call hook)"): ["0"],
        ("email_address", "length 254 (maxLength)"): ["1"],
        ("email_address", "local part of 64"): ["1"],
        ("email_address", "local part of 65 or more"): ["1"],
        ("email_address", "mixed case"): ["1"],
        ("email_address", "invalid, by keyword broken"): ["format 1, type 1"],
        ("time_zone", "families reached (Africa/, ..., no `/`)"): [f"2 of {len(families())}"],
        ("time_zone", "names without `/`"): ["1"],
        ("time_zone", "invalid, by keyword broken"): ["enum 1"],
        ("flags (six)", "values true"): ["1"],
        ("flags (six)", "invalid, by keyword broken"): ["type 1"],
    }
    assert expected == {key: rows[key] for key in expected}
    assert 254 == len(LONGEST_ADDRESS)


def families() -> set[str]:
    from deployhq_contract.spec import TIME_ZONES

    return {generated_inputs.family(zone) for zone in TIME_ZONES}


@pytest.fixture(scope="module")
def printed() -> str:
    """One run of the script with a small sample (the coverage phase is measured whole whatever the sample)."""
    return run("--examples", "3")


@pytest.mark.slow
def test_a_second_run_in_the_same_process_prints_the_same(printed: str) -> None:
    """The measurement is seeded: running it again, in the same process, prints the same tables."""
    assert printed == run("--examples", "3")


@pytest.mark.slow
def test_another_seed_draws_another_sample(printed: str) -> None:
    """--seed reaches the fuzzing and suite samples; the coverage phase, which has no randomness, stays the same."""
    other = run("--examples", "3", "--seed", "1")
    first, second = cells(printed), cells(other)
    coverage = {key: row[:2] for key, row in first.items()}

    assert coverage == {key: row[:2] for key, row in second.items()}
    assert first != second


@pytest.mark.slow
def test_the_coverage_phase_boundaries_the_doc_records_hold(printed: str) -> None:
    """At the pinned schemathesis: the coverage phase never sends a 255-character first_name, but reaches 255 for
    last_name and 254 for the address (both replaced by the suite's hook), and sends every time zone once."""
    from deployhq_contract.spec import TIME_ZONES

    rows = cells(printed)
    negative_addresses = rows[("email_address", "values (field present)")][1]
    expected = {
        ("first_name", "length 255 (maxLength)"): ["0", "0"],
        ("first_name", "length 256 (maxLength + 1)"): ["0", "1"],
        ("last_name", "length 255 (maxLength)"): ["1", "0"],
        ("email_address", "length 254 (maxLength)"): ["1", "0"],
        ("email_address", "length 255 (maxLength + 1)"): ["0", "1"],
        ("email_address", "sent as generated (suite's before_call hook)"): ["0", negative_addresses],
        ("time_zone", "zones reached"): [f"{len(TIME_ZONES)} of {len(TIME_ZONES)}", f"0 of {len(TIME_ZONES)}"],
    }
    assert expected == {key: rows[key][:2] for key in expected}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--examples", "0"], "0 examples measure nothing"),
        (["--examples", "-3"], "-3 examples measure nothing"),
        (["--examples", "many"], "'many' is not a whole number"),
        (["--seed", "-1"], "-1 is negative"),
    ],
)
def test_a_bad_option_is_refused_naming_it(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A sample size below 1, a word for a number or a negative seed: exit 2 and a message naming the problem."""
    with pytest.raises(SystemExit) as exited:
        generated_inputs.main(argv)

    assert 2 == exited.value.code
    assert message in capsys.readouterr().err
