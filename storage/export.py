"""What `datatool export` reads: the answers of the people a release counts, one row each,
with their group, team and reply language and nothing else (no names, emails, Telegram ids,
times or response ids), and the release's comments apart from them.

Which rows and values may leave is `reports.confidentiality.anonymise_export`'s decision."""

from __future__ import annotations

from storage.database import Database
from storage.reporting import COUNTED_IN, CommentRow, ExportRow

__all__ = ["ExportRow", "export_answers", "export_comments"]


async def export_answers(db: Database, release_id: int) -> list[ExportRow]:
    """The chosen options of the release's members who still count, in no meaningful order,
    each under the group and team the release counted them in (a roster correction after the
    release moves nobody's row: the export is that release, as its figures are)."""
    rows = await db.fetchall(
        f"SELECT r.id, {COUNTED_IN}, r.language, a.question_id, a.choice,"
        " r.questionnaire_version"
        " FROM release_members AS m JOIN responses AS r ON r.id = m.response_id"
        " JOIN invitees AS i ON i.id = r.invitee_id"
        " LEFT JOIN answers AS a ON a.response_id = r.id AND a.choice IS NOT NULL"
        " WHERE m.release_id = ?",
        (release_id,),
    )
    people: dict[int, ExportRow] = {}
    for response_id, group, team, language, question_id, choice, version in rows:
        row = people.setdefault(
            response_id,
            ExportRow(
                group=group,
                team=team,
                language=language,
                answers={},
                questionnaire_version=version,
                response=response_id,
            ),
        )
        if question_id is not None:
            row.answers[question_id] = choice
    return list(people.values())


async def export_comments(db: Database, release_id: int) -> list[CommentRow]:
    """The release's comments for the questions whose comments it shows, by question and text."""
    from storage.reporting import _RELEASED_COMMENTS

    rows = await db.fetchall(_RELEASED_COMMENTS, {"release_id": release_id})
    return [CommentRow(question_id=r[0], text=r[1]) for r in rows]
