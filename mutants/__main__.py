"""Serve one variant: `python -m mutants NAME [--port 8765] [--database FILE]`; `--list` names them all."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import uvicorn

from .catalogue import CATALOGUE, LENIENT, MUST_PASS, SERVABLE, build
from .promises_doc import check as check_promises
from .promises_doc import render as render_promises
from .promises_doc import write as write_promises
from .table import table, write_readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutants", description=__doc__)
    parser.add_argument("name", nargs="?", choices=SERVABLE, metavar="NAME", help="a variant, or faithful")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", type=Path, default=None, help="SQLite file (default: a temporary one)")
    parser.add_argument(
        "--list", action="store_true", help="list the variants, the promise each breaks and its catcher"
    )
    parser.add_argument("--table", action="store_true", help="print the README's detection table")
    parser.add_argument("--write", action="store_true", help="with --table: write it into README.md")
    parser.add_argument("--promises", action="store_true", help="print docs/promises.md (--write it, --check it)")
    parser.add_argument("--check", action="store_true", help="with --promises: fail when docs/promises.md is stale")
    args = parser.parse_args(argv)
    if args.promises:
        if args.check:
            stale = check_promises()
            print("\n".join(stale) or "docs/promises.md is up to date", file=sys.stderr if stale else sys.stdout)
            return 1 if stale else 0
        if args.write:
            write_promises()
        else:
            print(render_promises(), end="")
        return 0
    if args.table:
        if args.write:
            write_readme()
        print(table())
        return 0
    if args.list or args.name is None:
        print(f"{'faithful':28} breaks: (none: the reference server itself)")
        for variant in (*MUST_PASS, LENIENT, *CATALOGUE.values()):
            caught = f"  (caught by {variant.caught_by})" if variant.caught_by else ""
            print(f"{variant.name:28} breaks: {variant.breaks}{caught}")
        return 0
    directory = None if args.database else tempfile.mkdtemp(prefix="mutant-")
    database = args.database or Path(directory or ".") / "users.sqlite3"
    try:
        print(f"variant {args.name} on http://127.0.0.1:{args.port} (database {database})", flush=True)
        uvicorn.run(build(args.name, database), host="127.0.0.1", port=args.port, log_level="warning")
    finally:
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
