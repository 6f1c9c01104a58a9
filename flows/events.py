"""What a respondent can do, as plain values.

The bot turns each Telegram update (a button's callback data, a typed message, ``/start``,
``/language``) into one of these and hands it to ``flows.conversation.step``. Ids in events
come from the outside world (callback data can be forged or stale), so they are plain strings
here and ``step`` judges them against the questionnaire.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from rubric.schema import Lang


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChooseLanguage(_Event):
    """A language button or ``/language``: allowed at any time, even after submitting."""

    lang: Lang


class AcceptPrivacy(_Event):
    """The privacy notice's Continue button."""


class Choose(_Event):
    """An answer button: ``a:<question_id>:<option_id>``."""

    question_id: str
    option_id: str


class Type(_Event):
    """A typed message (the answer to a free-text question, or a mistake elsewhere)."""

    text: str


class Skip(_Event):
    """The Skip button of an optional question."""

    question_id: str


class Back(_Event):
    """The Back button under a question."""

    question_id: str


class ShowReview(_Event):
    """Ask to see the review of all answers."""


class Change(_Event):
    """A question's Change button on the review."""

    question_id: str


class Submit(_Event):
    """The review's Submit button."""


class Resume(_Event):
    """``/start`` again, or any reason to show where the person is without changing anything."""


Event = (
    ChooseLanguage
    | AcceptPrivacy
    | Choose
    | Type
    | Skip
    | Back
    | ShowReview
    | Change
    | Submit
    | Resume
)
