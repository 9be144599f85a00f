"""bench/__main__.py: the table says how many samples each row stands on and why a row has none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import main, reasons, table
from bench._harness import Row


def test_quick_client_area_writes_every_sample_and_their_count(tmp_path: Path) -> None:
    """A quick run of one area writes results.json with 5 samples per side and an `n` of 5/5 in results.md."""
    assert 0 == main(["--quick", "--only", "client", "--output", str(tmp_path)])

    rows = json.loads((tmp_path / "results.json").read_text())["rows"]
    assert [(5, 5)] * 2 == [(len(row["candidate"]["samples"]), row["baseline"]["n"]) for row in rows]
    assert 2 == (tmp_path / "results.md").read_text().count(" | 5/5 | ")


def test_not_measured_row_has_no_figure_and_a_reason() -> None:
    """A row that could not be measured shows `-` samples, `not measured`, and its reason under the table."""
    summaries = [Row("contract", "suite", "s", not_measured="the suite exited 1, not 0").summary()]

    lines = table(summaries)

    assert ["contract", "suite", "s", "-", "—", "—", "—", "—", "not measured"] == lines[1]
    assert ["not measured: contract / suite: the suite exited 1, not 0"] == reasons(summaries)


def test_unknown_area_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """`--only` with an area that does not exist names the choices and measures nothing."""
    with pytest.raises(SystemExit) as exit_:
        main(["--only", "nothing"])

    assert 2 == exit_.value.code
    assert "invalid choice: 'nothing'" in capsys.readouterr().err


@pytest.mark.parametrize("output", ["/dev/null/results", "/dev/null"], ids=["under a file", "a file"])
def test_output_that_cannot_be_a_folder_is_refused_before_measuring(
    output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--output` under a file, or a file itself, is a usage error naming it before any area runs (none is lost)."""
    with pytest.raises(SystemExit) as exit_:
        main(["--quick", "--only", "client", "--output", output])

    err = capsys.readouterr().err
    assert (2, False) == (exit_.value.code, "bench: client" in err)
    assert f"error: --output {output}: " in err


def test_rows_of_the_contract_area_are_the_ones_it_measures() -> None:
    """`--rows` offers exactly the contract area's row groups, and a run naming some wants only those."""
    from bench import contract
    from bench.__main__ import CONTRACT_ROWS
    from bench._harness import Settings

    assert contract.ROWS == CONTRACT_ROWS
    only_ratio = Settings(rows=("ratio",))
    assert [True, False, False] == [only_ratio.wants(row) for row in CONTRACT_ROWS]
    assert all(Settings().wants(row) for row in CONTRACT_ROWS)


def test_rows_without_the_contract_area_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """`--rows ratio` with `--only client` names the problem and measures nothing."""
    with pytest.raises(SystemExit) as exit_:
        main(["--quick", "--only", "client", "--rows", "ratio"])

    err = capsys.readouterr().err
    assert (2, False) == (exit_.value.code, "bench: client" in err)
    assert "--rows chooses rows of the contract area" in err
