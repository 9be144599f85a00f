"""Collects the detection table of `nox -s teeth` and prints it (and writes reports/teeth.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPORT = Path(__file__).resolve().parent.parent / "reports" / "teeth.md"
RESULTS: list[tuple[str, str, str, float]] = []  # variant, promise, caught by, seconds


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    lines = ["| variant | promise it breaks | caught first by | seconds |", "|---|---|---|---|"]
    lines += [f"| {name} | {promise} | {caught} | {seconds:.1f} |" for name, promise, caught, seconds in RESULTS]
    terminalreporter.section("detection table")
    for line in lines:
        terminalreporter.write_line(line)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
