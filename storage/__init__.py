"""storage: the only room with SQL. `Database` (one aiosqlite connection, WAL, migrations, a
write lock) and `Repository` (the respondent, roster, auditor and survey-window API)."""

from storage.answers import AlreadySubmitted
from storage.database import Database
from storage.repository import Repository
from storage.roster import RosterError

__all__ = ["AlreadySubmitted", "Database", "Repository", "RosterError"]
