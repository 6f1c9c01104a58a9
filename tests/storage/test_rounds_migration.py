"""Migration 0010 on a database from before rounds, on SQLite and on PostgreSQL: each
council's window becomes its first round, labelled with the year it opened (else closed, else
closes), pinning no version; responses already made answer the packaged questionnaire."""

from __future__ import annotations

import shutil
from pathlib import Path

from storage.database import MIGRATIONS_DIR
from storage.opening import open_database


async def test_windows_become_first_rounds(database_url: str, tmp_path: Path) -> None:
    before = tmp_path / "before"
    before.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if int(path.name[:4]) < 10:
            shutil.copy(path, before / path.name)
    async with await open_database(database_url, migrations_dir=before) as db:
        ids = {r[1]: r[0] for r in await db.fetchall("SELECT id, slug FROM councils")}
        await db.execute(
            "INSERT INTO survey_windows (council_id, opens_on, closes_on) VALUES (?, ?, ?)",
            (ids["powys"], "2026-11-02", "2026-12-18"),
        )
        await db.execute(
            "INSERT INTO survey_windows (council_id, closed_at) VALUES (?, ?)",
            (ids["cardiff"], "2025-10-01T09:00:00Z"),
        )
    async with await open_database(database_url) as db:
        rows = await db.fetchall(
            "SELECT c.slug, r.label, r.questionnaire_version, r.created_at FROM rounds r"
            " JOIN councils c ON c.id = r.council_id ORDER BY c.slug"
        )
        assert [tuple(r) for r in rows] == [
            ("cardiff", "2025", None, None),
            ("powys", "2026", None, None),
        ]
        columns = await db.fetchall("SELECT questionnaire_version FROM responses")
        assert columns == []
