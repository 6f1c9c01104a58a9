"""The questionnaire's stored versions, on SQLite and on PostgreSQL: numbered in order, read
back through the models unchanged, never rewritten."""

from __future__ import annotations

from rubric.loader import load_questionnaire
from rubric.schema import Questionnaire
from storage.database import Database
from storage.repository import Repository


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
