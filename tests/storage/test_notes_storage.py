"""The auditor's notes and the final versions in the database (migration 0008), on SQLite and on
PostgreSQL: an import replaces the council's notes at once or not at all, and a final version
is found again by its release and notes."""

from __future__ import annotations

import pytest

from storage.database import Database
from storage.notes import NoteRow
from storage.repository import Repository
from tests.reports.test_document import powys_people
from tests.support.report_rows import COMMENTS, fill


async def test_notes_are_replaced_whole_or_not_at_all(repo: Repository) -> None:
    powys = await repo.find_council("powys")
    assert powys is not None
    first = [
        NoteRow(kind="section", item="vision", text_en="Words.", text_cy="Geiriau."),
        NoteRow(kind="recommendation", item="standards", action="drop"),
    ]
    await repo.replace_notes(powys.id, first)
    assert await repo.report_notes(powys.id) == sorted(first, key=lambda r: (r.kind, r.item))

    # The same section twice breaks the table's key: nothing of this import is kept.
    twice = [NoteRow(kind="section", item="close", text_en="a"), *first, first[0]]
    with pytest.raises(Exception):  # noqa: B017 - each driver raises its own integrity error
        await repo.replace_notes(powys.id, twice)
    assert await repo.report_notes(powys.id) == sorted(first, key=lambda r: (r.kind, r.item))

    await repo.replace_notes(powys.id, [])
    assert await repo.report_notes(powys.id) == []


async def test_a_final_version_is_found_by_release_and_notes(
    db: Database, repo: Repository
) -> None:
    await fill(db, powys_people())
    powys = await repo.find_council("powys")
    assert powys is not None
    release = await repo.latest_release(powys.id)
    assert release is not None
    assert await repo.final_report(powys.id, release.id, "{}") is None
    await repo.save_final(powys.id, release.id, "2026-11-27", "{}", '{"x": 1}')
    found = await repo.final_report(powys.id, release.id, "{}")
    assert found is not None and found.made_on == "2026-11-27" and found.input == '{"x": 1}'
    assert await repo.final_report(powys.id, release.id, '{"other": 1}') is None
    quoted = {c.text for c in await repo.release_comments(release.id)}
    assert quoted == set(COMMENTS)
