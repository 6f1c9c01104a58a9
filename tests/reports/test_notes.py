"""The auditor's draft (`reports.notes`): the file round-trips exactly, every problem in an edited
draft is named by its line, and the notes land in the document, in each language."""

from __future__ import annotations

import tomllib
from functools import cache

import pytest

from reports.document import build_document
from reports.notes import (
    MAX_SECTION,
    DraftRejected,
    Notes,
    RecommendationNote,
    SectionNote,
    apply_notes,
    draft_toml,
    read_notes,
    section_ids,
)
from reports.render import render_html, render_summary, visible_length
from reports.results import CouncilDocument
from rubric.schema import Lang
from tests.reports.test_document import powys_people
from tests.support.report_rows import report


@cache
def documents() -> dict[Lang, CouncilDocument]:
    people = powys_people()
    return {lang: build_document(report(people, lang)) for lang in ("en", "cy")}


def _notes() -> Notes:
    docs = documents()
    first, second = docs["en"].recommendations[:2]
    return Notes(
        sections={
            "key_messages": SectionNote(
                en='The Authority\'s "data strategy" is a draft.\n\nA second paragraph \\ here.',
                cy="Drafft yw strategaeth ddata'r Awdurdod.\n\nAil baragraff.",
            ),
            "vision": SectionNote(
                en="Leaders talk about data.", cy="Mae arweinwyr yn sôn am ddata."
            ),
            "close": SectionNote(
                en="We will follow up in 2027.", cy="Byddwn yn dilyn hyn yn 2027."
            ),
        },
        recommendations={
            first.id: RecommendationNote(action="drop"),
            second.id: RecommendationNote(
                action="reword", en="Publish the strategy.", cy="Cyhoeddi'r strategaeth."
            ),
        },
    )


def test_the_draft_names_every_section_and_recommendation_and_round_trips() -> None:
    docs = documents()
    empty = draft_toml(docs)
    data = tomllib.loads(empty)
    assert list(data["section"]) == [
        "key_messages",
        *(t.theme_id for t in docs["en"].themes),
        "maturity",
        "good_practice",
        "close",
    ]
    assert all(v == {"cy": "", "en": ""} for v in data["section"].values())
    assert list(data["recommendation"]) == [r.id for r in docs["en"].recommendations]
    assert all(v["action"] == "keep" for v in data["recommendation"].values())
    # The generated text, in both languages, is in comments above each table.
    assert docs["en"].key_messages[0][:60] in empty
    assert docs["cy"].key_messages[0][:60] in empty
    assert docs["cy"].recommendations[0].text[:50] in empty
    assert empty.startswith("# ") and "datatool notes import powys" in empty
    assert read_notes(empty, docs["en"]) == Notes()

    notes = _notes()
    filled = draft_toml(docs, notes)
    assert read_notes(filled, docs["en"]) == notes
    assert draft_toml(docs, read_notes(filled, docs["cy"])) == filled


def _edit(text: str, table: str, key: str, value: str) -> str:
    """Sets `key` under `[table]` as an editor would: the line after the header that holds it."""
    lines = text.splitlines()
    start = lines.index(f"[{table}]")
    for i in range(start + 1, len(lines)):
        if lines[i].startswith(f"{key} = "):
            lines[i] = f"{key} = {value}"
            return "\n".join(lines) + "\n"
    raise AssertionError(f"{key} not under {table}")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_every_problem_is_named_by_its_line_and_nothing_is_taken() -> None:
    docs = documents()
    rec = docs["en"].recommendations[0].id
    text = draft_toml(docs)
    text = _edit(text, "section.vision", "en", '"' + "x" * (MAX_SECTION + 1) + '"')
    text = _edit(text, f"recommendation.{rec}", "action", '"remove"')
    text += '\n[section.conclusions]\nen = "?"\ncy = "?"\n'
    text += '\n[recommendation.gone_away]\naction = "drop"\n'
    with pytest.raises(DraftRejected) as caught:
        read_notes(text, docs["en"])
    found = {(p.code, p.line) for p in caught.value.problems}
    assert found == {
        ("too_long", _line_of(text, "x" * 50)),
        ("bad_action", _line_of(text, '"remove"')),
        ("unknown_section", _line_of(text, "[section.conclusions]")),
        ("unknown_recommendation", _line_of(text, "[recommendation.gone_away]")),
    }
    for lang in ("en", "cy"):
        said = [p.say(lang) for p in caught.value.problems]
        assert all(s.startswith(("line ", "llinell ")) for s in said)
    assert any("gone_away" in s for s in said)


def test_a_rewording_under_keep_and_broken_toml_are_refused_by_line() -> None:
    docs = documents()
    rec = docs["en"].recommendations[0].id
    text = _edit(draft_toml(docs), f"recommendation.{rec}", "en", '"New words."')
    with pytest.raises(DraftRejected) as caught:
        read_notes(text, docs["en"])
    (problem,) = caught.value.problems
    assert problem.code == "text_not_reworded" and problem.line == _line_of(text, "New words.")
    with pytest.raises(DraftRejected) as caught:
        read_notes(text.replace('"New words."', '"unclosed'), docs["en"])
    assert caught.value.problems[0].code == "syntax"
    assert caught.value.problems[0].line == _line_of(text, "New words.")


def test_the_notes_land_under_their_sections_in_each_language() -> None:
    docs, notes = documents(), _notes()
    dropped, reworded = (r.id for r in docs["en"].recommendations[:2])
    marks: tuple[tuple[Lang, str], ...] = (
        ("en", "Auditor&#39;s commentary"),
        ("cy", "Sylwadau&#39;r archwilydd"),
    )
    for lang, mark in marks:
        doc = apply_notes(docs[lang], notes)
        ids = [r.id for r in doc.recommendations]
        assert dropped not in ids and reworded in ids
        assert [r.number for r in doc.recommendations] == list(range(1, len(ids) + 1))
        changed = next(r for r in doc.recommendations if r.id == reworded)
        original = next(r for r in docs[lang].recommendations if r.id == reworded)
        assert changed.reworded and changed.text == getattr(notes.recommendations[reworded], lang)
        assert changed.evidence == original.evidence  # it keeps its figures
        html = render_html(doc, lang)
        assert html.count(mark) == 3  # key messages, vision, the close
        words = getattr(notes.sections["vision"], lang).replace("'", "&#39;")
        vision = html[html.index('id="theme-vision"') : html.index('id="theme-protection"')]
        assert words in vision and mark in vision
        summary = render_summary(doc, lang)
        assert words in summary and mark in summary
        assert getattr(notes.sections["close"], lang).replace("'", "&#39;") in summary
    assert set(section_ids(docs["en"])) >= set(notes.sections)


def test_one_language_tables_are_named() -> None:
    notes = Notes(
        sections={"vision": SectionNote(en="Only English.")},
        recommendations={"standards": RecommendationNote(action="reword", cy="Cymraeg yn unig.")},
    )
    assert notes.one_language() == ("section.vision", "recommendation.standards")
    assert _notes().one_language() == ()


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_summary_gives_key_messages_and_numbered_recommendations_within_telegrams_limit(
    lang: Lang,
) -> None:
    doc = documents()[lang]
    summary = render_summary(doc, lang)
    for line in doc.key_messages:
        assert f"• {line}".replace("'", "&#39;") in summary
    lines = summary.splitlines()
    for rec in doc.recommendations:
        label = "R" if lang == "en" else "A"
        assert f"{label}{rec.number} {rec.text}".replace("'", "&#39;") in lines
    # Every section at its longest: the paragraphs are shortened, the message still fits.
    long = "Gair " * (MAX_SECTION // 5)
    full = Notes(sections={sid: SectionNote(en=long, cy=long) for sid in section_ids(doc)})
    crowded = render_summary(apply_notes(doc, full), lang)
    assert visible_length(crowded) <= 4096
    assert crowded.count("Gair Gair") >= len(section_ids(doc))
    assert all(f"{label}{r.number} " in crowded for r in doc.recommendations)
