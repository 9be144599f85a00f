"""Serve one broken variant: `python -m mutants NAME [--port 8765] [--database FILE]`; `--list` names them."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import uvicorn

from .catalogue import CATALOGUE, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutants", description=__doc__)
    parser.add_argument("name", nargs="?", choices=["faithful", *CATALOGUE])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", type=Path, default=None)
    parser.add_argument("--list", action="store_true", help="list the variants and the promise each breaks")
    args = parser.parse_args(argv)
    if args.list or args.name is None:
        for variant in CATALOGUE.values():
            print(f"{variant.name:28} breaks: {variant.breaks}")
        return 0
    database = args.database or Path(tempfile.mkdtemp()) / "users.sqlite3"
    print(f"variant {args.name} on http://127.0.0.1:{args.port} (database {database})", flush=True)
    uvicorn.run(build(args.name, database), host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
