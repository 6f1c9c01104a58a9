"""The questionnaire's stored versions, on SQLite and on PostgreSQL: numbered in order, read
back through the models unchanged, never rewritten."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rubric.loader import load_questionnaire
from rubric.schema import Questionnaire
from storage.database import MIGRATIONS_DIR, Database
from storage.opening import open_database
from storage.repository import Repository
from storage.rows import RosterRow


async def test_versions_are_numbered_and_read_back_whole(db: Database) -> None:
    repo = Repository(db)
    assert await repo.latest_questionnaire_version() is None
    seed = load_questionnaire()
    raw = seed.model_dump(mode="json")
    raw["version"] = "2027.1"
    raw["questions"][0]["text"]["cy"] = "Geiriad newydd."
    edited = Questionnaire.model_validate(raw)

    first = await repo.add_questionnaire_version(seed)
    second = await repo.add_questionnaire_version(edited)
    assert second > first
    latest = await repo.latest_questionnaire_version()
    assert latest is not None
    assert (latest.number, latest.questionnaire) == (second, edited)
    assert latest.created_at.endswith("Z")
    rows = await db.fetchall("SELECT id, label FROM questionnaire_versions ORDER BY id")
    assert [(r[0], r[1]) for r in rows] == [(first, "2026.1"), (second, "2027.1")]


async def test_a_draft_is_stored_apart_until_published(db: Database) -> None:
    repo = Repository(db)
    seed = load_questionnaire()
    published = await repo.add_questionnaire_version(seed)
    raw = seed.model_dump(mode="json")
    raw["version"] = "2027.1"
    draft = await repo.add_questionnaire_version(Questionnaire.model_validate(raw), draft=True)

    latest = await repo.latest_questionnaire_version()
    assert latest is not None and latest.number == published and not latest.draft
    newest = await repo.newest_questionnaire_version()
    assert newest is not None and newest.number == draft and newest.draft
    found = await repo.latest_questionnaire_draft()
    assert found is not None and found.number == draft
    assert await repo.questionnaire_version(draft + 5) is None

    assert await repo.publish_questionnaire_version(draft) == "published"
    assert await repo.publish_questionnaire_version(draft) == "already"
    assert await repo.publish_questionnaire_version(draft + 5) == "unknown"
    latest = await repo.latest_questionnaire_version()
    assert latest is not None and latest.number == draft and latest.published_at is not None
    assert await repo.latest_questionnaire_draft() is None
    # A draft older than the published version would change nothing anyone is asked.
    older = await repo.add_questionnaire_version(seed, draft=True)
    current = await repo.add_questionnaire_version(Questionnaire.model_validate(raw))
    assert await repo.publish_questionnaire_version(older) == "superseded"
    latest = await repo.latest_questionnaire_version()
    assert latest is not None and latest.number == current


async def test_an_invitee_may_be_in_any_audience_but_not_none(db: Database) -> None:
    """Migration 0011 took the officer/member CHECK off ``invitees.grp`` (on SQLite by
    rewriting the stored definition): a CMT invitee is stored, an empty group still is not."""
    repo = Repository(db)
    rows = [
        RosterRow(council="powys", group="cmt", name="Ann Jones", email="ann@powys.example"),
        RosterRow(council="powys", group="officer", name="Bob Evans", email="bob@powys.example"),
    ]
    await repo.import_roster(rows)
    stored = await db.fetchall("SELECT grp FROM invitees ORDER BY email")
    assert [r[0] for r in stored] == ["cmt", "officer"]
    with pytest.raises(Exception, match=r"(?i)check"):
        await db.execute("UPDATE invitees SET grp = '' WHERE email = 'ann@powys.example'")


async def test_migration_0011_keeps_what_was_stored_before_it(
    database_url: str, tmp_path: Path
) -> None:
    """A database made before drafts existed: its versions stay published (the current one is
    unchanged) and its invitees stay as they were, while a CMT invitee can now be stored."""
    before = tmp_path / "before-0011"
    before.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name[:4]) < 11:
            shutil.copy(path, before / path.name)
    old = await open_database(database_url, migrations_dir=before)
    try:
        await old.execute(
            "INSERT INTO questionnaire_versions (label, body, created_at) VALUES (?, ?, ?)",
            ("2026.1", load_questionnaire().model_dump_json(), "2026-11-01T09:00:00Z"),
        )
        await Repository(old).import_roster(
            [RosterRow(council="powys", group="officer", name="Ann", email="ann@powys.example")]
        )
        with pytest.raises(Exception, match=r"(?i)check"):
            await old.execute("UPDATE invitees SET grp = 'cmt'")
    finally:
        await old.close()

    db = await open_database(database_url)
    try:
        repo = Repository(db)
        latest = await repo.latest_questionnaire_version()
        assert latest is not None and latest.published_at == "2026-11-01T09:00:00Z"
        assert latest.questionnaire == load_questionnaire()
        await db.execute("UPDATE invitees SET grp = 'cmt'")
        rows = await db.fetchall("SELECT grp, name FROM invitees")
        assert [tuple(r) for r in rows] == [("cmt", "Ann")]
        if db.dialect == "sqlite":
            assert [tuple(r) for r in await db.fetchall("PRAGMA integrity_check")] == [("ok",)]
    finally:
        await db.close()
