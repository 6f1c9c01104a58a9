"""The auditor's notes between the database and the report (`reports.notes`): the draft to
export, a checked draft stored, and the final version's input, kept so that it can be made
again identical. No aiogram here: the command line and the bot share it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reports.notes import Notes, RecommendationNote, SectionNote
from reports.text import messages
from rubric.schema import Lang
from storage.notes import NoteRow
from storage.reporting import ReportRows
from storage.repository import Repository
from storage.rows import Council


class FinalRefused(Exception):
    """The final version cannot be made: `reason` says why (a catalog key and its values)."""

    def __init__(self, key: str, council: Council, sections: str = "") -> None:
        super().__init__(key)
        self.key = key
        self.council = council
        self.sections = sections

    def say(self, lang: Lang) -> str:
        return messages()(
            lang,
            self.key,
            sections=self.sections,
            slug=self.council.slug,
            council=self.council.name(lang),
        )


def notes_of(rows: list[NoteRow]) -> Notes:
    sections = {
        r.item: SectionNote(en=r.text_en, cy=r.text_cy) for r in rows if r.kind == "section"
    }
    recommendations = {
        r.item: RecommendationNote(action=r.action or "keep", en=r.text_en, cy=r.text_cy)
        for r in rows
        if r.kind == "recommendation"
    }
    return Notes(sections=sections, recommendations=recommendations)


def rows_of(notes: Notes) -> list[NoteRow]:
    out = [
        NoteRow(kind="section", item=sid, text_en=n.en, text_cy=n.cy)
        for sid, n in sorted(notes.sections.items())
    ]
    out += [
        NoteRow(kind="recommendation", item=rid, action=n.action, text_en=n.en, text_cy=n.cy)
        for rid, n in sorted(notes.recommendations.items())
    ]
    return out


async def stored_notes(repo: Repository, council: Council) -> Notes:
    return notes_of(await repo.report_notes(council.id))


async def store_notes(repo: Repository, council: Council, notes: Notes) -> None:
    """The council's notes become `notes`, in one transaction."""
    await repo.replace_notes(council.id, rows_of(notes))


@dataclass(frozen=True)
class FinalInput:
    rows: ReportRows
    made_on: date
    release_id: int
    responses: int


async def final_input(
    repo: Repository, council: Council, rows: ReportRows, notes: Notes, today: date
) -> FinalInput:
    """What the final version is made from: the one already made from this release and these
    notes (its date and input as they were, the release's comments read again, so a person who
    withdrew is not quoted), or else today's, stored for next time. Refused while any words are
    in one language only, or before any figure is released."""
    missing = notes.one_language()
    if missing:
        raise FinalRefused("final.refused", council, ", ".join(missing))
    release = rows.release
    if release is None:
        raise FinalRefused("final.no_release", council)
    key = notes.model_dump_json()
    stored = await repo.final_report(council.id, release.id, key)
    if stored is None:
        frozen = rows.model_copy(update={"comments": ()})
        await repo.save_final(
            council.id, release.id, today.isoformat(), key, frozen.model_dump_json()
        )
        return FinalInput(rows, today, release.id, release.responses)
    made = ReportRows.model_validate_json(stored.input)
    comments = tuple(await repo.release_comments(release.id))
    assert made.release is not None
    return FinalInput(
        made.model_copy(update={"comments": comments}),
        date.fromisoformat(stored.made_on),
        release.id,
        made.release.responses,
    )
