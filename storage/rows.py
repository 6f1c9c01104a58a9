"""Row models: what `storage` hands out and takes in. Frozen, so a row read once cannot be
mistaken for the database's current state after someone changes it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from rubric.schema import Group, Lang
from storage.plain_text import check_plain, clean_words

BindOutcome = Literal["bound", "already_yours", "taken", "unknown", "has_other"]
Unreachable = Literal["blocked", "bounced"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Council(_Row):
    id: int
    slug: str
    slug_cy: str
    name_en: str
    name_cy: str
    name_cy_soft: str
    """After i, gan, o, ar, am: "i Gyngor Sir Powys"."""
    name_cy_nasal: str
    """After yng (= in): "yng Nghyngor Sir Powys"."""
    name_cy_aspirate: str
    """After a (= and): "a Chyngor Sir Powys"."""

    def name(self, lang: Lang) -> str:
        return self.name_cy if lang == "cy" else self.name_en


class RosterRow(_Row):
    """One line of a roster CSV, checked. `council` is still as the operator wrote it."""

    council: str = Field(min_length=1)
    group: str = Field(min_length=1)
    """Any text here: whether it is one of the current questionnaire's audiences is the
    import's check (``bot.cli.roster``), which names the audiences there are."""
    name: str = Field(min_length=1)
    email: str
    language: Lang | None = None
    team: str | None = None

    @field_validator("council", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("group", mode="before")
    @classmethod
    def _group(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        email = value.strip().lower()
        if not _EMAIL.match(email):
            # Its own error type, so the command line can word it in the operator's language.
            raise PydanticCustomError(
                "not_email", "{value} is not an email address", {"value": repr(value)}
            )
        return email

    @field_validator("language", "team", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("name", "team", mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        """Names and teams normalised, so look-alikes are one name (see storage.plain_text)."""
        return clean_words(value) if isinstance(value, str) else value

    # Defined last because pydantic runs "before" validators last-defined first: these checks
    # see the field exactly as the file had it, before any stripping.
    @field_validator("council", "group", "email", "language", mode="before")
    @classmethod
    def _plain(cls, value: object) -> object:
        """No line breaks, control or invisible characters in any field."""
        return check_plain(value) if isinstance(value, str) else value


class Invitee(_Row):
    id: int
    council_id: int
    council_slug: str
    group: Group
    name: str
    email: str
    language: Lang | None
    team: str | None
    token: str | None
    telegram_id: int | None
    opened_at: datetime | None
    emailed_at: datetime | None
    unreachable: Unreachable | None


class Invitation(_Row):
    council_slug: str
    group: Group
    name: str
    email: str
    language: Lang | None
    token: str


class SurveyRecord(_Row):
    """A respondent's response row: where they are in the survey, not their answers."""

    id: int
    invitee_id: int
    language: Lang | None
    privacy_accepted: bool
    cursor: str | None
    reviewing: bool
    started_at: datetime
    updated_at: datetime
    submitted_at: datetime | None

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class StoredAnswer(_Row):
    """One stored answer. `choice` and `text` both None means the question was skipped."""

    question_id: str = Field(min_length=1)
    choice: str | None = None
    text: str | None = None


class ImportResult(_Row):
    added: int
    updated: int
    unchanged: int


class RemoveResult(_Row):
    """What ``roster remove`` did: emails removed, of whom some had answered (withdrawn, as
    by /forget), and emails the council's roster does not have."""

    removed: list[str]
    answered: list[str]
    unknown: list[str]


class StatusRow(_Row):
    group: Group
    invited: int
    emailed: int
    opened: int
    started: int
    submitted: int
    unreachable: int


StoredWindow = tuple[date | None, datetime | None, date | None]
"""A council's survey window as stored: (closes_on, closed_at, opens_on)."""


@dataclass(frozen=True, slots=True)
class UpdateContext:
    """Everything the bot reads before it handles one update, read at once
    (`Repository.update_context`): who wrote, their survey, their council's window, and whether
    this update was handled already. A plain dataclass: its rows come typed from the schema,
    and it is made once per update."""

    invitee: Invitee | None = None
    council: Council | None = None
    language: Lang | None = None
    """Their survey's language, else their account's; None while unknown."""
    record: SurveyRecord | None = None
    answers: dict[str, StoredAnswer] = field(default_factory=dict)
    window: StoredWindow | None = None
    """Their council's stored window; None when none was ever set (open)."""
    handled: bool = False
    """A `handled_updates` row exists for the update: its outcome is stored, so a delivery
    again is a no-op."""
    questionnaire_version: int | None = None
    """The questionnaire version the person answers: their response's (pinned when it was
    made), else the newest stored one; None: the packaged questionnaire."""
