"""What the bot shows next, as plain values; the bot renders them in the person's language.

Screens carry the questionnaire's own ``Question`` objects, so the bot has the prompt
(``question.prompt(lang, group)``), the kind and the options (``questionnaire.scale(question)``)
without looking anything up again.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from flows.answers import Answer
from rubric.schema import Question


class _Screen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LanguageScreen(_Screen):
    """Choose Cymraeg or English (shown in both languages)."""

    kind: Literal["language"] = "language"


class PrivacyScreen(_Screen):
    """The privacy notice with a Continue button."""

    kind: Literal["privacy"] = "privacy"


class AskScreen(_Screen):
    """One question with its progress (``index/total``) and buttons."""

    kind: Literal["ask"] = "ask"
    question: Question
    index: int = Field(ge=1)
    """1-based position in the group's list of questions."""
    total: int = Field(ge=1)
    current: Answer | None = None
    """What is stored for this question, so the keyboard can mark it."""
    can_skip: bool = False
    from_review: bool = False
    """Changing an answer from the review: answering (or Back) returns to the review."""


class ReviewItem(_Screen):
    index: int = Field(ge=1)
    question: Question
    answer: Answer | None
    """None = not answered yet."""


class ReviewScreen(_Screen):
    """Every question of the group with its answer, Change buttons and Submit."""

    kind: Literal["review"] = "review"
    items: tuple[ReviewItem, ...]
    missing: tuple[str, ...] = ()
    """Required questions not yet answered, in order; Submit works only when empty."""

    @property
    def can_submit(self) -> bool:
        return not self.missing


class DoneScreen(_Screen):
    """Thank you: the answers are submitted."""

    kind: Literal["done"] = "done"


Screen = Annotated[
    LanguageScreen | PrivacyScreen | AskScreen | ReviewScreen | DoneScreen,
    Field(discriminator="kind"),
]
