"""The auditor's own words on a council's report: a draft file to edit, checked on the way in,
and laid into the document.

An auditor exports the draft (`draft_toml`), a commented TOML file with a `[section.ID]` table
per section of the report (`key_messages`, each theme's id, `maturity`, `good_practice`,
`close`) holding `en` and `cy` strings for their own paragraphs, and a `[recommendation.ID]`
table per recommendation the rules made, with `action` ("keep", "reword" or "drop") and `en` /
`cy` for a rewording; the generated text sits in a comment above each. `read_notes` checks an
edited file against the report as it is now and names every problem by line; `apply_notes` puts
the paragraphs under their sections and drops or rewords the recommendations (a kept or reworded
one keeps its evidence, the figures it rests on).

The auditor's words are theirs: the comment rule governs respondents' comments, which reach
the report through the release, never through this file. Pure: no database, no clock.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Literal

from babel.dates import format_date
from pydantic import BaseModel, ConfigDict

from reports.results import CouncilDocument, FinalStamp, RecommendationResult, ThemeStory
from reports.text import messages
from rubric.schema import LANGS, Lang

Action = Literal["keep", "reword", "drop"]
ACTIONS: tuple[Action, ...] = ("keep", "reword", "drop")
FIXED_BEFORE = ("key_messages",)
FIXED_AFTER = ("maturity", "good_practice", "close")

MAX_SECTION = 3000
"""Characters in one language of one section's paragraphs: about a page of the report."""
MAX_RECOMMENDATION = 600
"""Characters in one language of a reworded recommendation: a few sentences."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SectionNote(_Model):
    en: str = ""
    cy: str = ""


class RecommendationNote(_Model):
    action: Action = "keep"
    en: str = ""
    cy: str = ""


class Notes(_Model):
    """What an auditor wrote for one council: empty tables are left out, so two drafts that say
    the same thing are equal."""

    sections: dict[str, SectionNote] = {}
    recommendations: dict[str, RecommendationNote] = {}

    def one_language(self) -> tuple[str, ...]:
        """The tables whose words are in one language only, as the draft names them
        (``section.vision``, ``recommendation.standards``): the final version refuses them."""
        out = [
            f"section.{sid}"
            for sid, note in self.sections.items()
            if bool(note.en) != bool(note.cy)
        ]
        out += [
            f"recommendation.{rid}"
            for rid, note in self.recommendations.items()
            if note.action == "reword" and bool(note.en) != bool(note.cy)
        ]
        return tuple(out)


def clean(text: str) -> str:
    """A paragraph as stored: Windows line ends made plain, spaces at either end trimmed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def section_ids(document: CouncilDocument) -> tuple[str, ...]:
    return (*FIXED_BEFORE, *(t.theme_id for t in document.themes), *FIXED_AFTER)


# --- the draft file ----------------------------------------------------------------------------


def _escape(text: str, multiline: bool) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n" and multiline:
            out.append("\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly `text`; several lines as a multi-line string, so a
    paragraph reads in an editor as it will in the report."""
    if "\n" in text:
        return '"""\n' + _escape(text, multiline=True) + '"""'
    return '"' + _escape(text, multiline=False) + '"'


def _comment(lines: Iterable[str], width: int = 96) -> list[str]:
    """Text as `#` comment lines, wrapped at word boundaries."""
    out: list[str] = []
    for line in lines:
        words, current = line.split(), ""
        for word in words:
            if current and len(current) + 1 + len(word) > width - 2:
                out.append(f"# {current}")
                current = "  " + word
            else:
                current = f"{current} {word}" if current else word
        out.append(f"# {current}" if current else "#")
    return out


def _section_text(document: CouncilDocument, sid: str) -> list[str]:
    """What the rules wrote for a section, for the comment above it."""
    if sid == "key_messages":
        return [f"- {m}" for m in document.key_messages]
    if sid == "maturity":
        return [
            *([document.maturity_summary] if document.maturity_summary else []),
            *(f"- {line.title}: {line.sentence}" for line in document.maturity),
        ]
    if sid == "good_practice":
        return [document.good_practice_intro, *(f"- {g.title}" for g in document.good_practice)]
    if sid == "close":
        return []
    story = next(t for t in document.themes if t.theme_id == sid)
    head = " ".join(x for x in (story.overall or story.note or "", story.comparison) if x)
    return [head, *(f"- {f.sentence}" for f in story.findings)]


def _section_title(document: CouncilDocument, sid: str) -> str:
    lang = document.report.lang
    if sid in (*FIXED_BEFORE, *FIXED_AFTER):
        return messages()(lang, f"notes.section.{sid}")
    return next(t.title for t in document.themes if t.theme_id == sid)


def draft_toml(documents: dict[Lang, CouncilDocument], notes: Notes | None = None) -> str:
    """The draft an auditor edits: both languages' generated text in comments, the auditor's
    words (empty, or as stored) in strings. `read_notes` of it gives `notes` back exactly."""
    notes = notes or Notes()
    t = messages()
    first = documents["cy"]
    council = first.report.council
    out: list[str] = []
    for lang in LANGS:
        forms = council.forms(lang)
        out += _comment([t(lang, "notes.file.title", **forms)])
        out += _comment(t(lang, "notes.file.howto").split("\n"))
        out.append("#")
    out.append(f"#   datatool notes import {council.slug} FILE")
    out.append(f"#   datatool report {council.slug} --final")
    for sid in section_ids(first):
        note = notes.sections.get(sid, SectionNote())
        out.append("")
        for lang in LANGS:
            doc = documents[lang]
            out += _comment([f"{t(lang, 'notes.generated')}: {_section_title(doc, sid)}"])
            text = _section_text(doc, sid)
            out += _comment(text or [t(lang, "notes.nothing_generated")])
        out.append(f"[section.{sid}]")
        out.append(f"cy = {toml_string(note.cy)}")
        out.append(f"en = {toml_string(note.en)}")
    for rec in first.recommendations:
        choice = notes.recommendations.get(rec.id, RecommendationNote())
        out.append("")
        for lang in LANGS:
            generated = next(r for r in documents[lang].recommendations if r.id == rec.id)
            label = t(lang, "rec.number", n=generated.number)
            out += _comment([f"{label} {generated.text}"])
            out += _comment(f"  - {e.sentence}" for e in generated.evidence)
        out.append(f"[recommendation.{rec.id}]")
        out.append(f"action = {toml_string(choice.action)}")
        out.append(f"cy = {toml_string(choice.cy)}")
        out.append(f"en = {toml_string(choice.en)}")
    return "\n".join(out) + "\n"


# --- reading a draft back ----------------------------------------------------------------------

ProblemCode = Literal[
    "syntax",
    "top_level",
    "unknown_section",
    "unknown_recommendation",
    "unknown_key",
    "not_text",
    "too_long",
    "bad_action",
    "reword_empty",
    "text_not_reworded",
]


class Problem(_Model):
    """One thing wrong with a draft, at a line of the file (1 = the first)."""

    line: int
    code: ProblemCode
    where: str = ""
    """The table or key it is about (``section.vision``, ``recommendation.standards.action``)."""
    detail: str = ""

    def say(self, lang: Lang) -> str:
        return messages()(
            lang,
            f"notes.problem.{self.code}",
            line=self.line,
            where=self.where,
            detail=self.detail,
        )


class DraftRejected(ValueError):
    """The draft has problems; nothing of it may be stored."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.code} {p.where}" for p in problems))
        self.problems = tuple(problems)


_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*(?:\.\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*)?\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=(.*)$")


def _lines(text: str) -> dict[str, int]:
    """Where each table and key starts: ``section.vision`` and ``section.vision.en`` -> line.
    A scan, not a parser (tomllib gives no positions): it follows tables, keys and multi-line
    strings, which is all a draft holds."""
    found: dict[str, int] = {}
    table = ""
    open_quote: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if open_quote is not None:
            if line.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        header = _HEADER.match(line)
        if header:
            name, item = header.group(1), (header.group(2) or "").strip('"')
            table = f"{name}.{item}" if item else name
            found.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            found.setdefault(f"{table}.{key.group(1)}" if table else key.group(1), number)
            value = key.group(2)
            for quote in ('"""', "'''"):
                if value.count(quote) % 2 == 1:
                    open_quote = quote
                    break
    return found


def _line(lines: dict[str, int], *names: str) -> int:
    return next((lines[n] for n in names if n in lines), 1)


def read_notes(text: str, document: CouncilDocument) -> Notes:
    """The draft's notes, checked against the report as it is now (`document`, either
    language): every problem, each named by line, or `DraftRejected`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise DraftRejected(
            [Problem(line=int(found.group(1)) if found else 1, code="syntax", detail=str(exc))]
        ) from None
    lines = _lines(text)
    problems: list[Problem] = []
    sections_known = section_ids(document)
    recs_known = {r.id for r in document.recommendations}
    for key, value in data.items():
        if key not in ("section", "recommendation") or not isinstance(value, dict):
            problems.append(Problem(line=_line(lines, key), code="top_level", where=key))
    sections: dict[str, SectionNote] = {}
    raw_sections = data.get("section", {})
    for sid, table in raw_sections.items() if isinstance(raw_sections, dict) else ():
        where = f"section.{sid}"
        if sid not in sections_known:
            problems.append(
                Problem(
                    line=_line(lines, where),
                    code="unknown_section",
                    where=where,
                    detail=", ".join(sections_known),
                )
            )
            continue
        texts = _texts(table, where, lines, MAX_SECTION, problems, allowed=("en", "cy"))
        if texts["en"] or texts["cy"]:
            sections[sid] = SectionNote(**texts)
    recommendations: dict[str, RecommendationNote] = {}
    raw_recs = data.get("recommendation", {})
    for rid, table in raw_recs.items() if isinstance(raw_recs, dict) else ():
        where = f"recommendation.{rid}"
        if rid not in recs_known:
            problems.append(
                Problem(line=_line(lines, where), code="unknown_recommendation", where=where)
            )
            continue
        allowed = ("action", "en", "cy")
        texts = _texts(table, where, lines, MAX_RECOMMENDATION, problems, allowed=allowed)
        action = table.get("action", "keep") if isinstance(table, dict) else "keep"
        if action not in ACTIONS:
            problems.append(
                Problem(
                    line=_line(lines, f"{where}.action", where),
                    code="bad_action",
                    where=f"{where}.action",
                    detail=repr(action),
                )
            )
            continue
        if action == "reword" and not (texts["en"] or texts["cy"]):
            problems.append(
                Problem(
                    line=_line(lines, f"{where}.action", where), code="reword_empty", where=where
                )
            )
        elif action != "reword" and (texts["en"] or texts["cy"]):
            lang = "en" if texts["en"] else "cy"
            problems.append(
                Problem(
                    line=_line(lines, f"{where}.{lang}", where),
                    code="text_not_reworded",
                    where=where,
                    detail=action,
                )
            )
        if action != "keep":
            recommendations[rid] = RecommendationNote(action=action, **texts)
    if problems:
        problems.sort(key=lambda p: p.line)
        raise DraftRejected(problems)
    return Notes(sections=sections, recommendations=recommendations)


def _texts(
    table: Any,
    where: str,
    lines: dict[str, int],
    limit: int,
    problems: list[Problem],
    *,
    allowed: tuple[str, ...],
) -> dict[str, str]:
    out = {"en": "", "cy": ""}
    if not isinstance(table, dict):
        problems.append(Problem(line=_line(lines, where), code="not_text", where=where))
        return out
    for key, value in table.items():
        at = f"{where}.{key}"
        if key not in allowed:
            problems.append(
                Problem(line=_line(lines, at, where), code="unknown_key", where=at, detail=key)
            )
        elif key in out:
            if not isinstance(value, str):
                problems.append(Problem(line=_line(lines, at, where), code="not_text", where=at))
                continue
            text = clean(value)
            if len(text) > limit:
                problems.append(
                    Problem(
                        line=_line(lines, at, where),
                        code="too_long",
                        where=at,
                        detail=f"{len(text)}/{limit}",
                    )
                )
            out[key] = text
    return out


# --- into the document -------------------------------------------------------------------------


def paragraphs(text: str) -> tuple[str, ...]:
    """A note's paragraphs: a blank line starts a new one; lines within one are joined."""
    parts = re.split(r"\n\s*\n", clean(text))
    return tuple(" ".join(p.split()) for p in parts if p.strip())


def apply_notes(document: CouncilDocument, notes: Notes) -> CouncilDocument:
    """The document with the auditor's paragraphs under their sections (in the document's
    language) and the recommendations they dropped gone, those they reworded reworded, each
    keeping its evidence; the rest renumbered from 1 in order."""
    lang = document.report.lang
    commentary = {
        sid: paragraphs(getattr(note, lang))
        for sid, note in notes.sections.items()
        if getattr(note, lang)
    }
    number = 0
    themes: list[ThemeStory] = []
    for story in document.themes:
        kept: list[RecommendationResult] = []
        for rec in story.recommendations:
            note = notes.recommendations.get(rec.id)
            if note is not None and note.action == "drop":
                continue
            number += 1
            reworded = note is not None and note.action == "reword" and bool(getattr(note, lang))
            kept.append(
                rec.model_copy(
                    update={
                        "number": number,
                        "text": " ".join(getattr(note, lang).split()) if reworded else rec.text,
                        "reworded": reworded,
                    }
                )
                if note is not None and reworded
                else rec.model_copy(update={"number": number})
            )
        themes.append(story.model_copy(update={"recommendations": tuple(kept)}))
    return document.model_copy(update={"themes": tuple(themes), "commentary": commentary})


def final_stamp(lang: Lang, made_on: date, release_id: int, responses: int) -> FinalStamp:
    """The stamp of the version to publish: "Final", its date and the release it rests on."""
    when = format_date(made_on, format="long", locale="en_GB" if lang == "en" else "cy")
    line = messages().plural(lang, "final.line", responses, date=when, release=release_id)
    return FinalStamp(made_on=made_on, release_id=release_id, responses=responses, line=line)
