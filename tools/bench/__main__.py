"""Run the benchmarks: `python -m bench [--quick] [--only AREA ...] [--rows ROW ...] [--breakdown]`; prints a table,
writes results."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from ._harness import Row, Settings

# The contract area's row groups (bench/contract.py's ROWS): its module imports the suite's, so not imported here.
CONTRACT_ROWS = ("ratio", "growth", "detection")

HERE = Path(__file__).resolve().parent
# One module per area, each with `rows(settings) -> list[Row]`. Add an area by adding its module here.
AREAS = ["regen", "client", "server", "contract", "sandbox", "live"]


def figure(stats: dict[str, Any] | None, digits: int = 3) -> str:
    """`median [min-max]`, compact."""
    if stats is None:
        return "—"
    fmt = f"{{:.{digits}g}}"
    return f"{fmt.format(stats['median'])} [{fmt.format(stats['min'])}-{fmt.format(stats['max'])}]"


def samples(row: dict[str, Any]) -> str:
    """How many samples the cells stand on: `candidate/baseline`, or `-` for a row not measured."""
    if row["candidate"] is None:
        return "-"
    return f"{row['candidate']['n']}/{row['baseline']['n']}" if row["baseline"] else str(row["candidate"]["n"])


def table(summaries: list[dict[str, Any]]) -> list[list[str]]:
    header = ["area", "figure", "unit", "n", "candidate", "baseline", "ratio", "goal", "verdict"]
    lines = [header]
    for row in summaries:
        goal = "—" if row["goal"] is None else f"≤ {row['goal']:g}"
        baseline = f"{figure(row['baseline'])} ({row['baseline_name']})" if row["baseline"] else row["baseline_name"]
        lines.append(
            [row["area"], row["name"], row["unit"], samples(row), figure(row["candidate"]), baseline or "—",
             figure(row["ratio"], 2), goal, row["verdict"]]
        )  # fmt: skip
    return lines


def reasons(summaries: list[dict[str, Any]]) -> list[str]:
    """One line per row that has no figure, saying why."""
    return [
        f"not measured: {row['area']} / {row['name']}: {row['not_measured']}"
        for row in summaries
        if row["not_measured"]
    ]


def text_table(lines: list[list[str]]) -> str:
    widths = [max(len(line[column]) for line in lines) for column in range(len(lines[0]))]
    out = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(out)


def markdown_table(lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(line) + " |" for line in lines]
    out.insert(1, "|" + "|".join("---" for _ in lines[0]) + "|")
    return "\n".join(out)


def unwritable(folder: Path) -> str | None:
    """Why results cannot be written into *folder* (created here when missing), or None when they can."""
    if folder.exists() and not folder.is_dir():
        return "not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return f"cannot write there ({error.strerror or error})"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of about a minute (fewer, shorter samples)")
    parser.add_argument("--only", nargs="+", choices=AREAS, metavar="AREA", help=f"run only these areas: {AREAS}")
    parser.add_argument(
        "--rows",
        nargs="+",
        choices=CONTRACT_ROWS,
        metavar="ROW",
        help=f"of the contract area, measure only these rows: {list(CONTRACT_ROWS)} "
        "(`--only contract --rows ratio`: the suite against st run alone, about 3 minutes on quiet cores)",
    )
    parser.add_argument("--output", type=Path, default=HERE, help="where results.json and results.md go")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="instead: where one contract run at 25 examples (quick: 10) spends its time (bench/breakdown.py)",
    )
    args = parser.parse_args(argv)
    if args.breakdown:
        from . import breakdown

        return breakdown.main(["--output", str(args.output), "--examples", "10" if args.quick else "25"])
    if args.rows and "contract" not in (args.only or AREAS):
        parser.error("--rows chooses rows of the contract area: add `--only contract` or leave out --only")
    # Checked before measuring: a run of many minutes must not end on a folder it cannot write.
    problem = unwritable(args.output)
    if problem is not None:
        parser.error(f"--output {args.output}: {problem}")
    settings = Settings(quick=args.quick, rows=tuple(args.rows or ()))
    started = time.perf_counter()
    rows: list[Row] = []
    crashed: list[str] = []
    for area in args.only or AREAS:
        print(f"bench: {area} ...", file=sys.stderr, flush=True)
        area_start = time.perf_counter()
        try:
            rows.extend(importlib.import_module(f"bench.{area}").rows(settings))
        except Exception as error:  # a bug in one area must not cost the others their figures
            traceback.print_exc()
            reason = f"the area crashed ({type(error).__name__}: {error}); traceback on stderr"
            rows.append(Row(area, "(every figure of the area)", "", not_measured=reason))
            crashed.append(area)
        print(f"bench: {area} done in {time.perf_counter() - area_start:.0f} s", file=sys.stderr, flush=True)
    summaries = [row.summary() for row in rows]
    lines = table(summaries)
    footnotes = reasons(summaries)
    print(text_table(lines))
    for line in footnotes:
        print(line)
    meta = {
        "quick": args.quick,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (args.output / "results.json").write_text(json.dumps({"meta": meta, "rows": summaries}, indent=2) + "\n")
    run = "quick run" if args.quick else "full run"
    intro = (
        f"Python {meta['python']}, {meta['cpus']} CPUs, {run}, {meta['date']}. Each cell: median [min-max] over "
        "interleaved repetitions, each row after an unrecorded warm-up; n: candidate/baseline samples; "
        "ratio: candidate cost over baseline cost, per interleaved pair.\n\n"
    )
    notes = "".join(f"\n- {line}" for line in footnotes)
    (args.output / "results.md").write_text(intro + markdown_table(lines) + "\n" + (notes + "\n" if notes else ""))
    print(f"\nwrote {args.output.name}/results.json and results.md in {meta['seconds']} s", file=sys.stderr)
    if crashed:
        print(f"bench: {', '.join(crashed)} crashed: a bug in the bench, see the traceback above", file=sys.stderr)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
