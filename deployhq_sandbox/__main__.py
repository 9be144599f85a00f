"""`deployhq-sandbox` / `python -m deployhq_sandbox`: run the reference server until Ctrl-C.

`deployhq-sandbox activate ADDRESS --database FILE` marks an invitation accepted: a sandbox tool standing in
for the invited person setting a password, not an operation of the API.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

import uvicorn
from starlette.types import ASGIApp

from ._app import DEFAULT_MAX_BODY_BYTES, check_max_body_bytes, create_app
from ._config import Accounts
from ._controls import CONTROL_PREFIX, Controls
from ._db import DatabaseFile, Store, inspect_database
from ._limit import check_rate_limit
from ._serve import base_url, bind
from ._spec import load_spec


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deployhq-sandbox",
        description="The reference server of the DeployHQ Users API contract (openapi.yaml), on SQLite.",
        epilog="Credentials: DEPLOYHQ_EMAIL and DEPLOYHQ_API_KEY when set, else the documented local defaults. "
        "'deployhq-sandbox activate ADDRESS --database FILE' marks an invitation accepted (see its --help).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument(
        "--port",
        type=_whole_number(_check_port, "a port number from 0 to 65535"),
        default=8000,
        help="port, 0 for any free one (default: %(default)s)",
    )
    parser.add_argument(
        "--database", default="users.sqlite3", help="SQLite file, created if missing (default: %(default)s)"
    )
    parser.add_argument(
        "--max-body-bytes",
        type=_whole_number(check_max_body_bytes, "a whole number of bytes, at least 1"),
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="N",
        help="larger request bodies get 413 (default: %(default)s)",
    )
    parser.add_argument(
        "--rate-limit",
        type=_whole_number(check_rate_limit, "a whole number of requests per second, at least 1"),
        metavar="N",
        help="answer 429 (with Retry-After) past N requests a second per caller (default: no limit)",
    )
    parser.add_argument(
        "--controls",
        action="store_true",
        help="also serve test controls under /_sandbox/ (an outbox of sent emails, injected failures, lost answers); "
        "not part of the API, for the administrator only (default: off)",
    )
    return parser


def _check_port(port: int) -> int:
    if not 0 <= port <= 65535:
        raise ValueError(port)
    return port


def _whole_number(check: Callable[[int], int], expected: str) -> Callable[[str], int]:
    """An argparse `type`: the text as an int that *check* accepts, else a usage error saying what is *expected*."""

    def parse(text: str) -> int:
        try:
            return check(int(text))
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {expected}; got {text!r}") from None

    return parse


def _activate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deployhq-sandbox activate",
        description="Mark the invitation of ADDRESS accepted, as if its user had set a password: "
        "`activated` becomes true and resending the invitation is refused. A sandbox tool, not an API operation; "
        "it works while a server runs on the same file.",
    )
    parser.add_argument("address", metavar="ADDRESS", help="the invited user's email address (any letter case)")
    parser.add_argument(
        "--database", default="users.sqlite3", help="the server's SQLite file, which must exist (default: %(default)s)"
    )
    return parser


def activate(argv: Sequence[str]) -> int:
    """`deployhq-sandbox activate`: 0 when the user is (now) activated, 1 when there is no such file or user.

    A file that is not already a sandbox database is refused and left as it is (the store would set it up).
    """
    args = _activate_parser().parse_args(argv)
    if not os.path.exists(args.database):
        print(f"deployhq-sandbox activate: no database file {args.database}", file=sys.stderr)
        return 1
    try:
        found = inspect_database(args.database)
    except ValueError as error:
        print(f"deployhq-sandbox activate: {error}", file=sys.stderr)
        return 1
    if found is DatabaseFile.NEW:
        print(
            f"deployhq-sandbox activate: the database {args.database} is not a deployhq-sandbox database: "
            "it holds no users",
            file=sys.stderr,
        )
        return 1
    store = Store(args.database)
    try:
        user = store.activate(args.address)
    finally:
        store.close()
    if user is None:
        print(f"deployhq-sandbox activate: no user has the address {args.address} in {args.database}", file=sys.stderr)
        return 1
    print(f"deployhq-sandbox: {user.email_address} ({user.identifier}) has accepted the invitation", flush=True)
    return 0


def describe(accounts: Accounts) -> list[str]:
    """Where the administrator's credentials came from, never showing a key taken from the environment."""
    admin = accounts.administrator
    email_origin = "the documented default" if accounts.email_source == "default" else accounts.email_source
    key_origin = (
        "the documented default (see README)" if accounts.api_key_source == "default" else accounts.api_key_source
    )
    lines = [f"administrator: {admin.email} (from {email_origin})", f"API key: from {key_origin}"]
    lines += [f"also accepted: {other.email} (documented default key)" for other in accounts if other is not admin]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until interrupted, or run a subcommand."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["activate"]:
        return activate(argv[1:])
    args = _parser().parse_args(argv)
    accounts = Accounts.from_env()
    # The port first: a start refused for any reason leaves no database file behind.
    try:
        sock = bind(args.host, args.port)
    except OSError as error:
        print(f"deployhq-sandbox: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    try:
        app = create_app(
            args.database, accounts=accounts, max_body_bytes=args.max_body_bytes, rate_limit=args.rate_limit
        )
    except ValueError as error:  # an account's address or the database file; the options were checked above
        sock.close()
        print(f"deployhq-sandbox: {error}", file=sys.stderr)
        return 1
    print(f"deployhq-sandbox: serving {args.database} at {base_url(sock)}", flush=True)
    print(f"  browsable docs, with Try it out: {base_url(sock)}/docs", flush=True)
    for line in describe(accounts):
        print(f"  {line}", flush=True)
    if args.rate_limit is not None:
        print(f"  rate limit: {args.rate_limit} requests a second per caller, then 429", flush=True)
    served: ASGIApp = app
    if args.controls:
        served = Controls(app, spec=load_spec(), store=app.state.store, accounts=accounts, http_controls=True)
        print(f"  sandbox controls (not the DeployHQ API): {base_url(sock)}{CONTROL_PREFIX}", flush=True)
    print("  press Ctrl-C to stop", flush=True)
    server = uvicorn.Server(uvicorn.Config(served, log_level="warning", access_log=False, lifespan="on"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn already shut down gracefully and re-raised the signal
    finally:
        sock.close()
        app.state.store.close()
    print("deployhq-sandbox: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
