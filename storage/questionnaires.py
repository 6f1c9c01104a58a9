"""The questionnaire's stored versions: each one whole, as validated JSON, never changed."""

from __future__ import annotations

from dataclasses import dataclass

from rubric.schema import Questionnaire
from storage.store import Store


@dataclass(frozen=True)
class QuestionnaireVersion:
    number: int
    questionnaire: Questionnaire
    created_at: str


class QuestionnaireBook(Store):
    """Versions added by ``datatool questionnaire import``; the newest is the current one."""

    async def add_questionnaire_version(self, questionnaire: Questionnaire) -> int:
        """Stores ``questionnaire`` as the next version; its number."""
        async with self.db.transaction() as conn:
            row = await conn.fetchone(
                "INSERT INTO questionnaire_versions (label, body, created_at) VALUES (?, ?, ?)"
                " RETURNING id",
                (questionnaire.version, questionnaire.model_dump_json(), self._now()),
            )
        assert row is not None  # RETURNING gives the new row
        return int(row[0])

    async def latest_questionnaire_version(self) -> QuestionnaireVersion | None:
        """The newest version, read back through the models (None before the first import)."""
        row = await self.db.fetchone(
            "SELECT id, body, created_at FROM questionnaire_versions ORDER BY id DESC LIMIT 1"
        )
        if row is None:
            return None
        return QuestionnaireVersion(
            int(row[0]), Questionnaire.model_validate_json(row[1]), str(row[2])
        )
