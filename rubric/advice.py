"""What a council report advises, as data: recommendations, good-practice examples and the
rules that choose the report's key messages and most telling findings.

Three files sit beside the questionnaire: ``recommendations.toml`` (what the Authority should
do, and the trigger that makes each one appear), ``good_practice.toml`` (the national study's
examples, each tied to the key characteristics it illustrates) and ``narrative.toml`` (the
thresholds that pick key messages and findings, and each theme's topic phrase). They pass the
same gate as the questionnaire: pydantic models at load, then a check that every statement,
characteristic and theme they name exists in the questionnaire, so a typo in an id is refused at
start-up rather than silently never firing.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rubric.loader import QuestionnaireError, _message, _where, load_questionnaire
from rubric.schema import Questionnaire, Text

HERE = Path(__file__).parent
RECOMMENDATIONS = HERE / "recommendations.toml"
GOOD_PRACTICE = HERE / "good_practice.toml"
NARRATIVE = HERE / "narrative.toml"

TriggerGroup = Literal["all", "officer", "member", "team"]
Share = float


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Trigger(_Frozen):
    """When a recommendation appears: any one condition, in any of ``groups`` whose figures the
    report shows. Shares are of those who gave a view; points are percentage points."""

    groups: tuple[TriggerGroup, ...] = ("all", "officer", "member")
    unfavourable_at_least: Share | None = Field(None, gt=0, le=1)
    """A share holding the unfavourable view of a listed statement (disagreeing; agreeing, for
    a negatively worded one), with no majority holding the favourable view."""
    below_wales_points: int | None = Field(None, gt=0, le=100)
    """All respondents give favourable views on a listed statement this many points less often
    than respondents in the rest of Wales."""
    at_or_below_level: int = Field(1, ge=1, le=2)
    level_share_at_least: Share | None = Field(None, gt=0, le=1)
    """A share placing the Authority at ``at_or_below_level`` or lower on a listed
    characteristic."""

    @model_validator(mode="after")
    def _some_condition(self) -> Trigger:
        if (
            self.unfavourable_at_least is None
            and self.below_wales_points is None
            and self.level_share_at_least is None
        ):
            raise ValueError("a trigger needs at least one condition")
        if not self.groups or len(set(self.groups)) != len(self.groups):
            raise ValueError("a trigger needs a non-repeating list of groups")
        return self


class Recommendation(_Frozen):
    id: str = Field(pattern=r"^[a-z_]{1,32}$")
    theme: str
    statements: tuple[str, ...] = ()
    """The statements that bear on its action, and only those: the trigger reads them, the
    evidence names each, for and against, and a favourable majority on them withholds it."""
    characteristics: tuple[str, ...] = ()
    """The key characteristics that bear on its action."""
    text: Text
    """"The Authority should ..." / "Dylai'r Awdurdod ...": the council report's voice."""
    councils: Text
    """"Councils should ..." / "Dylai cynghorau ...": the national report's voice."""
    trigger: Trigger

    @model_validator(mode="after")
    def _tied(self) -> Recommendation:
        if not self.statements and not self.characteristics:
            raise ValueError(f"recommendation {self.id} is tied to no statement or characteristic")
        starts = {
            "text": {"en": "The Authority should ", "cy": "Dylai'r Awdurdod "},
            "councils": {"en": "Councils should ", "cy": "Dylai cynghorau "},
        }
        for field, by_lang in starts.items():
            for lang, start in by_lang.items():
                if not getattr(self, field)(lang).startswith(start):
                    problem = f"recommendation {self.id} {field} ({lang}) must start {start!r}"
                    raise ValueError(problem)
        return self


class GoodPractice(_Frozen):
    id: str = Field(pattern=r"^[a-z_]{1,32}$")
    title: Text
    organisation: Text
    summary: Text
    characteristics: tuple[str, ...] = Field(min_length=1)


class KeyMessageRules(_Frozen):
    min: int = Field(3, ge=1)
    max: int = Field(6, ge=1)
    wales_gap_points: int = Field(10, gt=0)
    """A theme at least this far below Wales (in agreement) is a key message."""
    group_gap_points: int = Field(20, gt=0)
    """Officers and elected members this far apart on a statement is a key message."""
    level_share: Share = Field(0.5, gt=0, le=1)
    """Characteristics where at least this share place the Authority at level 1."""
    strong_share: Share = Field(0.6, gt=0, le=1)
    """The strongest agreement or disagreement with any statement, if at least this share."""


class FindingRules(_Frozen):
    overall_share: Share = Field(0.6, gt=0.5, le=1)
    """A theme's pooled agreement (or disagreement) from which its view is "positive"
    ("negative"); "mixed" otherwise."""
    min: int = Field(2, ge=1)
    max: int = Field(4, ge=1)
    strong_share: Share = Field(0.5, gt=0, le=1)
    group_gap_points: int = Field(20, gt=0)
    wales_gap_points: int = Field(10, gt=0)


class MaturityRules(_Frozen):
    most_share: Share = Field(0.6, gt=0.5, le=1)
    """At least this share at one level: "Most respondents place the Authority at level N"."""


class GoodPracticeRules(_Frozen):
    weakest: int = Field(3, ge=1)
    """How many of the weakest characteristics examples are matched to."""
    max_examples: int = Field(3, ge=1)


class Topic(_Frozen):
    theme: str
    text: Text
    """The theme as the object of a view: English after "a mixed view of", Welsh after "barn
    gymysg am" (so already soft-mutated: "weledigaeth ...")."""


class Narrative(_Frozen):
    key_messages: KeyMessageRules = KeyMessageRules()
    findings: FindingRules = FindingRules()
    maturity: MaturityRules = MaturityRules()
    good_practice: GoodPracticeRules = GoodPracticeRules()
    topics: tuple[Topic, ...] = ()

    def topic(self, theme_id: str) -> Text | None:
        return next((t.text for t in self.topics if t.theme == theme_id), None)


class Advice(_Frozen):
    recommendations: tuple[Recommendation, ...]
    good_practice: tuple[GoodPractice, ...]
    narrative: Narrative

    @model_validator(mode="after")
    def _unique(self) -> Advice:
        for kind, ids in (
            ("recommendation", [r.id for r in self.recommendations]),
            ("good practice", [g.id for g in self.good_practice]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {kind} id in {ids}")
        return self


def check_advice(advice: Advice, questionnaire: Questionnaire) -> list[str]:
    """Every id the advice names exists in the questionnaire; an empty list means all is well."""
    problems: list[str] = []
    themes = {t.id for t in questionnaire.themes}
    characteristics = {c.id for c in questionnaire.characteristics}
    statements = {q.id for q in questionnaire.questions if q.kind == "agree"}
    for r in advice.recommendations:
        if r.theme not in themes:
            problems.append(f"recommendations (id {r.id!r}): unknown theme {r.theme!r}")
        for s in r.statements:
            if s not in statements:
                problems.append(f"recommendations (id {r.id!r}): unknown statement {s!r}")
        for c in r.characteristics:
            if c not in characteristics:
                problems.append(f"recommendations (id {r.id!r}): unknown characteristic {c!r}")
        t = r.trigger
        if t.level_share_at_least is not None and not r.characteristics:
            problems.append(f"recommendations (id {r.id!r}): a level trigger needs characteristics")
        if (t.unfavourable_at_least or t.below_wales_points) and not r.statements:
            problems.append(f"recommendations (id {r.id!r}): a statement trigger needs statements")
    for g in advice.good_practice:
        for c in g.characteristics:
            if c not in characteristics:
                problems.append(f"good_practice (id {g.id!r}): unknown characteristic {c!r}")
    for topic in advice.narrative.topics:
        if topic.theme not in themes:
            problems.append(f"narrative topics: unknown theme {topic.theme!r}")
    return problems


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QuestionnaireError(f"{path}: cannot read it ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(f"{path}: not valid TOML: {exc}") from exc


def load_advice(
    questionnaire: Questionnaire | None = None,
    *,
    recommendations: Path = RECOMMENDATIONS,
    good_practice: Path = GOOD_PRACTICE,
    narrative: Path = NARRATIVE,
) -> Advice:
    """Read and check the three files (the packaged ones, against the packaged questionnaire,
    are read once per process)."""
    default = (recommendations, good_practice, narrative) == (
        RECOMMENDATIONS,
        GOOD_PRACTICE,
        NARRATIVE,
    )
    if questionnaire is None and default:
        return _load_default()
    return _load(questionnaire or load_questionnaire(), recommendations, good_practice, narrative)


@functools.cache
def _load_default() -> Advice:
    return _load(load_questionnaire(), RECOMMENDATIONS, GOOD_PRACTICE, NARRATIVE)


def _load(questionnaire: Questionnaire, recs: Path, practice: Path, narrative: Path) -> Advice:
    raw = {
        "recommendations": _read(recs).get("recommendations", []),
        "good_practice": _read(practice).get("examples", []),
        "narrative": _read(narrative),
    }
    try:
        advice = Advice.model_validate(raw)
    except ValidationError as exc:
        errors = "\n".join(f"  {_where(raw, e['loc'])}: {_message(e)}" for e in exc.errors())
        raise QuestionnaireError(f"{recs.parent}: problems in the advice files:\n{errors}") from exc
    problems = check_advice(advice, questionnaire)
    if problems:
        listed = "\n".join(f"  {p}" for p in problems)
        raise QuestionnaireError(
            f"{recs.parent}: the advice does not match the questionnaire:\n{listed}"
        )
    return advice
