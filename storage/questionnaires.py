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

    async def questionnaire_version(self, number: int) -> Questionnaire | None:
        """Version ``number`` read back through the models (None: no such version)."""
        row = await self.db.fetchone(
            "SELECT body FROM questionnaire_versions WHERE id = ?", (number,)
        )
        return None if row is None else Questionnaire.model_validate_json(row[0])

    async def questionnaire_versions(self) -> list[QuestionnaireVersion]:
        """Every stored version, oldest first."""
        rows = await self.db.fetchall(
            "SELECT id, body, created_at FROM questionnaire_versions ORDER BY id"
        )
        return [
            QuestionnaireVersion(int(r[0]), Questionnaire.model_validate_json(r[1]), str(r[2]))
            for r in rows
        ]

    async def version_in_use(self, council_id: int | None = None) -> int | None:
        """The questionnaire version the council's responses (None: every council's) are
        pinned to, for its reports: the newest among them; None while every one answers the
        packaged questionnaire. A round pins one version, so a round's responses share it."""
        if council_id is None:
            row = await self.db.fetchone("SELECT MAX(questionnaire_version) FROM responses")
        else:
            row = await self.db.fetchone(
                "SELECT MAX(r.questionnaire_version) FROM responses r"
                " JOIN invitees i ON i.id = r.invitee_id WHERE i.council_id = ?",
                (council_id,),
            )
        return None if row is None or row[0] is None else int(row[0])

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


class Questionnaires:
    """Version number -> `Questionnaire`, for everyone answering or reporting a version: the
    packaged questionnaire for None, a stored version read once on first use. A version is
    never changed once stored, so what is cached is never stale and needs no invalidation."""

    def __init__(self, book: QuestionnaireBook, packaged: Questionnaire) -> None:
        self.book, self.packaged = book, packaged
        self._versions: dict[int, Questionnaire] = {}

    def retired(self, questionnaire: Questionnaire) -> frozenset[str]:
        """The question ids of the packaged questionnaire and of every version read so far
        that ``questionnaire`` lacks: buttons of those on an old message are stale."""
        ids = {q.id for q in self.packaged.questions}
        for other in self._versions.values():
            ids.update(q.id for q in other.questions)
        return frozenset(ids - {q.id for q in questionnaire.questions})

    async def get(self, number: int | None) -> Questionnaire:
        """The questionnaire of version ``number`` (None: the packaged one)."""
        if number is None:
            return self.packaged
        found = self._versions.get(number)
        if found is None:
            stored = await self.book.questionnaire_version(number)
            if stored is None:
                raise LookupError(f"no questionnaire version {number}")
            found = self._versions[number] = stored
        return found
