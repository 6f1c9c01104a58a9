"""The auditor's notes on a council's report and the final versions made from them (migration
0008). What the notes mean is `reports.notes`' business; here they are rows."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from storage.database import Statement
from storage.reporting import _RELEASE_COMMENTS, CommentRow
from storage.store import Store

NoteKind = Literal["section", "recommendation"]


class NoteRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: NoteKind
    item: str
    action: Literal["keep", "reword", "drop"] | None = None
    text_en: str = ""
    text_cy: str = ""


class FinalRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    council_id: int
    release_id: int
    made_on: str
    notes: str
    input: str


class NoteBook(Store):
    """The notes an import stored, for every worker and command alike."""

    async def report_notes(self, council_id: int) -> list[NoteRow]:
        rows = await self.db.fetchall(
            "SELECT kind, item, action, text_en, text_cy FROM report_notes"
            " WHERE council_id = ? ORDER BY kind, item",
            (council_id,),
        )
        return [
            NoteRow(kind=r[0], item=r[1], action=r[2], text_en=r[3], text_cy=r[4]) for r in rows
        ]

    async def replace_notes(self, council_id: int, rows: list[NoteRow]) -> None:
        """The council's notes become `rows`, all at once: a failure leaves the old ones."""
        await self.db.batch(
            [
                Statement("DELETE FROM report_notes WHERE council_id = ?", (council_id,)),
                Statement(
                    "INSERT INTO report_notes (council_id, kind, item, action, text_en, text_cy)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(council_id, r.kind, r.item, r.action, r.text_en, r.text_cy) for r in rows],
                    many=True,
                ),
            ]
        )

    async def final_report(self, council_id: int, release_id: int, notes: str) -> FinalRow | None:
        """The final version already made from this release and these notes, if any."""
        row = await self.db.fetchone(
            "SELECT id, council_id, release_id, made_on, notes, input FROM final_reports"
            " WHERE council_id = ? AND release_id = ? AND notes = ? ORDER BY id LIMIT 1",
            (council_id, release_id, notes),
        )
        if row is None:
            return None
        return FinalRow(
            id=row[0],
            council_id=row[1],
            release_id=row[2],
            made_on=row[3],
            notes=row[4],
            input=row[5],
        )

    async def save_final(
        self, council_id: int, release_id: int, made_on: str, notes: str, input_json: str
    ) -> None:
        await self.db.execute(
            "INSERT INTO final_reports (council_id, release_id, made_on, notes, input, made_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (council_id, release_id, made_on, notes, input_json, self._now()),
        )

    async def release_comments(self, release_id: int) -> list[CommentRow]:
        """The comments a release shows, as its report reads them: those of its members still
        counted (a withdrawn person's comment has gone with them)."""
        rows = await self.db.fetchall(_RELEASE_COMMENTS.format(marks="?"), (release_id,))
        return [CommentRow(question_id=r[1], text=r[2]) for r in rows]
