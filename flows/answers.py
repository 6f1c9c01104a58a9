"""A stored answer, the same shape as a row of the ``answers`` table (choice, text)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator

MAX_TEXT = 2000
"""Longest free-text answer (characters, after trimming); longer ones are refused, not cut."""


class Answer(BaseModel):
    """One answer: a button's option id, or typed text; neither = skipped."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    choice: str | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Answer:
        if self.choice is not None and self.text is not None:
            raise ValueError("an answer is a choice or a text, not both")
        return self

    @property
    def skipped(self) -> bool:
        return self.choice is None and self.text is None
