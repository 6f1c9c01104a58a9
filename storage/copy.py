"""``datatool migrate-to``: everything in one database copied into another, empty one (in
practice a SQLite file into PostgreSQL), row for row, with the same ids.

Same ids and the same codes: an invitation already emailed keeps working, the reminders already
sent are known as sent (so nobody is emailed again), and the releases go on being what reports
have shown, so no later report differs from an earlier one by fewer than ``MIN_GROUP_SIZE``.
Leases and worker heartbeats are a running process's and are not copied; the schema's own
version table is the target's own (it was migrated when opened).
"""

from __future__ import annotations

from storage.database import Database

TABLES = (
    "councils",
    "questionnaire_versions",
    "rounds",
    "invitees",
    "responses",
    "answers",
    "accounts",
    "handled_updates",
    "auditors",
    "survey_windows",
    "reminders",
    "releases",
    "release_members",
    "release_groups",
    "release_sizes",
    "release_cells",
    "release_figures",
    "release_departed",
    "wales_releases",
    "wales_members",
)
"""In an order that every row's foreign keys are copied before it."""
WITH_IDS = (
    "councils",
    "invitees",
    "responses",
    "reminders",
    "releases",
    "wales_releases",
    "questionnaire_versions",
    "rounds",
)
"""The tables whose ``id`` the target numbers by itself after the copy (identity columns)."""


class TargetNotEmpty(Exception):
    """The target already holds invitees or answers: a copy would mix two surveys."""


async def copy_database(source: Database, target: Database) -> dict[str, int]:
    """Copies every table of `TABLES` from `source` into `target` in one transaction of the
    target's (all or nothing); the number of rows copied by table."""
    for table in ("invitees", "responses", "releases"):
        row = await target.fetchone(f"SELECT COUNT(*) FROM {table}")
        if row is not None and row[0]:
            raise TargetNotEmpty(table)
    copied: dict[str, int] = {}
    async with target.transaction() as conn:
        # The councils the target seeded on opening are replaced by the source's, ids and all.
        await conn.execute("DELETE FROM councils")
        for table in TABLES:
            rows = await source.fetchall(f"SELECT * FROM {table}")
            copied[table] = len(rows)
            if not rows:
                continue
            columns = list(rows[0].keys())
            marks = ", ".join("?" for _ in columns)
            await conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [tuple(r[c] for c in columns) for r in rows],
            )
        if target.dialect == "postgresql":
            for table in WITH_IDS:
                await conn.fetchall(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
    return copied
