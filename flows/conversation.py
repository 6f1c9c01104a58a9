"""The survey conversation as one pure transition function: ``step(questionnaire, state, event)``.

Everything a respondent can do passes through ``step``, which returns the new state, the answers
that changed (for the bot to store in the same transaction as the state) and the screen to show.
Keeping this free of Telegram and SQL means every path, including double taps, stale buttons on
old messages and forged callback data, is tested here in microseconds.

Where the person is follows from the state alone (``current_screen``), so a state rebuilt from
the database (answers + cursor + flags) resumes exactly where it was left. ``cursor=None`` means
"derive": the first unanswered question of the group, or the review once all are answered.
Back from the first question sets the cursor to ``PRIVACY_CURSOR`` (not a valid question id), so
the privacy notice shows again while ``privacy_accepted`` stays true.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from flows.answers import MAX_TEXT, Answer
from flows.events import (
    AcceptPrivacy,
    Back,
    Change,
    Choose,
    ChooseLanguage,
    Event,
    Resume,
    ShowReview,
    Skip,
    Submit,
    Type,
)
from flows.screens import (
    AskScreen,
    DoneScreen,
    LanguageScreen,
    PrivacyScreen,
    ReviewItem,
    ReviewScreen,
    Screen,
)
from rubric.schema import Group, Lang, Question, Questionnaire

__all__ = [
    "MAX_TEXT",
    "PRIVACY_CURSOR",
    "AcceptPrivacy",
    "Answer",
    "AskScreen",
    "Back",
    "Change",
    "Choose",
    "ChooseLanguage",
    "DoneScreen",
    "Event",
    "LanguageScreen",
    "Notice",
    "PrivacyScreen",
    "Resume",
    "ReviewItem",
    "ReviewScreen",
    "Screen",
    "ShowReview",
    "Skip",
    "Step",
    "Submit",
    "SurveyState",
    "Type",
    "current_screen",
    "missing",
    "step",
]

PRIVACY_CURSOR = "@privacy"
"""Cursor value for "showing the privacy notice again" (after Back from the first question).
``@`` cannot occur in a question id, so it never collides with one."""

Notice = Literal[
    "stale",
    "duplicate",
    "too_long",
    "expected_button",
    "expected_text",
    "invalid",
    "already_submitted",
    "incomplete",
]
"""Why the event did not do what it asked; the bot answers with a short message for each.
``stale``: a button on an old message; ``duplicate``: the same tap again (double tap or a
redelivered update); ``invalid``: ids that no screen ever offered (forged callback data);
``incomplete``: the review or submit was asked for while a required question is unanswered."""


class SurveyState(BaseModel):
    """One respondent's place in the survey: the ``responses`` row plus its ``answers`` rows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group: Group
    language: Lang | None = None
    privacy_accepted: bool = False
    cursor: str | None = None
    """The question being asked (or ``PRIVACY_CURSOR``); None = derive from the answers."""
    reviewing: bool = False
    """On the review, or changing a question from it (answering returns to the review)."""
    submitted: bool = False
    answers: dict[str, Answer] = Field(default_factory=dict)


class Step(BaseModel):
    """The outcome of one event: store ``saved`` and the state's cursor, then show ``screen``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    state: SurveyState
    saved: dict[str, Answer] = Field(default_factory=dict)
    """Only the answers this event changed."""
    screen: Screen
    notice: Notice | None = None


@dataclass(frozen=True, slots=True)
class _Position:
    """Where a state stands; ``index`` is 0-based in the group's question list."""

    where: Literal["language", "privacy", "ask", "review", "done"]
    question: Question | None = None
    index: int = -1


def _finished(question: Question, answer: Answer | None) -> bool:
    """Answered, or skipped where skipping is allowed."""
    return answer is not None and (question.optional or not answer.skipped)


def _missing(questions: tuple[Question, ...], answers: dict[str, Answer]) -> tuple[str, ...]:
    return tuple(
        qu.id for qu in questions if not qu.optional and not _finished(qu, answers.get(qu.id))
    )


def missing(q: Questionnaire, state: SurveyState) -> tuple[str, ...]:
    """Required questions of the state's group without an answer, in order."""
    return _missing(q.questions_for(state.group), state.answers)


def _position(questions: tuple[Question, ...], state: SurveyState) -> _Position:
    if state.language is None:
        return _Position("language")
    if not state.privacy_accepted:
        return _Position("privacy")
    if state.submitted:
        return _Position("done")
    if state.cursor == PRIVACY_CURSOR:
        return _Position("privacy")
    if state.cursor is not None:
        for i, question in enumerate(questions):
            if question.id == state.cursor:
                return _Position("ask", question, i)
        # A cursor the group's list no longer holds (the questionnaire changed): derive.
    if state.reviewing:
        return _Position("review")
    for i, question in enumerate(questions):
        if not _finished(question, state.answers.get(question.id)):
            return _Position("ask", question, i)
    return _Position("review")


def _screen(questions: tuple[Question, ...], state: SurveyState, pos: _Position) -> Screen:
    if pos.where == "language":
        return LanguageScreen()
    if pos.where == "privacy":
        return PrivacyScreen()
    if pos.where == "done":
        return DoneScreen()
    if pos.where == "review":
        return ReviewScreen(
            items=tuple(
                ReviewItem(index=i, question=qu, answer=state.answers.get(qu.id))
                for i, qu in enumerate(questions, start=1)
            ),
            missing=_missing(questions, state.answers),
        )
    assert pos.question is not None
    return AskScreen(
        question=pos.question,
        index=pos.index + 1,
        total=len(questions),
        current=state.answers.get(pos.question.id),
        can_skip=pos.question.optional,
        from_review=state.reviewing,
    )


def current_screen(q: Questionnaire, state: SurveyState) -> Screen:
    """What the person should be looking at now."""
    questions = q.questions_for(state.group)
    return _screen(questions, state, _position(questions, state))


@dataclass(frozen=True, slots=True)
class _Context:
    """One event's inputs, computed once."""

    q: Questionnaire
    questions: tuple[Question, ...]
    state: SurveyState
    pos: _Position

    def stay(self, notice: Notice | None = None) -> Step:
        """Nothing changes; show the current screen again (with a notice)."""
        return Step(
            state=self.state,
            screen=_screen(self.questions, self.state, self.pos),
            notice=notice,
        )

    def move(
        self,
        notice: Notice | None = None,
        saved: dict[str, Answer] | None = None,
        **update: object,
    ) -> Step:
        """Go to the state with ``update`` (and ``saved`` merged into its answers)."""
        if saved:
            update["answers"] = {**self.state.answers, **saved}
        state = self.state.model_copy(update=update)
        pos = _position(self.questions, state)
        # Store where the person is explicitly, so the database cursor says what is shown.
        if pos.where == "ask" and state.cursor is None:
            assert pos.question is not None
            state = state.model_copy(update={"cursor": pos.question.id})
        elif pos.where == "review" and not state.reviewing:
            state = state.model_copy(update={"reviewing": True, "cursor": None})
        return Step(
            state=state,
            saved=saved or {},
            screen=_screen(self.questions, state, pos),
            notice=notice,
        )

    def asking(self, question_id: str) -> bool:
        return (
            self.pos.where == "ask"
            and self.pos.question is not None
            and (self.pos.question.id == question_id)
        )

    def known(self, question_id: str) -> Question | None:
        """The question, if it exists and is asked of this group."""
        question = self.q.question(question_id)
        if question is None or not question.asks(self.state.group):
            return None
        return question

    def answer(self, answer: Answer) -> Step:
        """Store the answer to the asked question and go on."""
        assert self.pos.question is not None
        qid = self.pos.question.id
        saved = {} if self.state.answers.get(qid) == answer else {qid: answer}
        if self.state.reviewing or self.pos.index + 1 >= len(self.questions):
            return self.move(saved=saved, cursor=None, reviewing=True)
        return self.move(saved=saved, cursor=self.questions[self.pos.index + 1].id)

    def tapped_again(self, question_id: str, answer: Answer) -> Step:
        """A button of a question that is not being asked: a repeat of what is stored, or old."""
        if self.state.answers.get(question_id) == answer:
            return self.stay("duplicate")
        return self.stay("stale")


def step(
    q: Questionnaire, state: SurveyState, event: Event, *, retired: frozenset[str] = frozenset()
) -> Step:
    """Apply one event; stored answers change only when the returned notice is None.
    ``retired``: question ids of other questionnaire versions, which ``q`` lacks; a tap naming
    one is a button of an old message (``stale``), not forged data."""
    questions = q.questions_for(state.group)
    ctx = _Context(q, questions, state, _position(questions, state))

    if isinstance(event, ChooseLanguage):
        return ctx.move(language=event.lang)
    if isinstance(event, Resume):
        return ctx.stay()
    if state.submitted:
        return ctx.stay("already_submitted")
    named = getattr(event, "question_id", None)
    if named is not None and named in retired and q.question(named) is None:
        return ctx.stay("stale")

    match event:
        case AcceptPrivacy():
            return _accept_privacy(ctx)
        case Choose(question_id=qid, option_id=option_id):
            return _choose(ctx, qid, option_id)
        case Type(text=text):
            return _type(ctx, text)
        case Skip(question_id=qid):
            return _skip(ctx, qid)
        case Back(question_id=qid):
            return _back(ctx, qid)
        case ShowReview():
            return _show_review(ctx)
        case Change(question_id=qid):
            return _change(ctx, qid)
        case Submit():
            return _submit(ctx)
    raise TypeError(f"not a survey event: {event!r}")


def _accept_privacy(ctx: _Context) -> Step:
    if ctx.pos.where == "language":
        return ctx.stay("stale")
    if ctx.pos.where != "privacy":
        return ctx.stay("duplicate")
    if not ctx.state.privacy_accepted:
        # First acceptance: go where the saved answers say (usually the first question).
        return ctx.move(privacy_accepted=True, cursor=None, reviewing=False)
    # Back on the first question showed the notice again; Continue returns to question 1.
    first = ctx.questions[0].id if ctx.questions else None
    return ctx.move(cursor=first, reviewing=False)


def _choose(ctx: _Context, qid: str, option_id: str) -> Step:
    question = ctx.known(qid)
    scale = ctx.q.scale(question) if question is not None else None
    if scale is None or scale.option(option_id) is None:
        return ctx.stay("invalid")
    answer = Answer(choice=option_id)
    if ctx.asking(qid):
        return ctx.answer(answer)
    return ctx.tapped_again(qid, answer)


def _type(ctx: _Context, text: str) -> Step:
    if ctx.pos.where != "ask" or ctx.pos.question is None or ctx.pos.question.kind != "text":
        return ctx.stay("expected_button")
    text = text.strip()
    if not text:
        return ctx.stay("expected_text")
    if len(text) > MAX_TEXT:
        return ctx.stay("too_long")
    return ctx.answer(Answer(text=text))


def _skip(ctx: _Context, qid: str) -> Step:
    question = ctx.known(qid)
    if question is None or not question.optional:
        return ctx.stay("invalid")
    if ctx.asking(qid):
        return ctx.answer(Answer())
    return ctx.tapped_again(qid, Answer())


def _back(ctx: _Context, qid: str) -> Step:
    if ctx.known(qid) is None:
        return ctx.stay("invalid")
    if not ctx.asking(qid):
        return ctx.stay("stale")
    if ctx.state.reviewing:
        return ctx.move(cursor=None, reviewing=True)
    if ctx.pos.index == 0:
        return ctx.move(cursor=PRIVACY_CURSOR)
    return ctx.move(cursor=ctx.questions[ctx.pos.index - 1].id)


def _show_review(ctx: _Context) -> Step:
    if ctx.pos.where in ("language", "privacy"):
        return ctx.stay("stale")
    if ctx.pos.where == "review":
        return ctx.stay("duplicate")
    gaps = _missing(ctx.questions, ctx.state.answers)
    if gaps:
        return ctx.move("incomplete", cursor=gaps[0], reviewing=False)
    return ctx.move(cursor=None, reviewing=True)


def _change(ctx: _Context, qid: str) -> Step:
    if ctx.known(qid) is None:
        return ctx.stay("invalid")
    if ctx.state.reviewing and ctx.asking(qid):
        return ctx.stay("duplicate")
    if ctx.pos.where != "review":
        return ctx.stay("stale")
    return ctx.move(cursor=qid, reviewing=True)


def _submit(ctx: _Context) -> Step:
    if ctx.pos.where != "review":
        return ctx.stay("stale")
    gaps = _missing(ctx.questions, ctx.state.answers)
    if gaps:
        # Answering the gap returns to the review, which then shows the next one.
        return ctx.move("incomplete", cursor=gaps[0], reviewing=True)
    return ctx.move(submitted=True, cursor=None, reviewing=False)
