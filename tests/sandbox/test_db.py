"""The store: WAL with full sync, a unique lower-cased address, and group commits that keep writes apart."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployhq_sandbox import Accounts, DeleteOutcome, Invitation, Store
from deployhq_sandbox._db import SCHEMA_VERSION, Refusal, StoreUnavailableError
from deployhq_sandbox._models import FLAGS, Changes

from .conftest import BreakingStore, files, make_database


def invitation(address: str, **flags: bool) -> Invitation:
    return Invitation(
        first_name="F", last_name=None, email_address=address, email_key=address.lower(), time_zone="Etc/UTC", **flags
    )


@pytest.fixture
def store(database: Path) -> Iterator[Store]:
    store = Store(database)
    yield store
    store.close()


def test_file_is_in_wal_mode_with_a_unique_address_index(store: Store, database: Path) -> None:
    """The database is a WAL file and email_key carries a unique index."""
    with sqlite3.connect(database) as connection:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        indexes = {row[1]: row[2] for row in connection.execute("PRAGMA index_list(users)")}
    assert (mode, indexes.get("users_email_key")) == ("wal", 1)


def test_writer_connection_syncs_fully(store: Store) -> None:
    """Connections the store opens use synchronous=FULL (2)."""
    connection = store._connect()
    try:
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        connection.close()


async def _burst(store: Store, addresses: list[str]) -> list[object]:
    return list(await asyncio.gather(*(store.create(invitation(address)) for address in addresses)))


def test_a_batch_keeps_each_write_apart(store: Store) -> None:
    """In one group commit, a duplicate gets None while its batch-mates are stored, and ids increase."""
    results = asyncio.run(_burst(store, ["a@example.com", "A@example.com", "b@example.com", "c@example.com"]))
    ids = [user.id for user in results if user is not None]  # type: ignore[attr-defined]
    assert ([user is None for user in results], ids == sorted(ids)) == ([False, True, False, False], True)


def test_a_failing_write_does_not_take_its_batch_down(store: Store) -> None:
    """A write that raises is rolled back to its savepoint; the others in the batch commit."""

    async def scenario() -> tuple[object, list[str]]:
        bad = store._write(lambda connection: connection.execute("INSERT INTO nowhere VALUES (1)"))
        good = store.create(invitation("ok@example.com"))
        outcomes = await asyncio.gather(bad, good, return_exceptions=True)
        return outcomes[0], [user.email_address for user in await store.list()]

    error, addresses = asyncio.run(scenario())
    assert (isinstance(error, sqlite3.OperationalError), addresses) == (True, ["ok@example.com"])


def test_delete_outcomes(store: Store) -> None:
    """Deleting reports deleted, not found, and the last activated administrator."""

    async def scenario() -> list[DeleteOutcome]:
        member = await store.create(invitation("m@example.com"))
        admin = await store.create(invitation("a@example.com", account_administrator=True))
        assert member is not None
        assert admin is not None
        store.activate(admin.email_address)
        return [
            await store.delete(member.identifier),
            await store.delete(member.identifier),
            await store.delete(admin.identifier),
        ]

    assert asyncio.run(scenario()) == [DeleteOutcome.DELETED, DeleteOutcome.NOT_FOUND, DeleteOutcome.ADMINISTRATOR]


def test_only_activated_administrators_count(store: Store) -> None:
    """A pending administrator invitation neither keeps the only activated administrator removable nor is kept."""

    async def scenario() -> list[object]:
        admin = await store.create(invitation("a@example.com", account_administrator=True))
        pending = await store.create(invitation("p@example.com", account_administrator=True))
        assert admin is not None
        assert pending is not None
        store.activate(admin.email_address)
        return [
            await store.update(admin.identifier, Changes(account_administrator=False)),
            await store.delete(admin.identifier),
            getattr(await store.update(pending.identifier, Changes(account_administrator=False)), "activated", None),
            await store.delete(pending.identifier),
        ]

    assert [Refusal.LAST_ADMINISTRATOR, DeleteOutcome.ADMINISTRATOR, False, DeleteOutcome.DELETED] == asyncio.run(
        scenario()
    )


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing folder", "cannot be created: its folder .* does not exist"),
        ("folder", "is a folder, not a file"),
        ("not SQLite", "is not a SQLite database"),
        ("another SQLite database", "is a SQLite database of something else"),
    ],
)
def test_a_file_the_store_cannot_use_is_refused_untouched(tmp_path: Path, kind: str, message: str) -> None:
    """A path the store cannot use is a ValueError naming it, and nothing is created or changed."""
    path = make_database(tmp_path, kind)
    before = files(tmp_path)
    with pytest.raises(ValueError, match=f"^the database {re.escape(str(path))} {message}"):
        Store(path)
    assert before == files(tmp_path)


def test_a_broken_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    """A file with SQLite's header and garbage after it is refused as not a SQLite database, and left as it was."""
    path = tmp_path / "users.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    with pytest.raises(ValueError, match="is not a SQLite database"):
        Store(path)
    assert {"users.sqlite3": b"SQLite format 3\x00" + bytes(range(256)) * 8} == files(tmp_path)


@pytest.mark.parametrize("kind", ["empty", "empty SQLite database"])
def test_an_empty_file_becomes_a_new_database(tmp_path: Path, kind: str) -> None:
    """An empty file, or a SQLite database with no table yet, is taken as a new database (as `touch` then serve)."""
    path = tmp_path / "users.sqlite3"
    if kind == "empty":
        path.write_bytes(b"")
    else:
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA user_version = 1")
    store = Store(path)
    try:
        created = asyncio.run(store.create(invitation("new@example.com")))
    finally:
        store.close()
    assert "new@example.com" == getattr(created, "email_address", None)


def test_closed_store_refuses_writes(store: Store) -> None:
    """After close(), a write raises instead of waiting forever; close() may be called again."""
    asyncio.run(store.create(invitation("before@example.com")))
    store.close()
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(store.create(invitation("after@example.com")))


def test_data_survives_reopening(database: Path) -> None:
    """A second store on the same file sees what the first committed."""
    first = Store(database)
    created = asyncio.run(first.create(invitation("kept@example.com")))
    first.close()
    second = Store(database)
    try:
        assert asyncio.run(second.get(created.identifier)) == created  # type: ignore[union-attr]
    finally:
        second.close()


def test_a_dead_writer_fails_its_writes_and_the_next_write_gets_a_new_one(database: Path) -> None:
    """A batch that raises fails its callers with StoreUnavailableError; the next write is done by a new writer."""

    class BreaksSecondBatch(BreakingStore):
        before = frozenset({2})

    store = BreaksSecondBatch(database)

    async def scenario() -> list[object]:
        outcomes: list[object] = []
        for address in ["a@example.com", "b@example.com", "c@example.com"]:
            try:
                user = await asyncio.wait_for(store.create(invitation(address)), timeout=10)
                outcomes.append(None if user is None else user.email_address)
            except StoreUnavailableError as error:
                outcomes.append(str(error))
        outcomes.append([user.email_address for user in await store.list()])
        return outcomes

    try:
        outcomes = asyncio.run(scenario())
    finally:
        store.close()
    assert [
        "a@example.com",
        "the store's writer stopped on RuntimeError",
        "c@example.com",
        ["a@example.com", "c@example.com"],
    ] == outcomes


def test_a_writer_that_cannot_connect_fails_every_write_at_once(
    database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """When the writer cannot open the file each write fails promptly (and says why in the log); none waits."""
    store = BreakingStore(database)
    store.connect_fails = True

    async def scenario() -> list[BaseException | object]:
        writes = [asyncio.wait_for(store.create(invitation(f"{n}@example.com")), timeout=10) for n in range(5)]
        return list(await asyncio.gather(*writes, return_exceptions=True))

    try:
        outcomes = asyncio.run(scenario())
        store.connect_fails = False
        recovered = asyncio.run(store.create(invitation("late@example.com")))
    finally:
        store.close()
    assert ({StoreUnavailableError}, "late@example.com") == (
        {type(o) for o in outcomes},
        getattr(recovered, "email_address", None),
    )
    assert "unable to open database file (on purpose)" in caplog.text


def v0_database(path: Path) -> Path:
    """A database as deployhq-sandbox wrote it before schema versions: its schema.sql, the three default users."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.executescript((Path(__file__).parent / "data" / "schema_v0.sql").read_text())
        for number, (address, administrator, manager) in enumerate(
            [("admin@example.com", 1, 1), ("manager@example.com", 0, 1), ("member@example.com", 0, 0)]
        ):
            connection.execute(
                "INSERT INTO users (identifier, first_name, email_address, email_key, time_zone, account_administrator,"
                " activated, can_manage_users, can_manage_billing, can_create_projects, can_manage_agents,"
                " all_projects_allowed) VALUES (?, 'Old', ?, ?, 'Etc/UTC', ?, 1, ?, 0, 0, 0, 0)",
                (f"00000000-0000-4000-8000-00000000000{number}", address, address, administrator, manager),
            )
        connection.commit()
    return path


def pragma(path: Path, name: str) -> int:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return int(connection.execute(f"PRAGMA {name}").fetchone()[0])


def test_a_database_of_schema_version_0_is_migrated_and_keeps_its_users(database: Path) -> None:
    """A file written by the unversioned schema opens, keeps every user, and is marked with the current version,
    each default key bound to the row of its address (its users sign in as before)."""
    v0_database(database)
    store = Store(database)
    try:
        orphans = store.add_accounts(Accounts.defaults())
        users = asyncio.run(store.list())
        signed_in = [getattr(asyncio.run(store.signed_in(a.email)), "identifier", None) for a in Accounts.defaults()]
    finally:
        store.close()
    assert (orphans, [u.first_name for u in users], signed_in) == ([], ["Old"] * 3, [u.identifier for u in users])
    assert (pragma(database, "user_version"), pragma(database, "application_id")) == (SCHEMA_VERSION, 0x44485155)


def test_a_database_of_a_newer_version_is_refused_untouched(database: Path) -> None:
    """A file marked by a newer deployhq-sandbox is refused, naming the version that wrote it and what to do."""
    Store(database).close()
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("UPDATE sandbox SET value = '9.1.0' WHERE name = 'written_by'")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        connection.commit()
    before = files(database.parent)
    written = r"was written by deployhq-sandbox 9\.1\.0 \(schema version 2\).*run the newer"
    with pytest.raises(ValueError, match=written):
        Store(database)
    assert before == files(database.parent)


def test_a_key_stays_with_its_row_when_addresses_move(database: Path) -> None:
    """A key signs in as the row it was bound to: once that row's address changes it signs in as nobody, and a row
    that takes its old address does not get the key, across a restart too."""
    accounts = Accounts.defaults()
    assert accounts.manager is not None
    manager = accounts.manager.email
    store = Store(database)
    store.add_accounts(accounts)

    async def move() -> None:
        own = await store.find(manager)
        other = await store.create(invitation("other@example.com"))
        assert own is not None
        assert other is not None
        await store.update(own.identifier, Changes(email_address="moved@example.com", email_key="moved@example.com"))
        await store.update(other.identifier, Changes(email_address=manager, email_key=manager))

    asyncio.run(move())
    before_restart = asyncio.run(store.signed_in(manager))
    store.close()
    store = Store(database)
    try:
        orphans = store.add_accounts(accounts)
        after_restart = asyncio.run(store.signed_in(manager))
    finally:
        store.close()
    assert (before_restart, after_restart) == (None, None)
    assert [(account.email, why) for account, why in orphans] == [
        (manager, "its user's address is now moved@example.com")
    ]


def test_the_configured_callers_rows_carry_their_roles_flags(store: Store) -> None:
    """add_accounts gives the administrator every permission flag, the manager can_manage_users alone, the member
    none: the flags come from the spec's list, so a new flag is the administrator's without an edit here."""
    store.add_accounts(Accounts.defaults())
    rows = {user.email_address: user.as_json() for user in asyncio.run(store.list())}
    held = {name: [flag for flag in FLAGS if row[flag]] for name, row in rows.items()}
    assert sorted(held.values(), key=len) == [[], ["can_manage_users"], list(FLAGS)]


def test_a_read_that_must_wait_for_a_lock_leaves_the_event_loop_free(database: Path) -> None:
    """Reads run on the event loop; one that SQLite makes wait (another process holds the file exclusively) waits
    in a thread instead, so the loop keeps running meanwhile, and answers once the lock is gone."""
    store = Store(database)
    asyncio.run(store.create(invitation("held@example.com")))
    store.close()
    store = Store(database)  # no connection open yet: the next one can take the file exclusively
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("UPDATE users SET first_name = 'Held'")  # takes the exclusive lock, kept until closed

        async def read_while_held() -> tuple[int, bool, object]:
            read = asyncio.ensure_future(store.find("held@example.com"))
            ticks = 0
            while not read.done() and ticks < 6:
                await asyncio.sleep(0.05)  # a loop blocked by the read would never get here again
                ticks += 1
            waiting = not read.done()
            holder.close()
            return ticks, waiting, await read

        ticks, waiting, user = asyncio.run(asyncio.wait_for(read_while_held(), 20))
    finally:
        holder.close()
        store.close()
    assert (ticks, waiting, getattr(user, "first_name", None)) == (6, True, "Held")


# Another process that zeroes the WAL index's header and holds its recovery lock (byte 122 of the -shm file), as a
# process that crashed mid-recovery leaves it: a reader must recover the index first, and cannot until it is freed.
_HOLD_RECOVERY = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1] + "-shm", os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 122)
os.pwrite(fd, bytes(136), 0)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_read_that_waits_for_a_recovery_is_answered_once_it_is_done(database: Path) -> None:
    """SQLite reports that wait as SQLITE_BUSY_RECOVERY (an extended code, 261): the read goes to a thread and waits
    there (the loop keeps running), and is answered once the other process lets go; it was a 500 at once."""
    store = Store(database)
    asyncio.run(store.create(invitation("recovered@example.com")))
    holder = None
    try:

        async def read_during_recovery() -> tuple[int, object]:
            nonlocal holder
            await store.find("recovered@example.com")  # a connection for reads on the loop, opened before
            holder = subprocess.Popen(
                [sys.executable, "-c", _HOLD_RECOVERY, str(database), "1.0"], stdout=subprocess.PIPE, text=True
            )
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            read = asyncio.ensure_future(store.find("recovered@example.com"))
            ticks = 0
            while not read.done() and ticks < 1000:
                await asyncio.sleep(0.01)
                ticks += 1
            return ticks, await read

        ticks, user = asyncio.run(asyncio.wait_for(read_during_recovery(), 30))
    finally:
        if holder is not None:
            holder.kill()
            holder.communicate()  # waits, and closes its stdout
        store.close()
    assert (ticks > 10, getattr(user, "email_address", None)) == (True, "recovered@example.com")
