"""The user store: one SQLite file in WAL mode, every write committed with a full sync before it is answered.

Writes go through one writer thread that commits whatever arrived together in one transaction (group
commit): SQLite has a single writer anyway, and one fsync for a burst of invitations is what keeps durable
writes fast. Each write runs in its own savepoint, so one failing write never takes its batch-mates down,
and no caller hears about its write before the COMMIT that holds it returned.
Reads run in Starlette's threadpool on pooled connections; in WAL mode they never wait for the writer.

If the writer thread stops (an exception escaping a batch, a failed connection), the writes it held and those
queued for it fail with `StoreUnavailableError` (the app answers 500) and the next write starts a new writer.
Seam for broken variants: subclass `Store` (e.g. override `create` or `_insert`) and pass the class to
`create_app(..., store_class=...)`.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import enum
import importlib.metadata
import importlib.resources
import logging
import os
import queue
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Generic, TypeVar

from starlette.concurrency import run_in_threadpool

from ._config import Account
from ._models import BOOLEANS, COLUMNS, FLAGS, WRITABLE, Changes, Invitation, User

__all__ = [
    "SCHEMA_VERSION",
    "AsCaller",
    "DatabaseFile",
    "DeleteOutcome",
    "Refusal",
    "Store",
    "StoreUnavailableError",
    "inspect_database",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
_Job = tuple[Callable[[sqlite3.Connection], Any], "concurrent.futures.Future[Any]"]

# SQL built from the column names of `User` (constants of this package, never from a request).
_COLUMNS = ", ".join(COLUMNS)
_SELECT = f"SELECT {_COLUMNS} FROM users"  # noqa: S608
_INSERTED = ("identifier", "activated", "email_key", *WRITABLE)
_INSERT = (
    f"INSERT INTO users ({', '.join(_INSERTED)}) VALUES ({', '.join('?' * len(_INSERTED))}) "  # noqa: S608
    f"RETURNING {_COLUMNS}"
)
# The row a key signs in as: the one it is bound to, activated, still with the key's configured address.
_SIGNED_IN = _SELECT + " WHERE id = (SELECT user_id FROM api_keys WHERE account = ?) AND email_key = ? AND activated"  # noqa: S608
# Every column an update may set: the writable fields and the address key that comes with an address.
_UPDATABLE = frozenset({*WRITABLE, "email_key"})
# Enough to amortise one fsync over a burst, small enough to answer the first caller of the batch soon.
_MAX_BATCH = 256
# The first 16 bytes of every SQLite 3 database file (sqlite.org/fileformat.html, 1.3.1).
_SQLITE_HEADER = b"SQLite format 3\x00"
_SANDBOX_COLUMNS = frozenset({*COLUMNS, "email_key"})
# PRAGMA user_version of the files this store writes. 0: unversioned, before keys were bound to rows (migrated).
SCHEMA_VERSION = 1
# PRAGMA application_id ("DHQU"): marks a file as a deployhq-sandbox database for tools like `file`.
_APPLICATION_ID = 0x44485155
_PACKAGE = "deployhq-users"


def _package_version() -> str:
    try:
        return importlib.metadata.version(_PACKAGE)
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class DatabaseFile(enum.Enum):
    """What `inspect_database` found at a path the store can use."""

    NEW = "new"  # nothing there yet, an empty file, or a SQLite database without tables: the store sets it up
    SANDBOX = "sandbox"  # a database the store set up before


def inspect_database(path: str | os.PathLike[str]) -> DatabaseFile:
    """Whether *path* is new or already a sandbox database; ValueError naming the path when the store cannot use it
    (a folder, a missing folder, a file that is not SQLite, another program's SQLite database).

    Reads only: a refused path is left exactly as it was, and nothing is created.
    """
    location = Path(path)
    where = f"the database {os.fspath(path)}"
    if location.is_dir():
        raise ValueError(f"{where} is a folder, not a file")
    if not location.exists():
        parent = location.parent
        problem = "is not a folder" if parent.exists() else "does not exist"
        if not parent.is_dir():
            raise ValueError(f"{where} cannot be created: its folder {parent} {problem}")
        return DatabaseFile.NEW
    try:
        with location.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as error:
        raise ValueError(f"{where} cannot be read: {error.strerror}") from None
    if not header:
        return DatabaseFile.NEW
    if header != _SQLITE_HEADER:
        raise ValueError(f"{where} is not a SQLite database")
    try:
        # mode=rw: never creates the file; reading the schema writes nothing to it.
        uri = f"{location.resolve().as_uri()}?mode=rw"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            columns = {row[1] for row in connection.execute("PRAGMA table_info(users)")}
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            (application,) = connection.execute("PRAGMA application_id").fetchone()
            written_by = None
            if "sandbox" in tables:
                found = connection.execute("SELECT value FROM sandbox WHERE name = 'written_by'").fetchone()
                written_by = None if found is None else found[0]
    except sqlite3.Error as error:
        raise ValueError(f"{where} is not a SQLite database (SQLite says: {error})") from None
    if application not in (0, _APPLICATION_ID):
        raise ValueError(
            f"{where} is a SQLite database of something else (its application id is {application:#x}); "
            "give the sandbox a file of its own"
        )
    if version > SCHEMA_VERSION and application == _APPLICATION_ID:
        writer = "a newer deployhq-sandbox" if written_by is None else f"deployhq-sandbox {written_by}"
        raise ValueError(
            f"{where} was written by {writer} (schema version {version}); this deployhq-sandbox "
            f"({_package_version()}) reads schema versions up to {SCHEMA_VERSION}: run the newer deployhq-sandbox "
            "on it, or give this one another file"
        )
    if not tables:
        return DatabaseFile.NEW
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"{where} is a SQLite database of something else (its schema version is {version}, "
            "with no deployhq-sandbox mark); give the sandbox a file of its own"
        )
    if not _SANDBOX_COLUMNS <= columns:
        raise ValueError(
            f"{where} is a SQLite database of something else (it has no deployhq-sandbox users table); "
            "give the sandbox a file of its own"
        )
    return DatabaseFile.SANDBOX


class StoreUnavailableError(RuntimeError):
    """A write was not done: the writer stopped before its COMMIT. Nothing about it was promised to anyone."""


class DeleteOutcome(enum.Enum):
    """What `Store.delete` did."""

    DELETED = "deleted"
    NOT_FOUND = "not found"
    ADMINISTRATOR = "administrator"


@dataclasses.dataclass(frozen=True)
class AsCaller(Generic[T]):
    """Who makes a write, authorised in the write's own transaction, against the rows that transaction commits on.

    `account` is the configured address of the caller's key (`Account.email`). `permit(caller, target)` gets the
    row that key signs in as (None when it signs in as nobody: removed, not activated, or its address changed) and
    the row written to (None for an invitation or an unknown identifier); it returns what to write, or raises to
    refuse, and then nothing is written.
    """

    account: str
    permit: Callable[[User | None, User | None], T]


class Refusal(enum.Enum):
    """Why `Store.update` changed nothing."""

    NOT_FOUND = "not found"
    LAST_ADMINISTRATOR = "last administrator"
    TAKEN = "address taken"


def _statements(script: str) -> list[str]:
    """The SQL statements of *script*, comments dropped (the schema has no `;` inside a statement)."""
    text = "\n".join(line.partition("--")[0] for line in script.splitlines())
    return [statement.strip() for statement in text.split(";") if statement.strip()]


def _user(row: tuple[Any, ...]) -> User:
    values: dict[str, Any] = {
        name: bool(value) if name in BOOLEANS else value for name, value in zip(COLUMNS, row, strict=True)
    }
    return User(**values)


# What makes a read on the event loop go to a thread instead (see Store._read). SQLITE_PROTOCOL: SQLite gave up
# taking a WAL read lock another process kept (after retrying for a while, which the loop does spend).
_RETRY_IN_A_THREAD = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_PROTOCOL})


class Store:
    """Users in a SQLite file. Async methods are for the app; `close()` stops the writer and closes connections.

    The file is created if missing; a path it cannot use is a ValueError naming it (`inspect_database`).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        inspect_database(path)
        self.path = os.fspath(path)
        self._readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # Connections that never wait for a lock, for the reads run on the event loop itself (see `_read`).
        self._quick_readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        try:
            with self._connection() as connection:
                mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode != "wal":
                    raise RuntimeError(
                        f"{self.path}: SQLite could not switch to WAL mode (got {mode!r}); use a local file"
                    )
                self._set_up(connection)
        except sqlite3.OperationalError as error:  # e.g. a file or folder the process may read but not write
            raise ValueError(f"the database {self.path} cannot be opened for writing (SQLite says: {error})") from None

    @staticmethod
    def _set_up(connection: sqlite3.Connection) -> None:
        """Create the tables of a new file, or migrate an older file to `SCHEMA_VERSION`, in one transaction."""
        connection.execute("BEGIN IMMEDIATE")
        try:
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            # Every statement is CREATE ... IF NOT EXISTS. Version 0 -> 1 adds `api_keys` and `sandbox`; each key is
            # then bound to the row of its account's address by `add_accounts`, as version 0 looked keys up by address.
            for statement in _statements(importlib.resources.files(__package__).joinpath("schema.sql").read_text()):
                connection.execute(statement)
            if version < SCHEMA_VERSION:
                connection.execute(
                    "INSERT OR REPLACE INTO sandbox (name, value) VALUES ('written_by', ?)", (_package_version(),)
                )
                connection.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _connect(self, timeout: float = 30) -> sqlite3.Connection:
        # isolation_level=None: transactions are explicit. check_same_thread=False: a pooled connection
        # moves between threadpool threads, but only ever one thread holds it at a time.
        connection = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        # FULL: in WAL mode NORMAL may lose the last commits on power loss; every 201 must survive that.
        connection.execute("PRAGMA synchronous = FULL")
        return connection

    def _connection(self) -> contextlib.closing[sqlite3.Connection]:
        return contextlib.closing(self._connect())

    # -- writes ---------------------------------------------------------------------------------------------

    async def create(self, invitation: Invitation, *, caller: AsCaller[Invitation] | None = None) -> User | None:
        """Store a new user; None when the address is already taken (compared on `email_key`).
        With *caller*, what it permits is stored (see `AsCaller`)."""

        def job(connection: sqlite3.Connection) -> User | None:
            sent = invitation if caller is None else caller.permit(self._signed_in(connection, caller.account), None)
            return self._insert(connection, sent, activated=False)

        return await self._write(job)

    async def delete(self, identifier: str, *, caller: AsCaller[object] | None = None) -> DeleteOutcome:
        """Remove a user, unless unknown or an account administrator; with *caller*, if it permits."""

        def job(connection: sqlite3.Connection) -> DeleteOutcome:
            if caller is not None:
                caller.permit(self._signed_in(connection, caller.account), self._row(connection, identifier))
            return self._delete(connection, identifier)

        return await self._write(job)

    async def update(
        self, identifier: str, changes: Changes, *, caller: AsCaller[Changes] | None = None
    ) -> User | Refusal:
        """Apply *changes* (validated field -> value) to a user in one transaction, or say why nothing changed.
        With *caller*, the changes it permits are applied (see `AsCaller`)."""
        unknown = set(changes) - _UPDATABLE
        if unknown:  # column names go into the SQL: only the package's own constants may
            raise ValueError(f"not columns a request may set: {sorted(unknown)}")

        def job(connection: sqlite3.Connection) -> User | Refusal:
            permitted = changes
            if caller is not None:
                signed_in = self._signed_in(connection, caller.account)
                permitted = caller.permit(signed_in, self._row(connection, identifier))
                if set(permitted) - set(changes):
                    raise ValueError(f"a permit may only drop changes: {sorted(set(permitted) - set(changes))}")
            return self._update(connection, identifier, permitted)

        return await self._write(job)

    @staticmethod
    def _row(connection: sqlite3.Connection, identifier: str) -> User | None:
        row = connection.execute(_SELECT + " WHERE identifier = ?", (identifier,)).fetchone()
        return None if row is None else _user(row)

    @staticmethod
    def _signed_in(connection: sqlite3.Connection, account: str) -> User | None:
        """The row the key of *account* belongs to, if that row is activated and still has the account's address."""
        address = account.lower()
        row = connection.execute(_SIGNED_IN, (address, address)).fetchone()
        return None if row is None else _user(row)

    def _update(self, connection: sqlite3.Connection, identifier: str, changes: Changes) -> User | Refusal:
        row = connection.execute(_SELECT + " WHERE identifier = ?", (identifier,)).fetchone()
        if row is None:
            return Refusal.NOT_FOUND
        user = _user(row)
        if changes.get("account_administrator") is False and self._is_last_administrator(connection, user):
            return Refusal.LAST_ADMINISTRATOR
        if not changes:
            return user
        names = sorted(changes)
        assignments = ", ".join(f"{name} = ?" for name in names)
        statement = f"UPDATE users SET {assignments} WHERE identifier = ? RETURNING {_COLUMNS}"  # noqa: S608
        try:
            updated = connection.execute(statement, (*(changes[name] for name in names), identifier)).fetchone()
        except sqlite3.IntegrityError:
            return Refusal.TAKEN  # the unique index on email_key: another user has the address
        return _user(updated)

    def activate(self, address: str) -> User | None:
        """Mark the invitation of *address* accepted, as its user would by setting a password (a sandbox tool,
        not an API operation); None when no user has the address. Committed when it returns."""
        if self._closed:
            raise RuntimeError("the store is closed")
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute(
                f"UPDATE users SET activated = 1 WHERE email_key = ? RETURNING {_COLUMNS}",  # noqa: S608
                (address.lower(),),
            ).fetchone()
            connection.execute("COMMIT")
        return None if row is None else _user(row)

    def _insert(self, connection: sqlite3.Connection, invitation: Invitation, *, activated: bool) -> User | None:
        try:
            values = (str(uuid.uuid4()), activated, invitation.email_key, *(getattr(invitation, n) for n in WRITABLE))
            row = connection.execute(_INSERT, values).fetchone()
        except sqlite3.IntegrityError:
            return None  # the unique index on email_key: the address is taken
        return _user(row)

    def _delete(self, connection: sqlite3.Connection, identifier: str) -> DeleteOutcome:
        row = connection.execute(_SELECT + " WHERE identifier = ?", (identifier,)).fetchone()
        if row is None:
            return DeleteOutcome.NOT_FOUND
        # DeployHQ's remove-user page: "the account administrator" cannot be removed. openapi.yaml reads that
        # as every user with the flag, activated or not; an update takes the flag away first.
        if _user(row).account_administrator:
            return DeleteOutcome.ADMINISTRATOR
        connection.execute("DELETE FROM users WHERE identifier = ?", (identifier,))
        return DeleteOutcome.DELETED

    @staticmethod
    def _is_last_administrator(connection: sqlite3.Connection, user: User) -> bool:
        """Whether *user* is the account's last activated administrator, whom openapi.yaml keeps: without one,
        nobody could sign in and change an administrator's flags. A pending invitation cannot sign in, so an
        administrator invited but not activated neither counts nor is kept."""
        if not (user.account_administrator and user.activated):
            return False
        (others,) = connection.execute(
            "SELECT count(*) FROM users WHERE account_administrator AND activated AND identifier != ?",
            (user.identifier,),
        ).fetchone()
        return bool(others == 0)

    def add_accounts(self, accounts: Iterable[Account]) -> list[tuple[Account, str]]:
        """Make sure each account's key belongs to a user row (activated when created), keeping existing rows as
        they are; the accounts that sign in as nobody, each with why, for the operator to read.

        A key already bound to a row keeps it, whatever address the row has now. A key bound to nothing yet (a new
        file, a file of schema version 0, a configured address not seen before) takes the row of its address, or a
        new one. A key whose user was removed gets a new row, unless another user has taken the address since:
        that user is not the key's to take.
        """
        orphans: list[tuple[Account, str]] = []
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            for account in accounts:
                address = account.email.lower()
                bound = connection.execute("SELECT user_id FROM api_keys WHERE account = ?", (address,)).fetchone()
                row = None if bound is None else connection.execute(_SELECT + " WHERE id = ?", bound).fetchone()
                if row is not None:
                    now = _user(row).email_address
                    if now.lower() != address:
                        orphans.append((account, f"its user's address is now {now}"))
                    continue
                holder = connection.execute("SELECT id FROM users WHERE email_key = ?", (address,)).fetchone()
                if holder is not None and bound is not None:
                    orphans.append((account, "its user was removed, and another user has its address now"))
                    continue
                if holder is None:
                    # An administrator holds every flag, a new one included; a manager only can_manage_users.
                    flags: dict[str, Any] = dict.fromkeys(FLAGS, account.account_administrator)
                    flags["can_manage_users"] = account.can_manage_users
                    invitation = Invitation(
                        first_name=account.first_name,
                        last_name=account.last_name,
                        email_address=account.email,
                        email_key=account.email.lower(),
                        time_zone="Etc/UTC",
                        **flags,
                    )
                    self._insert(connection, invitation, activated=True)
                    holder = connection.execute("SELECT id FROM users WHERE email_key = ?", (address,)).fetchone()
                binding = (address, holder[0])
                connection.execute("INSERT OR REPLACE INTO api_keys (account, user_id) VALUES (?, ?)", binding)
            connection.execute("COMMIT")
        return orphans

    async def _write(self, job: Callable[[sqlite3.Connection], T]) -> T:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        # Under the lock: a writer that dies drains the queue under it too, so a job is either drained
        # (and failed) by the dying writer or queued for the next one, never left with no writer at all.
        with self._lock:
            if self._closed:
                raise RuntimeError("the store is closed")
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="deployhq-sandbox-writer", daemon=True)
                self._writer.start()
            self._jobs.put((job, future))
        return await asyncio.wrap_future(future)

    def _write_loop(self) -> None:
        batch: list[_Job] = []
        try:
            connection = self._connect()
            try:
                while True:
                    batch = []
                    job = self._jobs.get()
                    if job is None:
                        return
                    batch.append(job)
                    stop = False
                    while len(batch) < _MAX_BATCH:
                        try:
                            more = self._jobs.get_nowait()
                        except queue.Empty:
                            break
                        if more is None:
                            stop = True
                            break
                        batch.append(more)
                    self._run_batch(connection, batch)
                    batch = []
                    if stop:
                        return
            finally:
                connection.close()
        except BaseException as error:  # whatever escapes, no caller may be left waiting for an answer
            self._writer_died(error, batch)

    def _writer_died(self, error: BaseException, batch: list[_Job]) -> None:
        """Fail the writes this writer held or that were queued for it; the next write starts a new writer."""
        logger.error("the store's writer stopped on %s: %s", type(error).__name__, error)
        failure = StoreUnavailableError(f"the store's writer stopped on {type(error).__name__}")
        with self._lock:
            if self._writer is threading.current_thread():
                self._writer = None
            pending = list(batch)
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    pending.append(job)
        for _job, future in pending:
            # A write whose COMMIT returned was already answered; the others never were, so they fail now.
            if not future.done():
                future.set_exception(failure)

    def _run_batch(self, connection: sqlite3.Connection, batch: list[_Job]) -> None:
        # A caller that went away before its turn is skipped: nothing was promised to it.
        batch = [(job, future) for job, future in batch if future.set_running_or_notify_cancel()]
        if not batch:
            return
        outcomes: list[tuple[bool, Any]] = []
        try:
            connection.execute("BEGIN IMMEDIATE")
            for job, _future in batch:
                connection.execute("SAVEPOINT job")
                try:
                    outcomes.append((True, job(connection)))
                except Exception as error:  # handed to the caller of this job
                    connection.execute("ROLLBACK TO job")
                    outcomes.append((False, error))
                connection.execute("RELEASE job")
            connection.execute("COMMIT")
        except Exception as error:  # nothing of the batch is committed: every caller hears it
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            for _job, future in batch:
                future.set_exception(error)
            return
        for (_job, future), (ok, value) in zip(batch, outcomes, strict=True):
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    # -- reads ----------------------------------------------------------------------------------------------

    async def get(self, identifier: str) -> User | None:
        """The user with this identifier, if any."""
        row = await self._read(
            lambda connection: connection.execute(_SELECT + " WHERE identifier = ?", (identifier,)).fetchone()
        )
        return None if row is None else _user(row)

    async def signed_in(self, account: str) -> User | None:
        """The row the key of *account* (its configured address) signs in as now, if any (see `_signed_in`)."""
        return await self._read(lambda connection: self._signed_in(connection, account))

    async def find(self, address: str) -> User | None:
        """The user with this address (compared as the accounts' addresses are stored: lower-cased), if any."""
        row = await self._read(
            lambda connection: connection.execute(_SELECT + " WHERE email_key = ?", (address.lower(),)).fetchone()
        )
        return None if row is None else _user(row)

    async def list(self) -> list[User]:
        """Every user, oldest first (in the threadpool: with 100,000 users that takes a second, which the event loop
        must not spend)."""

        def rows(connection: sqlite3.Connection) -> list[User]:
            return [_user(row) for row in connection.execute(_SELECT + " ORDER BY id").fetchall()]

        return await run_in_threadpool(self._read_sync, rows, self._readers)

    async def _read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        # A read of one row in WAL mode takes a few microseconds and waits for no writer: it runs on the event loop,
        # which halves the server's time for a GET (a thread hop costs more than the query). When SQLite cannot read
        # at once (another process holds a lock, recovers the file after a crash, or holds the WAL's read locks),
        # the read is tried again in the threadpool, where it may wait, and the loop keeps answering everyone else.
        try:
            return self._read_sync(query, self._quick_readers, timeout=0)
        except sqlite3.OperationalError as error:
            # The extended code's low byte is the primary one: SQLITE_BUSY_RECOVERY (261) is SQLITE_BUSY.
            if ((getattr(error, "sqlite_errorcode", None) or 0) & 0xFF) not in _RETRY_IN_A_THREAD:
                raise
        return await run_in_threadpool(self._read_sync, query, self._readers)

    def _read_sync(
        self,
        query: Callable[[sqlite3.Connection], T],
        pool: queue.SimpleQueue[sqlite3.Connection],
        timeout: float = 30,
    ) -> T:
        if self._closed:
            raise RuntimeError("the store is closed")
        try:
            connection = pool.get_nowait()
        except queue.Empty:
            connection = self._connect(timeout)
        try:
            return query(connection)
        finally:
            # A read that finishes while close() runs closes its connection instead of pooling it again.
            with self._lock:
                pooled = not self._closed
                if pooled:
                    pool.put(connection)
            if not pooled:
                connection.close()

    # -- lifecycle ------------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether `close()` was called: every later read or write raises."""
        return self._closed

    def close(self) -> None:
        """Finish the queued writes, stop the writer and close every connection. Safe to call twice."""
        with self._lock:
            self._closed = True
            writer, self._writer = self._writer, None
        if writer is not None:
            self._jobs.put(None)
            writer.join()
        for pool in (self._readers, self._quick_readers):
            while True:
                try:
                    pool.get_nowait().close()
                except queue.Empty:
                    break
