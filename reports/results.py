"""The report as data: pydantic results that the templates only lay out.

Every sentence a reader sees is already in the report's language here (findings, comparisons,
what was withheld), so the summary message and the HTML document cannot disagree. Figures are
counts plus whole percentages rounded half up, as the Powys report prints them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from reports.survey_dates import SurveyDates
from rubric.schema import Group, Lang

CellKind = Literal["all", "officer", "member", "audience", "team", "wales"]
"""``audience``: a group the questionnaire names besides officers and members (its ``group``
is the audience's name, its ``label`` the questionnaire's label for it)."""
FindingRule = Literal["most", "not_believe", "half", "mixed", "none"]
Comparison = Literal["more", "similar", "less"]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CouncilNames(Protocol):
    """What a report needs of a council (``storage.rows.Council`` has it)."""

    # Read-only properties, so that a frozen row model satisfies the protocol.
    @property
    def slug(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def name_cy(self) -> str: ...
    @property
    def name_cy_soft(self) -> str: ...
    @property
    def name_cy_nasal(self) -> str: ...
    @property
    def name_cy_aspirate(self) -> str: ...


class CouncilName(_Result):
    slug: str
    name_en: str
    name_cy: str
    name_cy_soft: str
    name_cy_nasal: str
    name_cy_aspirate: str

    @classmethod
    def of(cls, council: CouncilNames) -> CouncilName:
        return cls(**{f: getattr(council, f) for f in cls.model_fields})

    def forms(self, lang: Lang) -> dict[str, str]:
        """Placeholders for catalog texts: {council} (radical), {council_soft} (after i, gan, o),
        {council_nasal} (after yng), {council_aspirate} (after a). English has one form."""
        if lang == "en":
            return dict.fromkeys(
                ("council", "council_soft", "council_nasal", "council_aspirate"), self.name_en
            )
        return {
            "council": self.name_cy,
            "council_soft": self.name_cy_soft,
            "council_nasal": self.name_cy_nasal,
            "council_aspirate": self.name_cy_aspirate,
        }


def percent(part: int, whole: int) -> int:
    """Whole percent, rounded half up, in integers (10/23 -> 43, 15/73 -> 21, 25/96 -> 26)."""
    if whole <= 0:
        raise ValueError("percent of nothing")
    return (200 * part + whole) // (2 * whole)


def lower_middle(values: Sequence[int]) -> int | None:
    """THE median rule of every report: the middle value, and the lower of the two middle
    values when their number is even (so always a value somebody gave: a whole level, a
    council's own share). 1, 1, 2, 3 -> 1; None with no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def median_level(levels: Sequence[int]) -> int | None:
    """The median level of the answers counted per level (levels[0] chose 1, ...), by
    `lower_middle`: (2, 1, 1) is 1, 1, 2, 3, so level 1."""
    n = sum(levels)
    if n == 0:
        return None
    position, running = (n - 1) // 2, 0
    for level, count in enumerate(levels, start=1):
        running += count
        if position < running:
            return level
    raise AssertionError("position beyond the answers")


class RateRow(_Result):
    row: str
    """An audience's name (``officer``, ``member``, ``cmt``), or ``total``."""
    label: str
    invited: int
    responded: int
    percent: int | None
    """None when nobody was invited."""
    caution: bool
    """Below the questionnaire's low_response_rate."""


class ResponseRates(_Result):
    rows: tuple[RateRow, ...]
    caution_below: int
    """The caution threshold, in whole percent."""


class Cell(_Result):
    """A group of respondents the report may show figures for."""

    key: str
    kind: CellKind
    group: Group | None = None
    team: str | None = None
    label: str
    """Heading, e.g. "Officers", "Corporate Management Team", "Wales"."""
    respondents: int
    shown: bool
    reason: Literal["small", "complementary", "empty", "rule"] | None = None
    """Why a group is shown nowhere: too few responded, hidden so that a small group cannot be
    subtracted out, nobody, or ("rule") the rule between releases or a unanimous view
    (`reports.confidentiality.make_release`)."""


class StatementResult(_Result):
    """One statement's answers in one shown group. "Don't know" is outside the base `n`."""

    cell: str
    n: int
    agree: int
    neither: int
    disagree: int
    dk: int
    agree_pct: int | None
    neither_pct: int | None
    disagree_pct: int | None
    rule: FindingRule
    finding: str


class Statement(_Result):
    question_id: str
    text: str
    clause: str = ""
    """The finding clause in the report's language (English after "agree that", Welsh after
    "cytuno bod"), for the sentences the narrative builds."""
    negative: bool = False
    """Agreeing is a bad sign (see `rubric.schema.Question.negative`)."""
    results: tuple[StatementResult, ...]
    """Shown groups only, council groups first and Wales last."""
    withheld: tuple[str, ...] = ()
    """Labels of groups shown elsewhere but not here: too few of them gave a view."""

    def result(self, cell: str) -> StatementResult | None:
        return next((r for r in self.results if r.cell == cell), None)

    def sides(self, result: StatementResult) -> tuple[int, int]:
        """(favourable, unfavourable) answers of one result: agreeing and disagreeing, the
        other way round for a negatively worded statement (disagreeing that data protection
        is a barrier takes the Authority's side). Reversed, never dropped."""
        if self.negative:
            return result.disagree, result.agree
        return result.agree, result.disagree


class ThemeComparison(_Result):
    council_pct: int | None
    wales_pct: int | None
    direction: Comparison | None
    sentence: str


class ThemeSection(_Result):
    theme_id: str
    title: str
    intro: str
    statements: tuple[Statement, ...]
    comparison: ThemeComparison
    headline: str | None
    """The council's finding for the statement that sets it furthest from Wales."""
    comments: tuple[str, ...]
    comments_note: str | None
    """Why comments are missing, when they are."""


class LevelResult(_Result):
    cell: str
    levels: tuple[int, int, int]
    dk: int
    n: int
    median: int | None
    """By the one median rule (`median_level`)."""


class MaturityRow(_Result):
    characteristic_id: str
    title: str
    descriptors: tuple[str, str, str]
    results: tuple[LevelResult, ...]
    """Shown groups among all, officers, elected members, and Wales."""

    def result(self, cell: str) -> LevelResult | None:
        return next((r for r in self.results if r.cell == cell), None)


class Report(_Result):
    lang: Lang
    council: CouncilName
    council_name: str
    """The council's name in the report's language (radical form)."""
    title: str
    generated_on: date
    min_group_size: int
    rates: ResponseRates
    cells: tuple[Cell, ...]
    themes: tuple[ThemeSection, ...]
    maturity: tuple[MaturityRow, ...]
    withheld: tuple[str, ...]
    """What was not shown and why, one sentence each."""
    currency: str = ""
    """How current the figures are: the release they come from and what came in since."""
    survey: SurveyDates | None = None
    """The council's survey window (`reports.survey_dates`), for the method section; None
    when no date was ever set."""

    def cell(self, key: str) -> Cell:
        return next(c for c in self.cells if c.key == key)

    def shown_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.shown)

    def levels(self, characteristic_id: str) -> LevelResult | None:
        """All respondents' levels on one key characteristic, where the report shows them."""
        row = next((r for r in self.maturity if r.characteristic_id == characteristic_id), None)
        return row.result("all") if row is not None else None


EvidenceKind = Literal["unfavourable", "favourable", "below_wales", "level", "level_high"]
"""unfavourable / favourable: a statement's views against / for the Authority; below_wales:
favourable views less often than in the rest of Wales; level / level_high: placements at or
below the trigger's level / at level 3."""
EvidenceSide = Literal["for", "against"]
"""Whether the figure supports the recommendation's action or argues against it."""
FindingKind = Literal["agree", "disagree", "group_gap", "team_gap", "wales_gap"]
"""agree / disagree: the strongest view for / against the Authority."""
ClaimKind = Literal[
    "superlative",
    "overall",
    "finding",
    "group_gap",
    "team_gap",
    "wales_gap",
    "theme_behind",
    "theme_level",
    "level_one",
    "level_median",
    "maturity",
    "response",
    "recommendation",
    "comment_topic",
    "change_figures",
    "change_level",
    "change_theme",
    "change_maturity",
]
Side = Literal["favourable", "unfavourable"]
View = Literal["positive", "negative", "mixed", "most", "divided", "none", ""]


class Evidence(_Result):
    """One shown figure that bears on a recommendation's action, and the sentence that cites
    it."""

    kind: EvidenceKind
    side: EvidenceSide = "for"
    cell: str
    subject: str
    """The statement's question id, or the characteristic's id."""
    pct: int
    count: int | None = None
    base: int | None = None
    wales_pct: int | None = None
    sentence: str

    @property
    def strength(self) -> int:
        """How strongly it speaks: the share, or the gap to Wales in points."""
        if self.kind == "below_wales" and self.wales_pct is not None:
            return abs(self.wales_pct - self.pct)
        return self.pct


class Claim(_Result):
    """One sentence about the figures and what it claims of them; `reports.claims` holds the
    predicate that checks it against the report's own shown figures."""

    kind: ClaimKind
    sentence: str
    subject: str = ""
    """A statement's, theme's, characteristic's or recommendation's id ("," between several);
    a comment topic's is ``theme_id/topic_id``."""
    cells: tuple[str, ...] = ("all",)
    """The groups whose figures it quotes."""
    side: Side | None = None
    view: View = ""
    figures: tuple[int, ...] = ()
    """The whole numbers the sentence quotes, in its order."""
    share: float = 0.0
    """The threshold the rule applied (``overall_share``, ``most_share``), where one did."""
    statements: tuple[str, ...] = ()
    characteristics: tuple[str, ...] = ()
    """A recommendation's: the figures that bear on its action."""
    evidence: tuple[Evidence, ...] = ()
    """A recommendation's: the figures it cites, for and against."""


class RecommendationResult(_Result):
    id: str
    number: int
    theme_id: str
    text: str
    evidence: tuple[Evidence, ...]
    reworded: bool = False
    """The auditor's wording (`reports.notes`), not the rule's."""
    """The figures that bear on its action, those for it first."""

    @property
    def evidence_for(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.side == "for")

    @property
    def evidence_against(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.side == "against")


class Finding(_Result):
    kind: FindingKind
    question_id: str
    sentence: str


class TopicGroup(_Result):
    """The comments of a theme on one topic (`reports.comment_topics`): how many, and the few
    said most often, each with how many said it."""

    topic_id: str
    label: str
    count: int
    sentence: str
    """"3 comments are about systems and technology.": a ``comment_topic`` claim."""
    quotes: tuple[tuple[str, int], ...]


class ThemeStory(_Result):
    theme_id: str
    title: str
    overall: str | None
    """"Overall, respondents to the data tool have a mixed view of ..."; None without figures."""
    comparison: str
    findings: tuple[Finding, ...]
    recommendations: tuple[RecommendationResult, ...]
    note: str | None = None
    topics: tuple[TopicGroup, ...] = ()
    """The topics two or more of its shown comments are about, most said first."""


class MaturityLine(_Result):
    characteristic_id: str
    title: str
    sentence: str
    shares: tuple[int | None, int | None, int | None]
    """Whole percent of all respondents at levels 1, 2, 3 (None when not shown)."""
    counts: tuple[int, int, int] | None


class Example(_Result):
    id: str
    title: str
    organisation: str
    summary: str
    characteristics: tuple[str, ...]
    """Titles of the characteristics it illustrates, weakest first among those matched."""


class FinalStamp(_Result):
    """The version to publish: when it was made and the release it rests on."""

    made_on: date
    release_id: int
    responses: int
    line: str
    """"Final: 27 November 2026, from release 3 (48 responses)", in the report's language."""


class CouncilDocument(_Result):
    report: Report
    key_messages: tuple[str, ...]
    themes: tuple[ThemeStory, ...]
    maturity: tuple[MaturityLine, ...]
    maturity_summary: str | None
    weakest: tuple[str, ...]
    """Characteristic ids, weakest first."""
    good_practice: tuple[Example, ...]
    good_practice_intro: str
    claims: tuple[Claim, ...] = ()
    """Every sentence above about the figures, as the claim it makes (`reports.claims`)."""
    commentary: dict[str, tuple[str, ...]] = {}
    """The auditor's own paragraphs by section id (`reports.notes`), in the report's language."""
    final: FinalStamp | None = None
    change: RoundChange | None = None
    """The change since the previous round (`reports.rounds.compare_rounds`), when given."""

    @property
    def recommendations(self) -> tuple[RecommendationResult, ...]:
        return tuple(r for t in self.themes for r in t.recommendations)


# --- change between rounds (`reports.rounds`) ----------------------------------------------

Asked = Literal["same", "reworded", "changed", "new"]
"""How a statement or key characteristic was asked now against the previous round: the same,
reworded (in either language), otherwise changed (its audience, say), or new."""


class StatementChange(_Result):
    """One statement shown for all respondents in both rounds: its figures then and now, as
    each round's report shows them."""

    question_id: str
    text: str
    """As asked now."""
    asked: Asked
    agree: tuple[int, int]
    disagree: tuple[int, int]
    """Whole percent then, now."""
    dk: tuple[int, int]
    """"Don't know" answers then, now (a count, as the report's annex shows it)."""
    favourable: tuple[int, int]
    """Whole percent of views on the Authority's side then, now (agreeing; disagreeing with a
    negatively worded statement)."""
    line: str
    """"Agree 38% → 52%; disagree 40% → 31%; don't know 3 → 2." (a `change_figures` claim)"""
    note: str | None = None
    """"(reworded since 2026)", "(asked differently since 2026)"."""


class LevelChange(_Result):
    characteristic_id: str
    title: str
    asked: Asked
    median: tuple[int, int]
    """All respondents' median level then, now."""
    line: str
    note: str | None = None


class ThemeChange(_Result):
    theme_id: str
    title: str
    statements: tuple[StatementChange, ...]
    """Those shown for all respondents in both rounds only: nothing hints at a figure withheld
    in either."""
    summary: str | None
    """"Of the 5 statements shown in both rounds, views moved ..." (a `change_theme` claim),
    with two statements or more to compare."""
    new: tuple[str, ...]
    """Texts of the statements asked now but not then (questionnaire facts, whatever the
    figures)."""
    removed: tuple[str, ...]
    """Texts of the statements asked then but not now, in this theme then (the last theme also
    lists those of a theme no longer asked)."""


class RoundChange(_Result):
    """What moved between two rounds of one council, from their two reports only."""

    lang: Lang
    previous_label: str
    current_label: str
    heading: str
    """"Change since 2026"."""
    note: str
    new_heading: str
    """"New in 2027"."""
    removed_heading: str
    """"No longer asked"."""
    themes: tuple[ThemeChange, ...]
    """In the current report's order of themes."""
    maturity: tuple[LevelChange, ...]
    maturity_summary: str | None
    maturity_new: tuple[str, ...]
    maturity_removed: tuple[str, ...]
    claims: tuple[Claim, ...]
    """Every sentence above about the figures, as its claim (`reports.change_claims`)."""

    def theme(self, theme_id: str) -> ThemeChange | None:
        return next((t for t in self.themes if t.theme_id == theme_id), None)


CouncilDocument.model_rebuild()
