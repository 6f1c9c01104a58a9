"""Anonymised answers for `datatool export`: one row per submitted response, no names, emails,
Telegram ids, teams or times, in an order that says nothing about who answered when."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict

from rubric.models import Group
from storage.database import Database


class ExportRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    group: Group
    language: str | None
    answers: dict[str, str]
    """question id -> option id, or the typed text; skipped and unanswered are absent."""


async def export_answers(db: Database, council_id: int) -> list[ExportRow]:
    rows = await db.fetchall(
        "SELECT r.id, i.grp, r.language, a.question_id, a.choice, a.text"
        " FROM responses r JOIN invitees i ON i.id = r.invitee_id"
        " LEFT JOIN answers a ON a.response_id = r.id"
        " WHERE i.council_id = ? AND r.submitted_at IS NOT NULL",
        (council_id,),
    )
    responses: dict[int, tuple[Group, str | None, dict[str, str]]] = {}
    for response_id, group, language, question_id, choice, text in rows:
        entry = responses.setdefault(response_id, (group, language, {}))
        value = choice if choice is not None else text
        if question_id is not None and value is not None:
            entry[2][question_id] = value
    # Order by a keyed hash of the id: stable between exports, unrelated to submission order.
    order = sorted(
        responses, key=lambda rid: hashlib.sha256(f"{council_id}:{rid}".encode()).hexdigest()
    )
    return [
        ExportRow(group=responses[r][0], language=responses[r][1], answers=responses[r][2])
        for r in order
    ]
