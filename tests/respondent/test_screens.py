"""Every screen the bot can show, in both languages, is a message Telegram accepts."""

from __future__ import annotations

import re
import string

import pytest

from bot.app import load_texts
from bot.respondent.screens import Context, answered_text, render
from flows import (
    MAX_TEXT,
    AcceptPrivacy,
    Answer,
    ChooseLanguage,
    ShowReview,
    SurveyState,
    current_screen,
    step,
)
from rubric.loader import load_questionnaire
from rubric.schema import GROUPS, LANGS, Group, Lang
from standin import check_text

TEXTS = load_texts()
Q = load_questionnaire()
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def ctx(lang: Lang, group: Group) -> Context:
    return Context(
        questionnaire=Q,
        texts=TEXTS,
        lang=lang,
        group=group,
        council_name="Cyngor Bwrdeistref Sirol Castell-nedd Port Talbot",
        min_group_size=5,
    )


def _markup_ok(markup: object) -> None:
    if markup is None:
        return
    for row in markup.inline_keyboard:  # type: ignore[attr-defined]
        for button in row:
            assert button.text.strip()
            assert 1 <= len(button.callback_data.encode()) <= 64


def test_catalogs_match_and_are_translated() -> None:
    en, cy = TEXTS.keys("en"), TEXTS.keys("cy")
    assert en == cy
    for key in en:
        english, welsh = TEXTS("en", key), TEXTS("cy", key)
        assert sorted(PLACEHOLDER.findall(english)) == sorted(PLACEHOLDER.findall(welsh)), key
        if key not in {"cmd.start"} and len(english) > 12:
            assert english != welsh, f"{key} is not translated"


def test_every_catalog_text_is_valid_telegram_html() -> None:
    for lang in LANGS:
        for key in TEXTS.keys(lang):
            values = {name: "x" for name in PLACEHOLDER.findall(TEXTS(lang, key))}
            check_text(TEXTS(lang, key, **values) if values else TEXTS(lang, key))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("group", GROUPS)
def test_every_question_renders_within_telegram_rules(lang: Lang, group: Group) -> None:
    state = SurveyState(group=group)
    state = step(Q, state, ChooseLanguage(lang=lang)).state
    check_text(render(current_screen(Q, state), ctx(lang, group)).text)
    state = step(Q, state, AcceptPrivacy()).state
    for index, question in enumerate(Q.questions_for(group), start=1):
        screen = current_screen(Q, state)
        rendered = render(screen, ctx(lang, group))
        check_text(rendered.text)
        _markup_ok(rendered.markup)
        scale = Q.scale(question)
        answer = (
            Answer(text=("<b>&amp; " + string.printable) * 30)
            if scale is None
            else Answer(choice=scale.options[0].id)
        )
        check_text(
            answered_text(question, answer, index, len(Q.questions_for(group)), ctx(lang, group))
        )
        state = state.model_copy(
            update={"answers": {**state.answers, question.id: answer}, "cursor": None}
        )
    review = step(Q, state, ShowReview())
    rendered = render(review.screen, ctx(lang, group))
    check_text(rendered.text)
    _markup_ok(rendered.markup)


def test_review_with_longest_answers_fits() -> None:
    for lang in LANGS:
        for group in GROUPS:
            answers = {
                q.id: Answer(text="ŵ" * MAX_TEXT) if q.kind == "text" else Answer(choice="n")
                for q in Q.questions_for(group)
            }
            answers.update(
                {q.id: Answer(choice="dk") for q in Q.questions_for(group) if q.kind == "level"}
            )
            state = SurveyState(
                group=group, language=lang, privacy_accepted=True, answers=answers, reviewing=True
            )
            rendered = render(current_screen(Q, state), ctx(lang, group))
            check_text(rendered.text)
            assert (
                "Cyflwyno" in str(rendered.markup)
                if lang == "cy"
                else "Submit" in str(rendered.markup)
            )


def test_user_text_is_escaped() -> None:
    question = next(q for q in Q.questions if q.kind == "text")
    text = answered_text(
        question, Answer(text="<script>alert(1)</script> & co"), 1, 2, ctx("en", "officer")
    )
    assert "<script>" not in text and "&lt;script&gt;" in text and "&amp; co" in text
    check_text(text)
