"""The questionnaire's stored versions: each one whole, as validated JSON, never changed.

A version is stored published, or as a draft (``published_at`` NULL) that an auditor previews
in the bot before ``publish`` makes it the current one. Publishing sets that one column once;
the questionnaire a version holds is never rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rubric.schema import Questionnaire
from storage.database import Row
from storage.store import Store

PublishOutcome = Literal["published", "already", "unknown", "superseded"]

_COLUMNS = "SELECT id, body, created_at, published_at FROM questionnaire_versions"


@dataclass(frozen=True)
class QuestionnaireVersion:
    number: int
    questionnaire: Questionnaire
    created_at: str
    published_at: str | None = None
    """None: a draft, not yet asked of anyone."""

    @property
    def draft(self) -> bool:
        return self.published_at is None


def _version(row: Row) -> QuestionnaireVersion:
    return QuestionnaireVersion(
        int(row[0]),
        Questionnaire.model_validate_json(row[1]),
        str(row[2]),
        None if row[3] is None else str(row[3]),
    )


class QuestionnaireBook(Store):
    """Versions added by ``datatool questionnaire import``; the newest published one is the
    current one."""

    async def add_questionnaire_version(
        self, questionnaire: Questionnaire, *, draft: bool = False
    ) -> int:
        """Stores ``questionnaire`` as the next version (published unless ``draft``); its
        number."""
        now = self._now()
        async with self.db.transaction() as conn:
            row = await conn.fetchone(
                "INSERT INTO questionnaire_versions (label, body, created_at, published_at)"
                " VALUES (?, ?, ?, ?) RETURNING id",
                (
                    questionnaire.version,
                    questionnaire.model_dump_json(),
                    now,
                    None if draft else now,
                ),
            )
        assert row is not None  # RETURNING gives the new row
        return int(row[0])

    async def questionnaire_versions(self) -> list[QuestionnaireVersion]:
        """Every published version (those respondents may have answered), oldest first."""
        rows = await self.db.fetchall(f"{_COLUMNS} WHERE published_at IS NOT NULL ORDER BY id")
        return [_version(r) for r in rows]

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
        """The newest published version, read back through the models (None before the first
        import)."""
        row = await self.db.fetchone(
            f"{_COLUMNS} WHERE published_at IS NOT NULL ORDER BY id DESC LIMIT 1"
        )
        return None if row is None else _version(row)

    async def newest_questionnaire_version(self) -> QuestionnaireVersion | None:
        """The newest version, draft or published: what the next import is compared against."""
        row = await self.db.fetchone(f"{_COLUMNS} ORDER BY id DESC LIMIT 1")
        return None if row is None else _version(row)

    async def questionnaire_version(self, number: int) -> QuestionnaireVersion | None:
        row = await self.db.fetchone(f"{_COLUMNS} WHERE id = ?", (number,))
        return None if row is None else _version(row)

    async def latest_questionnaire_draft(self) -> QuestionnaireVersion | None:
        """The newest draft (what ``/preview`` alone shows), or None when there is none."""
        row = await self.db.fetchone(
            f"{_COLUMNS} WHERE published_at IS NULL ORDER BY id DESC LIMIT 1"
        )
        return None if row is None else _version(row)

    async def publish_questionnaire_version(self, number: int) -> PublishOutcome:
        """Makes draft ``number`` published (once: publishing again changes nothing). A draft
        older than a published version is refused (``superseded``): the current questionnaire
        is the newest published one, so publishing it would change nothing anyone is asked."""
        async with self.db.transaction() as conn:
            row = await conn.fetchone(
                "SELECT published_at FROM questionnaire_versions WHERE id = ?", (number,)
            )
            if row is None:
                return "unknown"
            if row[0] is not None:
                return "already"
            newer = await conn.fetchone(
                "SELECT id FROM questionnaire_versions WHERE id > ? AND published_at IS NOT NULL"
                " ORDER BY id DESC LIMIT 1",
                (number,),
            )
            if newer is not None:
                return "superseded"
            await conn.execute(
                "UPDATE questionnaire_versions SET published_at = ? WHERE id = ?",
                (self._now(), number),
            )
        return "published"


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
            found = self._versions[number] = stored.questionnaire
        return found
