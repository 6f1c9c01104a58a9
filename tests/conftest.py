"""Markers by room: everything under tests/e2e/ drives the real bot process through the
stand-in and is marked ``e2e``, so ``./dev test -m "not e2e"`` is the fast lane.

Fixtures shared by the storage tests and the end-to-end tests: a real PostgreSQL server for
the whole run, and `database_url`, which runs a test once on SQLite and once on PostgreSQL.
Where PostgreSQL is not installed its tests are skipped, unless DATATOOL_REQUIRE_POSTGRES=1
(as in CI, `.ci/run`), where they fail: CI may not silently test one backend only."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.database import Database
from storage.opening import open_database
from storage.repository import Repository
from tests.support.mocked_bot import InProcessBot, Telegram
from tests.support.pgserver import PostgresMissing, PostgresServer

E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks the process tests ``e2e``, and runs them first: each takes tens of seconds, the
    rest a fraction of one, so with the long ones handed out first the short ones fill in
    around them on both workers instead of one long test running alone at the end."""
    for item in items:
        if E2E in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)


def _required() -> bool:
    return os.environ.get("DATATOOL_REQUIRE_POSTGRES", "") not in ("", "0")


_EARLY: dict[str, concurrent.futures.Future[PostgresServer]] = {}
"""The PostgreSQL server of this run (of this xdist worker), started in a thread of its own as
soon as the tests are collected, if any of them needs it: initdb and the start take seconds,
mostly waiting on the disk, which the first tests spend running instead of waiting."""


def pytest_collection_finish(session: pytest.Session) -> None:
    if any("postgres_server" in getattr(item, "fixturenames", ()) for item in session.items):
        pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="postgres-start")
        _EARLY["server"] = pool.submit(PostgresServer.start)
        pool.shutdown(wait=False)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A server started early that no test took (this worker ran none of them) is stopped."""
    early = _EARLY.pop("server", None)
    if early is not None:
        with contextlib.suppress(Exception):
            early.result().stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    early = _EARLY.pop("server", None)
    try:
        server = early.result() if early is not None else PostgresServer.start()
    except PostgresMissing as missing:
        if _required():
            pytest.fail(f"DATATOOL_REQUIRE_POSTGRES is set, but {missing}", pytrace=False)
        yield None
        return
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer | None) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    if postgres_server is None:
        pytest.skip("PostgreSQL is not installed (DATATOOL_REQUIRE_POSTGRES=1 makes this fail)")
    url = postgres_server.create_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


def _migrate(target: str | Path) -> None:
    """Opens (migrating and seeding) and closes the database at ``target``, in a thread of its
    own: an async fixture may be the first to ask for a template, inside a running loop."""

    async def make() -> None:
        database = await open_database(target)
        await database.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, make()).result(60)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated and seeded once per run (per xdist worker): a test's database is
    a copy of it, which is what `open_database` would make of a new file, without running the
    migrations again for every test. (The migrations themselves are tested on new files and
    on empty PostgreSQL databases, `postgres_url`.)"""
    path = tmp_path_factory.mktemp("template") / "datatool.sqlite3"
    _migrate(path)
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer | None) -> str | None:
    """The same on PostgreSQL: a database migrated once, which `CREATE DATABASE ... TEMPLATE`
    copies for each test (a file copy, instead of every migration's DDL)."""
    if postgres_server is None:
        return None
    url = postgres_server.create_database()
    _migrate(url)
    return url


@pytest.fixture
def migrated_postgres_url(
    postgres_server: PostgresServer | None, postgres_template: str | None
) -> Iterator[str]:
    """A new PostgreSQL database for one test, migrated and seeded: a copy of the template."""
    if postgres_server is None or postgres_template is None:
        pytest.skip("PostgreSQL is not installed (DATATOOL_REQUIRE_POSTGRES=1 makes this fail)")
    url = postgres_server.create_database(template=postgres_template)
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


OPENERS = frozenset({"db", "repo", "any_datatool"})
"""The fixtures that open `database_url` (and so migrate it) before the test begins."""


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """DATATOOL_DB for one test: a new SQLite file, or a new PostgreSQL database. Empty, unless
    the test opens it through `db` or `any_datatool`, which would migrate it first: then it is
    a copy of the run's migrated template (what `open_database` would make of it, without
    running the migrations for every test)."""
    opened = bool(OPENERS & set(request.fixturenames))
    if backend == "sqlite":
        path = tmp_path / "datatool.sqlite3"
        if opened:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return str(path)
    url: str = request.getfixturevalue("migrated_postgres_url" if opened else "postgres_url")
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The database at `database_url`, migrated, closed after the test whatever happens."""
    database = await open_database(database_url)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def repo(db: Database) -> Repository:
    return Repository(db)


@pytest.fixture
def telegram() -> Iterator[Telegram]:
    """Telegram in this process, as strict as the stand-in (tests.support.mocked_bot)."""
    server = Telegram()
    yield server
    assert server.violations == [], "the bot sent what Telegram would refuse"


@pytest.fixture
async def datatool(
    telegram: Telegram, tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[InProcessBot]:
    """The real dispatcher in this process, on a new SQLite file (migrated: a copy of the
    run's template); start it with ``start()`` (after seeding the database, with any settings
    the test needs)."""
    path = tmp_path / "datatool.sqlite3"
    shutil.copyfile(sqlite_template, path)
    running = InProcessBot(telegram, path)
    yield running
    await running.stop()
    assert running.errors == [], "the bot logged errors"


@pytest.fixture
async def any_datatool(telegram: Telegram, database_url: str) -> AsyncIterator[InProcessBot]:
    """The same on SQLite, and (a second run of the test) on PostgreSQL."""
    running = InProcessBot(telegram, database_url)
    yield running
    await running.stop()
    assert running.errors == [], "the bot logged errors"
