"""`deployhq-sandbox` / `python -m deployhq_sandbox`: run the reference server until Ctrl-C.

`deployhq-sandbox activate ADDRESS --database FILE` marks an invitation accepted: a sandbox tool standing in
for the invited person setting a password, not an operation of the API.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import resource
import sys
from collections.abc import Callable, Sequence

from starlette.types import ASGIApp

from ._app import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY_BYTES, check_max_body_bytes, create_app
from ._config import API_KEY_VARIABLE, EMAIL_VARIABLE, Accounts
from ._connections import ACCEPT_BATCH, ConnectionLimits, check_positive, limited_server
from ._controls import CONTROL_PREFIX, Controls
from ._db import DatabaseFile, Store, inspect_database
from ._limit import check_rate_limit
from ._serve import base_url, bind
from ._spec import load_spec

_LIMITS = ConnectionLimits()
# Descriptors the process needs besides its connections: the database, its WAL, pooled readers, stdio; and room
# for two batches of accepted connections not yet looked at (refused ones are closed one loop turn later).
_SPARE_FILES = 64 + 2 * ACCEPT_BATCH


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
        "--header-timeout",
        type=_seconds("header_timeout"),
        default=_LIMITS.header_timeout,
        metavar="S",
        help="seconds for a request's headers, in total; then 408 and close (default: %(default)g)",
    )
    parser.add_argument(
        "--body-timeout",
        type=_seconds("body_timeout"),
        default=DEFAULT_BODY_TIMEOUT,
        metavar="S",
        help="seconds for a request's whole body; then 408 and close (default: %(default)g)",
    )
    parser.add_argument(
        "--keep-alive-timeout",
        type=_seconds("keep_alive_timeout"),
        default=_LIMITS.keep_alive_timeout,
        metavar="S",
        help="seconds an idle connection stays open between requests (default: %(default)g)",
    )
    parser.add_argument(
        "--max-connections",
        type=_whole_number(_at_least_one, "a whole number of connections, at least 1"),
        default=_LIMITS.max_connections,
        metavar="N",
        help="connections open at once; more are answered 503 and closed (default: %(default)s)",
    )
    parser.add_argument(
        "--no-role-users",
        action="store_true",
        help="accept only the administrator's key, not the documented manager and member keys",
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


def _at_least_one(number: int) -> int:
    if number < 1:
        raise ValueError(number)
    return number


def _seconds(name: str) -> Callable[[str], float]:
    """An argparse `type`: the text as a number of seconds above 0, else a usage error."""

    def parse(text: str) -> float:
        try:
            return check_positive(float(text), name)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number of seconds above 0; got {text!r}") from None

    return parse


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


def _exposure(host: str, accounts: Accounts) -> str | None:
    """Why the server must not listen on the address *host*, or None: a non-loopback address with a documented key.
    A host name (not an address) is None here: it is checked again once bound, by the address it bound to."""
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return None
    if loopback or not accounts.documented_keys:
        return None
    names = [f"the {role}'s" for role in accounts.documented_keys]
    whose = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    fixes = []
    if "administrator" in accounts.documented_keys:
        fixes.append(f"set {API_KEY_VARIABLE} to a key of your own (16 characters or more)")
    if {"manager", "member"} & set(accounts.documented_keys):
        fixes.append("pass --no-role-users")
    return (
        f"refusing to listen on {host}, which other machines can reach, while the README's documented keys are "
        f"active ({whose}): anyone who read the README could use them. To serve beyond this machine, "
        f"{' and '.join(fixes)}; or listen on 127.0.0.1"
    )


def _file_limit_problem(max_connections: int) -> str | None:
    """Why *max_connections* cannot be held open under this process's file limit, or None."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or max_connections + _SPARE_FILES <= soft:
        return None
    return (
        f"--max-connections {max_connections} needs about {max_connections + _SPARE_FILES} open files, over this "
        f"process's limit of {soft}: lower --max-connections to {max(1, soft - _SPARE_FILES)} or raise the limit "
        "(ulimit -n)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until interrupted, or run a subcommand."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["activate"]:
        return activate(argv[1:])
    args = _parser().parse_args(argv)
    accounts = Accounts.from_env(with_role_users=not args.no_role_users)
    limits = ConnectionLimits(args.header_timeout, args.keep_alive_timeout, args.max_connections)
    # Before binding: a refused address is never listened on, even for a moment.
    problem = _file_limit_problem(limits.max_connections) or _exposure(args.host, accounts)
    if problem is not None:
        print(f"deployhq-sandbox: {problem}", file=sys.stderr)
        return 1
    # The port first: a start refused for any reason leaves no database file behind.
    try:
        sock = bind(args.host, args.port)
    except OSError as error:
        print(f"deployhq-sandbox: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    problem = _exposure(str(sock.getsockname()[0]), accounts)
    if problem is not None:
        sock.close()
        print(f"deployhq-sandbox: {problem}", file=sys.stderr)
        return 1
    try:
        app = create_app(
            args.database,
            accounts=accounts,
            max_body_bytes=args.max_body_bytes,
            body_timeout=args.body_timeout,
            rate_limit=args.rate_limit,
        )
    except ValueError as error:  # an account's address or the database file; the options were checked above
        sock.close()
        print(f"deployhq-sandbox: {error}", file=sys.stderr)
        return 1
    print(f"deployhq-sandbox: serving {args.database} at {base_url(sock)}", flush=True)
    print(f"  browsable docs, with Try it out: {base_url(sock)}/docs", flush=True)
    for line in describe(accounts):
        print(f"  {line}", flush=True)
    for account, why in app.state.orphans:
        # The operator may name the row by its new address: a configured address not seen before is bound anew.
        hint = f"; set {EMAIL_VARIABLE} to sign in as another user" if account is accounts.administrator else ""
        print(f"  not accepted: {account.email}: {why}{hint}", flush=True)
    if args.rate_limit is not None:
        print(f"  rate limit: {args.rate_limit} requests a second per caller, then 429", flush=True)
    print(
        f"  limits: headers {limits.header_timeout:g} s, body {args.body_timeout:g} s, idle "
        f"{limits.keep_alive_timeout:g} s, {limits.max_connections} connections",
        flush=True,
    )
    served: ASGIApp = app
    if args.controls:
        served = Controls(app, spec=load_spec(), store=app.state.store, accounts=accounts, http_controls=True)
        print(f"  sandbox controls (not the DeployHQ API): {base_url(sock)}{CONTROL_PREFIX}", flush=True)
    print("  press Ctrl-C to stop", flush=True)
    server = limited_server(served, limits)
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
