"""Markers by room: everything under tests/e2e/ drives the real bot process through the
stand-in and is marked ``e2e``, so ``./dev test -m "not e2e"`` is the fast lane.

Fixtures shared by the storage tests and the end-to-end tests: a real PostgreSQL server for
the whole run, and `database_url`, which runs a test once on SQLite and once on PostgreSQL.
Where PostgreSQL is not installed its tests are skipped, unless DATATOOL_REQUIRE_POSTGRES=1
(as in CI, `.ci/run`), where they fail: CI may not silently test one backend only."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.database import Database
from storage.opening import open_database
from storage.repository import Repository
from tests.support.pgserver import PostgresMissing, PostgresServer

E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _required() -> bool:
    return os.environ.get("DATATOOL_REQUIRE_POSTGRES", "") not in ("", "0")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    try:
        server = PostgresServer.start()
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


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """DATATOOL_DB for one test: a new SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        return str(tmp_path / "datatool.sqlite3")
    url: str = request.getfixturevalue("postgres_url")
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
