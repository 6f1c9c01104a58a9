"""The base of the repository's topics (`storage.repository.Repository` is all of them): the
database and the clock they share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from storage.database import Database, to_iso, utcnow


class Store:
    """A topic's access to the database. `clock` is injectable so that tests can move time."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self._clock = clock

    def _now(self) -> str:
        return to_iso(self._clock())
