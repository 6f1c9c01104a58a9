"""Pydantic models of the questionnaire and its scoring rules.

The questionnaire is data (``questionnaire.toml``); these models are the gate it passes at load,
so that a missing Welsh text, a duplicate id or a button too long for a phone is caught before any
respondent sees it, never in the middle of a survey.
"""

from __future__ import annotations

import functools
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["en", "cy"]
AUDIENCE_NAME = r"^[a-z][a-z0-9_]{0,23}$"
"""An audience's name (``officer``, ``cmt``): the roster's ``group`` column and XLSForm's
``relevant`` (``${group} = 'cmt'``) both spell it so."""
Group = Annotated[str, Field(pattern=AUDIENCE_NAME)]
"""An audience the questionnaire names: who a tool is for, and the roster row's group."""
QuestionKind = Literal["agree", "level", "text"]

LANGS: tuple[Lang, ...] = ("cy", "en")
"""Welsh first, as the Welsh Language Standards ask wherever both languages are shown."""
GROUPS: tuple[Group, ...] = ("officer", "member")
"""The default audiences: every questionnaire that names none asks officers and members."""

MAX_BUTTON_LABEL = 32
"""Longest button label (characters) that stays on one line of a phone's inline keyboard."""
MAX_QUESTION_ID = 16
"""Question ids travel in callback_data (64 bytes), so they are kept short."""
DONT_KNOW = "dk"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Frozen):
    """A text in both languages; neither may be empty."""

    en: str = Field(min_length=1)
    cy: str = Field(min_length=1)

    @field_validator("en", "cy")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value.strip()

    def __call__(self, lang: Lang) -> str:
        return self.cy if lang == "cy" else self.en


class Option(_Frozen):
    """One answer button."""

    id: str = Field(pattern=r"^[a-z0-9]{1,4}$")
    label: Text

    @field_validator("label")
    @classmethod
    def _fits_a_button(cls, label: Text) -> Text:
        for lang in LANGS:
            if len(label(lang)) > MAX_BUTTON_LABEL:
                raise ValueError(
                    f"button label {label(lang)!r} is longer than {MAX_BUTTON_LABEL} characters"
                )
        return label


class Scale(_Frozen):
    """The answer options of a kind of question, in display order."""

    options: tuple[Option, ...] = Field(min_length=2)
    agree: tuple[str, ...] = ()
    """Option ids counted as agreeing (agree scale only)."""
    disagree: tuple[str, ...] = ()
    neither: tuple[str, ...] = ()
    excluded: tuple[str, ...] = (DONT_KNOW,)
    """Option ids left out of every base ("Don't know")."""

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    @model_validator(mode="after")
    def _ids_known(self) -> Scale:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate option id in {ids}")
        for name in ("agree", "disagree", "neither", "excluded"):
            unknown = set(getattr(self, name)) - set(ids)
            if unknown:
                raise ValueError(f"{name} names unknown options {sorted(unknown)}")
        return self


class Audience(_Frozen):
    """A group the questionnaire has a tool for, as the roster names it, with its label (the
    report's row for the group, and the workbook's ``audience`` choice)."""

    id: Group
    label: Text


DEFAULT_AUDIENCES: tuple[Audience, ...] = (
    Audience(id="officer", label=Text(en="Officers", cy="Swyddogion")),
    Audience(id="member", label=Text(en="Elected members", cy="Aelodau etholedig")),
)


class Theme(_Frozen):
    id: str = Field(pattern=r"^[a-z_]{1,24}$")
    title: Text
    intro: Text
    """The theme's opening paragraph, as in the Powys report."""


class Characteristic(_Frozen):
    """A key characteristic of the maturity table, with its three level descriptors."""

    id: str = Field(pattern=r"^[a-z_]{1,24}$")
    title: Text
    theme: str
    levels: tuple[Text, Text, Text]


class Question(_Frozen):
    id: str = Field(pattern=rf"^[a-z0-9_]{{1,{MAX_QUESTION_ID}}}$")
    kind: QuestionKind
    theme: str
    characteristic: str | None = None
    text: Text
    """The prompt; for officers, and for members too unless ``member_text`` is set."""
    member_text: Text | None = None
    audience: tuple[Group, ...] = GROUPS
    optional: bool = False
    negative: bool = False
    """Agreeing is a bad sign ("data protection is seen as a barrier"): the statement keeps
    its own finding, but stays out of a theme's pooled share of agreement."""
    finding: Text | None = None
    """For agree statements: the clause a finding sentence is built around. English follows
    "agree that ..."; Welsh follows "cytuno bod ..." (so it starts with its subject, e.g.
    "yr Awdurdod yn trin data ...")."""

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.kind == "level" and self.characteristic is None:
            raise ValueError(f"level question {self.id} needs a characteristic")
        if self.kind != "level" and self.characteristic is not None:
            raise ValueError(f"only level questions name a characteristic ({self.id})")
        if self.negative and self.kind != "agree":
            raise ValueError(f"only agree statements can be negative ({self.id})")
        if self.kind == "agree" and self.finding is None:
            raise ValueError(f"agree statement {self.id} needs a finding clause")
        if not self.audience or len(set(self.audience)) != len(self.audience):
            raise ValueError(f"question {self.id} needs a non-repeating audience")
        return self

    def asks(self, group: Group) -> bool:
        return group in self.audience

    def prompt(self, lang: Lang, group: Group) -> str:
        text = self.member_text if group == "member" and self.member_text else self.text
        return text(lang)


class FindingThresholds(_Frozen):
    """Shares (0..1 of those who gave a view) that choose a finding sentence."""

    most: float = Field(0.6, gt=0.5, le=1)
    """At least this share agree: "Most respondents agree that ..."; disagree: "do not believe"."""
    half_low: float = Field(0.4, ge=0, lt=0.5)
    half_high: float = Field(0.6, gt=0.5, le=1)
    """Agree and disagree both within [half_low, half_high]: "Around half ... whereas around
    half disagree"."""
    low_response_rate: float = Field(0.3, gt=0, lt=1)
    """Response rates below this carry a caution."""


class Questionnaire(_Frozen):
    version: str
    title: Text
    themes: tuple[Theme, ...]
    characteristics: tuple[Characteristic, ...]
    scales: dict[Literal["agree", "level"], Scale]
    questions: tuple[Question, ...]
    thresholds: FindingThresholds = FindingThresholds()
    audiences: tuple[Audience, ...] = Field(DEFAULT_AUDIENCES, min_length=1)
    """Who the tools are for; each question says which of them it asks."""

    @model_validator(mode="after")
    def _references_resolve(self) -> Questionnaire:
        def unique(kind: str, ids: list[str]) -> None:
            seen: set[str] = set()
            for i in ids:
                if i in seen:
                    raise ValueError(f"duplicate {kind} id {i!r}")
                seen.add(i)

        unique("theme", [t.id for t in self.themes])
        unique("characteristic", [c.id for c in self.characteristics])
        unique("question", [q.id for q in self.questions])
        unique("audience", [a.id for a in self.audiences])
        audience_ids = {a.id for a in self.audiences}
        theme_ids = {t.id for t in self.themes}
        char_ids = {c.id for c in self.characteristics}
        for c in self.characteristics:
            if c.theme not in theme_ids:
                raise ValueError(f"characteristic {c.id} names unknown theme {c.theme!r}")
        for q in self.questions:
            if q.theme not in theme_ids:
                raise ValueError(f"question {q.id} names unknown theme {q.theme!r}")
            if q.characteristic is not None and q.characteristic not in char_ids:
                raise ValueError(
                    f"question {q.id} names unknown characteristic {q.characteristic!r}"
                )
            unknown = [g for g in q.audience if g not in audience_ids]
            if unknown:
                raise ValueError(f"question {q.id} names unknown audience {unknown[0]!r}")
        if set(self.scales) != {"agree", "level"}:
            raise ValueError("the questionnaire needs exactly the 'agree' and 'level' scales")
        return self

    # Lookups used by flows, reports and the bot.

    # The questionnaire is frozen, so its indexes are worked out once (flows asks these on
    # every answer; a scan of the questions each time was a measurable part of an answer).

    @functools.cached_property
    def _by_id(self) -> dict[str, Question]:
        found: dict[str, Question] = {}
        for q in self.questions:
            found.setdefault(q.id, q)
        return found

    @functools.cached_property
    def _by_group(self) -> dict[str, tuple[Question, ...]]:
        return {g: tuple(q for q in self.questions if q.asks(g)) for g in self.groups}

    @functools.cached_property
    def groups(self) -> tuple[Group, ...]:
        """The audiences' names, in the questionnaire's order."""
        return tuple(a.id for a in self.audiences)

    def audience(self, group: str) -> Audience | None:
        """The audience of that name, if the questionnaire has a tool for it."""
        return next((a for a in self.audiences if a.id == group), None)

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def questions_for(self, group: Group) -> tuple[Question, ...]:
        """The questions this group is asked, in order."""
        asked = self._by_group.get(group)
        return asked if asked is not None else tuple(q for q in self.questions if q.asks(group))

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)

    def characteristic(self, characteristic_id: str) -> Characteristic:
        return next(c for c in self.characteristics if c.id == characteristic_id)

    def scale(self, question: Question) -> Scale | None:
        """The buttons of a question; None for free-text questions."""
        if question.kind == "text":
            return None
        return self.scales[question.kind]
