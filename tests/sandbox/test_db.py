"""The store: WAL with full sync, a unique lower-cased address, and group commits that keep writes apart."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployhq_sandbox import DeleteOutcome, Invitation, Store
from deployhq_sandbox._db import Refusal, StoreUnavailableError
from deployhq_sandbox._models import Changes

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
