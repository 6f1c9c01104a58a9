"""The conversation's paths, one event at a time, on a small questionnaire built in the test."""

from __future__ import annotations

import time
from collections.abc import Iterable

import pytest

from flows.conversation import (
    MAX_TEXT,
    PRIVACY_CURSOR,
    AcceptPrivacy,
    Answer,
    AskScreen,
    Back,
    Change,
    Choose,
    ChooseLanguage,
    DoneScreen,
    Event,
    LanguageScreen,
    PrivacyScreen,
    Resume,
    ReviewScreen,
    ShowReview,
    Skip,
    Step,
    Submit,
    SurveyState,
    Type,
    current_screen,
    missing,
    step,
)
from rubric.schema import (
    Characteristic,
    Group,
    Option,
    Question,
    Questionnaire,
    Scale,
    Text,
    Theme,
)


def _t(en: str, cy: str) -> Text:
    return Text(en=en, cy=cy)


def sample_questionnaire() -> Questionnaire:
    """Officers: agree1, level1, officer1, mt1, note1.  Members: agree1, level1, member1, mt1,
    note1.  ``mt1`` is optional with a member wording; ``note1`` is optional free text."""
    agree = Scale(
        options=(
            Option(id="sa", label=_t("Strongly agree", "Cytuno'n gryf")),
            Option(id="a", label=_t("Agree", "Cytuno")),
            Option(id="n", label=_t("Neither", "Ddim yn cytuno nac yn anghytuno")),
            Option(id="d", label=_t("Disagree", "Anghytuno")),
            Option(id="sd", label=_t("Strongly disagree", "Anghytuno'n gryf")),
            Option(id="dk", label=_t("Don't know", "Ddim yn gwybod")),
        ),
        agree=("sa", "a"),
        disagree=("d", "sd"),
        neither=("n",),
    )
    level = Scale(
        options=(
            Option(id="1", label=_t("Level 1", "Lefel 1")),
            Option(id="2", label=_t("Level 2", "Lefel 2")),
            Option(id="3", label=_t("Level 3", "Lefel 3")),
            Option(id="dk", label=_t("Don't know", "Ddim yn gwybod")),
        )
    )
    finding = _t("data is used well", "data'n cael ei ddefnyddio'n dda")
    return Questionnaire(
        version="test",
        title=_t("Use of data", "Defnyddio data"),
        themes=(Theme(id="culture", title=_t("Culture", "Diwylliant"), intro=_t("I", "C")),),
        characteristics=(
            Characteristic(
                id="leadership",
                title=_t("Leadership", "Arweinyddiaeth"),
                theme="culture",
                levels=(_t("a", "a"), _t("b", "b"), _t("c", "c")),
            ),
        ),
        scales={"agree": agree, "level": level},
        questions=(
            Question(
                id="agree1",
                kind="agree",
                theme="culture",
                text=_t("Data is valued", "Mae data'n cael ei werthfawrogi"),
                finding=finding,
            ),
            Question(
                id="level1",
                kind="level",
                theme="culture",
                characteristic="leadership",
                text=_t("Leadership level", "Lefel arweinyddiaeth"),
            ),
            Question(
                id="officer1",
                kind="agree",
                theme="culture",
                audience=("officer",),
                text=_t("I have the tools", "Mae gennyf yr offer"),
                finding=finding,
            ),
            Question(
                id="member1",
                kind="agree",
                theme="culture",
                audience=("member",),
                text=_t("I get the reports", "Rwy'n cael yr adroddiadau"),
                finding=finding,
            ),
            Question(
                id="mt1",
                kind="agree",
                theme="culture",
                optional=True,
                text=_t("Staff share data", "Mae staff yn rhannu data"),
                member_text=_t("Officers share data", "Mae swyddogion yn rhannu data"),
                finding=finding,
            ),
            Question(
                id="note1",
                kind="text",
                theme="culture",
                optional=True,
                text=_t("Anything else?", "Unrhyw beth arall?"),
            ),
        ),
    )


Q = sample_questionnaire()
OFFICER_IDS = ["agree1", "level1", "officer1", "mt1", "note1"]
MEMBER_IDS = ["agree1", "level1", "member1", "mt1", "note1"]


def run(state: SurveyState, events: Iterable[Event], q: Questionnaire = Q) -> Step:
    """Apply events in turn; every step's screen must be where its state says."""
    result = Step(state=state, screen=current_screen(q, state))
    for event in events:
        result = step(q, result.state, event)
        assert result.screen == current_screen(q, result.state)
    return result


def started(group: Group = "officer") -> SurveyState:
    """Language chosen and privacy accepted: on question 1."""
    return run(SurveyState(group=group), [ChooseLanguage(lang="cy"), AcceptPrivacy()]).state


def asked(result: Step) -> str:
    assert isinstance(result.screen, AskScreen), result.screen
    return result.screen.question.id


def at(state: SurveyState, qid: str, **answers: Answer) -> SurveyState:
    return state.model_copy(update={"cursor": qid, "answers": answers})


A = Answer(choice="a")


# The whole journey.


def test_full_journey_officer() -> None:
    s = SurveyState(group="officer")
    assert current_screen(Q, s) == LanguageScreen()

    r = step(Q, s, ChooseLanguage(lang="en"))
    assert r.screen == PrivacyScreen() and r.notice is None and r.saved == {}
    assert r.state.language == "en"

    r = step(Q, r.state, AcceptPrivacy())
    assert r.state.privacy_accepted
    assert isinstance(r.screen, AskScreen)
    assert (r.screen.question.id, r.screen.index, r.screen.total) == ("agree1", 1, 5)
    assert r.screen.current is None and not r.screen.can_skip and not r.screen.from_review
    assert r.state.cursor == "agree1"

    r = step(Q, r.state, Choose(question_id="agree1", option_id="sa"))
    assert r.saved == {"agree1": Answer(choice="sa")} and r.notice is None
    assert asked(r) == "level1" and r.screen.index == 2  # type: ignore[union-attr]

    r = step(Q, r.state, Choose(question_id="level1", option_id="2"))
    assert asked(r) == "officer1"
    r = step(Q, r.state, Choose(question_id="officer1", option_id="dk"))
    assert asked(r) == "mt1" and r.screen.can_skip  # type: ignore[union-attr]
    r = step(Q, r.state, Choose(question_id="mt1", option_id="d"))
    assert asked(r) == "note1" and r.screen.index == 5  # type: ignore[union-attr]

    r = step(Q, r.state, Type(text="  We need better dashboards.\n"))
    assert r.saved == {"note1": Answer(text="We need better dashboards.")}
    assert isinstance(r.screen, ReviewScreen)
    assert r.state.reviewing and r.state.cursor is None
    assert [i.question.id for i in r.screen.items] == OFFICER_IDS
    assert [i.index for i in r.screen.items] == [1, 2, 3, 4, 5]
    assert r.screen.items[1].answer == Answer(choice="2")
    assert r.screen.missing == () and r.screen.can_submit

    r = step(Q, r.state, Submit())
    assert r.notice is None and r.state.submitted
    assert r.screen == DoneScreen() and r.saved == {}
    assert r.state.answers == {
        "agree1": Answer(choice="sa"),
        "level1": Answer(choice="2"),
        "officer1": Answer(choice="dk"),
        "mt1": Answer(choice="d"),
        "note1": Answer(text="We need better dashboards."),
    }


def test_members_get_their_own_list_and_wording() -> None:
    s = started("member")
    screens = []
    r = Step(state=s, screen=current_screen(Q, s))
    while isinstance(r.screen, AskScreen):
        screens.append(r.screen)
        question = r.screen.question
        event: Event = (
            Type(text="ok")
            if question.kind == "text"
            else Choose(question_id=question.id, option_id="dk")
        )
        r = step(Q, r.state, event)
    assert [sc.question.id for sc in screens] == MEMBER_IDS
    assert all(sc.total == 5 for sc in screens)
    mt = screens[3].question
    assert mt.prompt("en", "member") == "Officers share data"
    assert mt.prompt("cy", "member") == "Mae swyddogion yn rhannu data"
    assert mt.prompt("en", "officer") == "Staff share data"
    assert isinstance(r.screen, ReviewScreen)
    assert [i.question.id for i in r.screen.items] == MEMBER_IDS


def test_question_of_the_other_group_is_invalid() -> None:
    s = started("member")
    r = step(Q, s, Choose(question_id="officer1", option_id="a"))
    assert r.notice == "invalid" and r.state == s and r.saved == {}
    s = started("officer")
    for event in (
        Choose(question_id="member1", option_id="a"),
        Back(question_id="member1"),
        Change(question_id="member1"),
    ):
        r = step(Q, s, event)
        assert r.notice == "invalid" and r.state == s


# Back.


def test_back_from_question_3_to_2_to_1_to_privacy_and_continue() -> None:
    s = run(
        started(),
        [Choose(question_id="agree1", option_id="a"), Choose(question_id="level1", option_id="3")],
    ).state
    assert s.cursor == "officer1"

    r = step(Q, s, Back(question_id="officer1"))
    assert asked(r) == "level1" and r.saved == {} and r.notice is None
    assert r.screen.current == Answer(choice="3")  # type: ignore[union-attr]
    assert r.screen.index == 2  # type: ignore[union-attr]

    r = step(Q, r.state, Back(question_id="level1"))
    assert asked(r) == "agree1"
    r = step(Q, r.state, Back(question_id="agree1"))
    assert r.screen == PrivacyScreen()
    assert r.state.privacy_accepted and r.state.cursor == PRIVACY_CURSOR
    assert r.state.answers == s.answers

    r = step(Q, r.state, AcceptPrivacy())
    assert asked(r) == "agree1" and r.notice is None
    assert r.screen.current == A  # type: ignore[union-attr]

    # Continue on an old privacy message once questions are showing: a double tap.
    r2 = step(Q, r.state, AcceptPrivacy())
    assert r2.notice == "duplicate" and r2.state == r.state


def test_back_with_an_old_question_id_is_stale() -> None:
    s = run(started(), [Choose(question_id="agree1", option_id="a")]).state
    r = step(Q, s, Back(question_id="agree1"))
    assert r.notice == "stale" and r.state == s and asked(r) == "level1"


def test_answering_after_back_goes_on_in_order_and_keeps_later_answers() -> None:
    s = run(
        started(),
        [Choose(question_id="agree1", option_id="a"), Choose(question_id="level1", option_id="3")],
    ).state
    r = run(s, [Back(question_id="officer1"), Choose(question_id="level1", option_id="1")])
    assert asked(r) == "officer1"
    assert r.saved == {"level1": Answer(choice="1")}
    assert r.state.answers == {"agree1": A, "level1": Answer(choice="1")}


def test_same_answer_again_moves_on_but_saves_nothing() -> None:
    s = run(started(), [Choose(question_id="agree1", option_id="a")]).state
    r = run(s, [Back(question_id="level1"), Choose(question_id="agree1", option_id="a")])
    assert asked(r) == "level1" and r.saved == {} and r.notice is None


# Skip.


def test_skip_only_on_optional_questions() -> None:
    s = started()
    r = step(Q, s, Skip(question_id="agree1"))
    assert r.notice == "invalid" and r.state == s

    s = at(started(), "mt1")
    r = step(Q, s, Skip(question_id="mt1"))
    assert r.notice is None and r.saved == {"mt1": Answer()} and r.saved["mt1"].skipped
    assert asked(r) == "note1"

    r = step(Q, r.state, Skip(question_id="note1"))
    assert r.saved == {"note1": Answer()}
    assert isinstance(r.screen, ReviewScreen) and r.screen.missing == (
        "agree1",
        "level1",
        "officer1",
    )


def test_skip_tapped_twice_is_a_duplicate_and_skip_of_an_old_question_stale() -> None:
    s = at(started(), "mt1")
    r = step(Q, s, Skip(question_id="mt1"))
    again = step(Q, r.state, Skip(question_id="mt1"))
    assert again.notice == "duplicate" and again.state == r.state and again.saved == {}

    answered = at(started(), "note1", mt1=Answer(choice="a"))
    r = step(Q, answered, Skip(question_id="mt1"))
    assert r.notice == "stale" and r.state == answered


def test_skipped_optional_question_counts_as_done_when_deriving() -> None:
    s = started().model_copy(
        update={
            "cursor": None,
            "answers": {"agree1": A, "level1": Answer(choice="2"), "mt1": Answer()},
        }
    )
    screen = current_screen(Q, s)
    assert isinstance(screen, AskScreen) and screen.question.id == "officer1"


# Text.


def test_text_too_long_or_empty_is_refused_and_nothing_saved() -> None:
    s = at(started(), "note1")
    for text, notice in (
        ("", "expected_text"),
        ("  \n\t ", "expected_text"),
        ("x" * (MAX_TEXT + 1), "too_long"),
    ):
        r = step(Q, s, Type(text=text))
        assert r.notice == notice and r.state == s and r.saved == {} and asked(r) == "note1"

    r = step(Q, s, Type(text="  " + "y" * MAX_TEXT + "  "))
    assert r.notice is None and r.saved == {"note1": Answer(text="y" * MAX_TEXT)}


def test_typed_text_on_a_button_question_or_screen_expects_a_button() -> None:
    s = started()
    r = step(Q, s, Type(text="agree"))
    assert r.notice == "expected_button" and r.state == s and asked(r) == "agree1"

    for state in (SurveyState(group="officer"), SurveyState(group="officer", language="en")):
        r = step(Q, state, Type(text="hello"))
        assert r.notice == "expected_button" and r.state == state

    review = at(started(), "note1").model_copy(update={"cursor": None, "reviewing": True})
    r = step(Q, review, Type(text="hello"))
    assert r.notice == "expected_button" and isinstance(r.screen, ReviewScreen)


def test_choice_for_a_text_question_is_invalid() -> None:
    s = at(started(), "note1")
    r = step(Q, s, Choose(question_id="note1", option_id="a"))
    assert r.notice == "invalid" and r.state == s


# Stale, duplicate and forged taps.


def test_double_tap_is_a_duplicate_and_an_old_different_tap_is_stale() -> None:
    s = run(started(), [Choose(question_id="agree1", option_id="a")]).state
    r = step(Q, s, Choose(question_id="agree1", option_id="a"))
    assert r.notice == "duplicate" and r.state == s and r.saved == {} and asked(r) == "level1"

    r = step(Q, s, Choose(question_id="agree1", option_id="sd"))
    assert r.notice == "stale" and r.state == s and r.saved == {} and asked(r) == "level1"

    # A button of a later question, not asked yet.
    r = step(Q, s, Choose(question_id="officer1", option_id="sd"))
    assert r.notice == "stale" and r.state == s


@pytest.mark.parametrize(
    "event",
    [
        Choose(question_id="nope", option_id="a"),
        Choose(question_id="agree1", option_id="zz"),
        Choose(question_id="agree1", option_id="2"),  # a level option on an agree question
        Choose(question_id="level1", option_id="sa"),
        Skip(question_id="nope"),
        Back(question_id="nope"),
        Change(question_id="nope"),
    ],
)
def test_forged_ids_are_invalid(event: Event) -> None:
    s = started()
    r = step(Q, s, event)
    assert r.notice == "invalid" and r.state == s and r.saved == {}
    assert asked(r) == "agree1"


def test_question_buttons_before_privacy_or_language_are_stale() -> None:
    for state in (SurveyState(group="officer"), SurveyState(group="officer", language="cy")):
        r = step(Q, state, Choose(question_id="agree1", option_id="a"))
        assert r.notice == "stale" and r.state == state
        assert r.screen == current_screen(Q, state)
    r = step(Q, SurveyState(group="officer"), AcceptPrivacy())
    assert r.notice == "stale" and r.screen == LanguageScreen()


# Review.


def _all_answered(group: Group = "officer") -> SurveyState:
    ids = OFFICER_IDS if group == "officer" else MEMBER_IDS
    answers = {qid: Answer(text="t") if qid == "note1" else A for qid in ids}
    return started(group).model_copy(update={"cursor": None, "answers": answers})


def test_derived_review_when_everything_is_answered() -> None:
    s = _all_answered()
    assert isinstance(current_screen(Q, s), ReviewScreen)
    r = step(Q, s, ChooseLanguage(lang="en"))
    assert isinstance(r.screen, ReviewScreen) and r.state.reviewing


def test_change_from_review_returns_to_review() -> None:
    derived = step(Q, _all_answered(), ShowReview())
    assert derived.notice == "duplicate" and isinstance(derived.screen, ReviewScreen)
    s = _all_answered().model_copy(update={"reviewing": True})

    r = step(Q, s, Change(question_id="level1"))
    assert isinstance(r.screen, AskScreen)
    assert r.screen.question.id == "level1" and r.screen.from_review and r.screen.index == 2
    assert r.screen.current == A

    again = step(Q, r.state, Change(question_id="level1"))
    assert again.notice == "duplicate" and again.state == r.state

    done = step(Q, r.state, Choose(question_id="level1", option_id="3"))
    assert isinstance(done.screen, ReviewScreen) and done.saved == {"level1": Answer(choice="3")}
    assert done.screen.items[1].answer == Answer(choice="3")

    # Back while changing returns to the review without saving.
    r = run(s, [Change(question_id="agree1"), Back(question_id="agree1")])
    assert isinstance(r.screen, ReviewScreen) and r.saved == {} and r.state.answers == s.answers

    # Changing a free-text answer, and skipping an optional one, also return to the review.
    r = run(s, [Change(question_id="note1"), Type(text="new")])
    assert isinstance(r.screen, ReviewScreen) and r.state.answers["note1"] == Answer(text="new")
    r = run(s, [Change(question_id="mt1"), Skip(question_id="mt1")])
    assert isinstance(r.screen, ReviewScreen) and r.state.answers["mt1"] == Answer()


def test_change_when_not_on_the_review_is_stale() -> None:
    s = started()
    r = step(Q, s, Change(question_id="agree1"))
    assert r.notice == "stale" and r.state == s


def test_show_review_from_a_question_once_all_are_answered() -> None:
    s = _all_answered().model_copy(update={"cursor": "level1"})
    r = step(Q, s, ShowReview())
    assert r.notice is None and isinstance(r.screen, ReviewScreen) and r.state.reviewing
    assert r.state.cursor is None and r.saved == {}


def test_show_review_is_blocked_while_a_required_question_is_unanswered() -> None:
    s = at(started(), "mt1", agree1=A, officer1=A)
    r = step(Q, s, ShowReview())
    assert r.notice == "incomplete" and asked(r) == "level1" and r.saved == {}
    assert r.state.answers == s.answers and not r.state.reviewing


def test_submit_is_blocked_while_a_required_question_is_unanswered() -> None:
    # A review reached with a gap (e.g. the questionnaire gained a required question).
    s = started().model_copy(
        update={"cursor": None, "reviewing": True, "answers": {"agree1": A, "officer1": A}}
    )
    screen = current_screen(Q, s)
    assert isinstance(screen, ReviewScreen) and screen.missing == ("level1",)
    assert not screen.can_submit
    assert missing(Q, s) == ("level1",)

    r = step(Q, s, Submit())
    assert r.notice == "incomplete" and not r.state.submitted and r.saved == {}
    assert isinstance(r.screen, AskScreen) and r.screen.question.id == "level1"
    assert r.screen.from_review

    r = step(Q, r.state, Choose(question_id="level1", option_id="1"))
    assert isinstance(r.screen, ReviewScreen) and r.screen.can_submit
    r = step(Q, r.state, Submit())
    assert r.notice is None and r.state.submitted and r.screen == DoneScreen()


def test_submit_not_on_the_review_is_stale() -> None:
    s = at(started(), "note1", agree1=A, level1=A, officer1=A, mt1=A)
    r = step(Q, s, Submit())
    assert r.notice == "stale" and r.state == s and not r.state.submitted


def test_required_question_stored_as_skipped_is_missing() -> None:
    s = _all_answered()
    s = s.model_copy(update={"answers": {**s.answers, "agree1": Answer()}})
    screen = current_screen(Q, s)
    assert isinstance(screen, AskScreen) and screen.question.id == "agree1"
    assert missing(Q, s) == ("agree1",)


# After submitting.


def test_nothing_changes_after_submit() -> None:
    s = run(_all_answered(), [Submit()]).state
    assert s.submitted
    for event in (
        Choose(question_id="agree1", option_id="sd"),
        Type(text="more"),
        Skip(question_id="mt1"),
        Back(question_id="note1"),
        ShowReview(),
        Change(question_id="agree1"),
        Submit(),
        AcceptPrivacy(),
        Choose(question_id="nope", option_id="x"),
    ):
        r = step(Q, s, event)
        assert r.notice == "already_submitted", event
        assert r.state == s and r.saved == {} and r.screen == DoneScreen()

    r = step(Q, s, Resume())
    assert r.notice is None and r.state == s and r.screen == DoneScreen()
    r = step(Q, s, ChooseLanguage(lang="en"))
    assert r.notice is None and r.state.language == "en" and r.screen == DoneScreen()
    assert r.state.answers == s.answers and r.state.submitted


# Resume and language.


def test_resume_from_answers_only_derives_the_first_unanswered_question() -> None:
    rebuilt = SurveyState(
        group="officer",
        language="cy",
        privacy_accepted=True,
        cursor=None,
        answers={"agree1": A, "officer1": A},
    )
    r = step(Q, rebuilt, Resume())
    assert r.notice is None and r.state == rebuilt and r.saved == {}
    assert isinstance(r.screen, AskScreen) and r.screen.question.id == "level1"
    assert r.screen.index == 2

    # Answering the derived question goes on in order, and the cursor is then explicit.
    r = step(Q, rebuilt, Choose(question_id="level1", option_id="2"))
    assert asked(r) == "officer1" and r.state.cursor == "officer1"


def test_resume_with_an_unknown_cursor_derives() -> None:
    s = at(started(), "gone_question", agree1=A)
    screen = current_screen(Q, s)
    assert isinstance(screen, AskScreen) and screen.question.id == "level1"


def test_resume_before_privacy_and_language() -> None:
    assert step(Q, SurveyState(group="member"), Resume()).screen == LanguageScreen()
    s = SurveyState(group="member", language="en")
    assert step(Q, s, Resume()).screen == PrivacyScreen()
    assert (
        step(
            Q, s.model_copy(update={"cursor": PRIVACY_CURSOR, "privacy_accepted": True}), Resume()
        ).screen
        == PrivacyScreen()
    )


def test_language_switch_mid_survey_keeps_answers_and_screen() -> None:
    s = run(started(), [Choose(question_id="agree1", option_id="a")]).state
    before = current_screen(Q, s)
    r = step(Q, s, ChooseLanguage(lang="en"))
    assert r.notice is None and r.saved == {} and r.screen == before
    assert r.state.language == "en" and r.state.answers == s.answers

    s = at(started(), "mt1").model_copy(update={"reviewing": True})
    r = step(Q, s, ChooseLanguage(lang="en"))
    assert r.screen == current_screen(Q, s) and r.screen.from_review  # type: ignore[union-attr]

    priv = SurveyState(group="officer", language="cy")
    assert step(Q, priv, ChooseLanguage(lang="en")).screen == PrivacyScreen()


def test_answer_holds_one_kind() -> None:
    with pytest.raises(ValueError):
        Answer(choice="a", text="b")
    assert Answer().skipped and not A.skipped and not Answer(text="x").skipped


def test_a_step_takes_microseconds() -> None:
    s = at(started(), "level1", agree1=A)
    event = Choose(question_id="level1", option_id="2")
    n = 2000
    began = time.perf_counter()
    for _ in range(n):
        step(Q, s, event)
    per_step = (time.perf_counter() - began) / n
    assert per_step < 500e-6, f"{per_step * 1e6:.0f} µs per step"


# The real questionnaire (rubric/questionnaire.toml), once its loader exists.


def test_the_real_questionnaire_can_be_answered_to_the_end() -> None:
    loader = pytest.importorskip("rubric.loader")
    q: Questionnaire = loader.load_questionnaire()
    for group in ("officer", "member"):
        questions = q.questions_for(group)
        assert questions, group
        r = run(SurveyState(group=group), [ChooseLanguage(lang="cy"), AcceptPrivacy()], q)
        seen: list[str] = []
        while isinstance(r.screen, AskScreen):
            question = r.screen.question
            assert r.screen.index == len(seen) + 1 and r.screen.total == len(questions)
            seen.append(question.id)
            scale = q.scale(question)
            event: Event = (
                Type(text="Iawn")
                if scale is None
                else Choose(question_id=question.id, option_id=scale.options[0].id)
            )
            r = step(q, r.state, event)
            assert r.notice is None
        assert seen == [qu.id for qu in questions]
        assert isinstance(r.screen, ReviewScreen) and r.screen.can_submit
        r = step(q, r.state, Submit())
        assert r.screen == DoneScreen() and r.state.submitted


def test_a_question_of_another_version_is_stale_not_forged() -> None:
    """A button of an old message naming a question this version lacks (another version's,
    issue 25) gets the stale notice; an id no version has is still forged."""
    s = started()
    r = step(Q, s, Choose(question_id="gone1", option_id="a"), retired=frozenset({"gone1"}))
    assert r.notice == "stale" and r.state == s and r.saved == {}
    r = step(Q, s, Choose(question_id="zzz", option_id="a"), retired=frozenset({"gone1"}))
    assert r.notice == "invalid"
