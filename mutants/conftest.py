"""Collects the detection table of `nox -s teeth` and prints it (and writes reports/teeth.md).

Each test records its row as a user property of its report: with pytest-xdist the tests run in worker processes,
and only the reports reach the process that prints the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import pytest

REPORT = Path(__file__).resolve().parent.parent / "reports" / "teeth.md"
ROW = "teeth_row"  # the user property holding (variant, promise, caught by, seconds)
RESULTS: list[tuple[str, str, str, float]] = []  # variant, promise, caught by, seconds


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        rows = (cast("Sequence[Any]", value) for name, value in report.user_properties if name == ROW)
        RESULTS.extend((str(a), str(b), str(c), float(d)) for a, b, c, d in rows)  # a list once xdist has sent it


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not RESULTS or hasattr(config, "workerinput"):
        return
    # Workers finish in any order: the table follows the catalogue's order, as the README's does.
    from .catalogue import CATALOGUE, MUST_PASS

    order = ["faithful", *CATALOGUE, *(variant.name for variant in MUST_PASS)]
    rows = sorted(RESULTS, key=lambda row: order.index(row[0]) if row[0] in order else len(order))
    lines = ["| variant | promise it breaks | caught first by | seconds |", "|---|---|---|---|"]
    lines += [f"| {name} | {promise} | {caught} | {seconds:.1f} |" for name, promise, caught, seconds in rows]
    terminalreporter.section("detection table")
    for line in lines:
        terminalreporter.write_line(line)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
