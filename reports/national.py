"""The national study: all 22 councils side by side, built only from their own reports.

Where the figures come from. Each council's report is built as usual (`build_report`, one
council at a time, the same questionnaire, minimum and language), and the national report reads
nothing else: a council's response counts are its report's rate table; its placement on a key
characteristic and its share of agreement with a statement are its report's figures for "all
respondents"; officers' and elected members' figures are its report's figures for those groups.
What a council's report does not show (a small group, a group hidden so that another cannot be
worked out by subtraction, a council with too few respondents) is absent from the council's
report and so from every national figure, totals included: every Wales total here is a sum over
shown council figures only, so subtracting any councils' figures from it gives a sum of other
shown figures and never a withheld one.

Who may read it. It names councils (the rate table, the heat map), so it is for auditors who
cover every council; the bot and the CLI enforce that.

Placement. A council is placed at the median level its respondents chose, by the one median
rule every report uses (`reports.results.median_level`: the lower of the two middle answers when
their number is even, a whole level and the cautious one): 1, 1, 2, 3 places it at level 1, as
its own report says. The middle council of a spread is the same rule over councils' shares.
"Most councils" uses the questionnaire's ``most`` share, as "most respondents" does in a
council's findings.

Themes. A theme's share across Wales is the views favourable to the Authority among all the
views given on its statements, a negatively worded statement counted the other way round: the
same figure a council's report compares itself with, there less its own council ("the rest of
Wales"). Group rows add up only the councils whose own reports show that group; where those are
not the councils of the total, the report names them.

Recommendations and good practice. `rubric_advice` asks the council report's own rules
(`reports.recommend`, `reports.good_practice`, over the advice data in ``rubric/``) about each
council's own report: which recommendations it makes, which examples it offers. A council counts
only where it takes part: `national_recommendations` keeps the recommendations that most of
the councils taking part make in their own reports (a council whose report shows no figures
makes none, and still counts), each with how many and what share, in the national voice
("Councils should ..."); a council's own rule never makes a recommendation that a favourable
majority of its respondents contradicts. Every good-practice example is shown, with how many
of the reports with figures offer it. With no advice data the recommendations are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from reports.aggregate import WalesIndex, build_report
from reports.anonymity import MIN_GROUP_SIZE
from reports.findings import COMPARISON_MARGIN, finding_rule, finding_sentence
from reports.good_practice import match_good_practice
from reports.national_claims import NationalClaim, key_messages
from reports.national_tables import ThemeTable, method, theme_table
from reports.recommend import recommend
from reports.results import (
    CouncilName,
    CouncilNames,
    RateRow,
    Report,
    StatementResult,
    lower_middle,
    median_level,
    percent,
)
from reports.rounds import NationalChange, maturity_spread
from reports.survey_dates import SurveyDates, SurveyWindow, fieldwork
from reports.text import join_words, messages
from rubric.advice import Advice
from rubric.schema import GROUPS, Group, Lang, Questionnaire, Text
from storage.councils import short_name_cy, short_name_en
from storage.reporting import ReportRows, WalesFigure

Pattern = Literal["low", "high", "split", "none"]
Contrast = Literal["officers_more", "similar", "members_more"]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _pct(part: int, whole: int) -> int | None:
    return percent(part, whole) if whole else None


def lower_median(levels: Sequence[int]) -> int | None:
    """A council's placement: `reports.results.median_level`, the one median rule."""
    return median_level(levels)


MIDDLE_FROM = 3
"""The fewest councils with a figure for which a spread speaks of a middle council: with two,
the middle is only the lower of them."""


def middle(values: Sequence[int]) -> int | None:
    """The middle council's share: `reports.results.lower_middle`, the one median rule (so the
    middle is always one council's own figure)."""
    return lower_middle(values)


# --- results ------------------------------------------------------------------------------


class CouncilRates(_Result):
    slug: str
    name: str
    """The council's full name in the report's language."""
    short: str
    """The place name alone ("Powys", "Sir Gâr"), as the table shows it."""
    taking_part: bool
    """False when nobody at the council was invited (no roster)."""
    rows: tuple[RateRow, ...]
    """Officers, elected members, total: the council report's own rate table."""


class NationalRates(_Result):
    councils: tuple[CouncilRates, ...]
    wales: tuple[RateRow, ...]
    """The sums over the councils taking part."""
    taking_part: int


class Placement(_Result):
    """One council on one key characteristic: None where its report shows no figure."""

    level: int | None
    n: int


class CouncilPlacements(_Result):
    slug: str
    name: str
    short: str
    """The place name alone, for the heat map's rows."""
    taking_part: bool
    placements: tuple[Placement, ...]
    """In the order of `NationalReport.maturity`."""


class MaturityAcross(_Result):
    characteristic_id: str
    title: str
    descriptors: tuple[str, str, str]
    councils: tuple[int, int, int]
    """How many councils are placed at levels 1, 2 and 3."""
    with_figures: int
    pattern: Pattern
    sentence: str


class Pooled(_Result):
    """A sum of shown council figures: agreeing, and the base (those who gave a view)."""

    agree: int
    n: int
    contributors: frozenset[str]
    """The councils (slugs) whose shown figures it adds up."""
    pct: int | None

    @property
    def councils(self) -> int:
        return len(self.contributors)

    @classmethod
    def of(cls, parts: Iterable[tuple[str, int, int]]) -> Pooled:
        """From (council, agree, base) of shown figures."""
        agree = n = 0
        slugs = set()
        for slug, a, base in parts:
            agree, n = agree + a, n + base
            slugs.add(slug)
        return cls(agree=agree, n=n, contributors=frozenset(slugs), pct=_pct(agree, n))

    def __add__(self, other: Pooled) -> Pooled:
        agree, n = self.agree + other.agree, self.n + other.n
        return Pooled(
            agree=agree,
            n=n,
            contributors=self.contributors | other.contributors,
            pct=_pct(agree, n),
        )


class Spread(_Result):
    """Councils' shares of agreement, from their reports' figures for all respondents."""

    councils: int
    lowest: int | None
    middle: int | None
    """None with fewer than `MIDDLE_FROM` councils: two have no middle council."""
    highest: int | None
    sentence: str


class StatementAcross(_Result):
    question_id: str
    text: str
    negative: bool
    wales: Pooled
    favourable: Pooled
    """The views favourable to the Authority (agreeing; disagreeing, when negatively worded),
    over the same councils as `wales`: what the theme's share adds up."""
    groups: tuple[tuple[Group, Pooled], ...]
    """Officers and elected members, each from the councils that show that group."""
    finding: str
    contrast: str | None
    """Officers against elected members, over the councils whose reports show both."""
    coverage: str | None = None
    """Which councils the group rows add up, when they are not the councils of the total."""
    spread: Spread


class ThemeAcross(_Result):
    theme_id: str
    title: str
    intro: str
    wales: Pooled
    """Views favourable to the Authority on the theme's statements, a negatively worded one
    counted the other way round (none left out)."""
    spread: Spread
    sentence: str
    groups: tuple[tuple[Group, Pooled], ...]
    """Officers' and elected members' favourable views on the theme's statements."""
    contrast: str | None
    coverage: str | None = None
    statements: tuple[StatementAcross, ...]


class RecommendationText(_Result):
    """A recommendation as the rubric holds it (`rubric/recommendations.toml`, issue 10)."""

    id: str
    text: Text
    councils: Text | None = None
    """The national voice ("Councils should ..."); `text` where the data has none."""


class GoodPracticeText(_Result):
    id: str = ""
    title: Text
    organisation: Text
    summary: Text
    characteristics: tuple[str, ...] = ()
    """Ids of the key characteristics it illustrates."""


class NationalAdvice(_Result):
    """The advice data and, per council, which recommendations its report makes and which
    examples it offers."""

    recommendations: tuple[RecommendationText, ...]
    fired: dict[str, frozenset[str]]
    """council slug -> ids of the recommendations its own report makes."""
    good_practice: tuple[GoodPracticeText, ...] = ()
    offered: dict[str, frozenset[str]] = {}
    """council slug -> ids of the examples its own report offers, matched to its weakest
    characteristics (none where it has no level figures to match them to)."""


class NationalRecommendation(_Result):
    id: str
    text: str
    """"Councils should ...", to councils, not to one Authority."""
    councils: int
    """How many councils' reports make it."""
    of: int = 0
    """Of how many councils taking part."""
    pct: int | None = None


class Example(_Result):
    title: str
    organisation: str
    summary: str
    characteristics: tuple[str, ...] = ()
    """Titles of the key characteristics it illustrates."""
    councils: int = 0
    """How many councils' reports (of those with figures) offer it."""


class NationalReport(_Result):
    lang: Lang
    title: str
    generated_on: date
    min_group_size: int
    rates: NationalRates
    maturity: tuple[MaturityAcross, ...]
    placements: tuple[CouncilPlacements, ...]
    maturity_summary: tuple[str, ...]
    """The sentences the national study would write, most telling first."""
    themes: tuple[ThemeAcross, ...]
    with_figures: int
    """Councils whose reports show figures for all respondents."""
    recommendations: tuple[NationalRecommendation, ...] | None
    """None when there is no advice data to judge by (the section is left out)."""
    recommendations_of: int
    """Councils whose reports show figures (the examples are counted of them)."""
    taking_part: int = 0
    """Councils taking part (the recommendations are counted of them)."""
    examples: tuple[Example, ...]
    notes: tuple[str, ...]
    """What the figures leave out and why."""
    change: NationalChange | None = None
    """Each key characteristic's spread of councils in the previous round and now
    (`reports.rounds.maturity_spread`), when the previous round's reports are given."""
    key_messages: tuple[NationalClaim, ...] = ()
    """What the report leads with, each claim checked against the councils' own reports
    (`reports.national_claims`)."""
    method: tuple[str, ...] = ()
    """The method section's paragraphs (`reports.national_tables.method`)."""
    fieldwork: SurveyDates | None = None
    """From the earliest opening to the latest closing of the councils' survey windows."""
    theme_table: ThemeTable | None = None
    """Theme shares council by council (`reports.national_tables`)."""
    not_taking_part: str = ""
    """The councils not taking part, named once in one sentence ("" when all take part)."""


# --- building -----------------------------------------------------------------------------


class _National:
    def __init__(
        self,
        questionnaire: Questionnaire,
        councils: Sequence[CouncilNames],
        reports: Mapping[str, Report],
        lang: Lang,
        min_group_size: int,
    ) -> None:
        self.q = questionnaire
        self.lang = lang
        self.min = min_group_size
        self.t = messages()
        self.most = Fraction(str(questionnaire.thresholds.most))
        self.councils = [CouncilName.of(c) for c in sorted(councils, key=lambda c: c.slug)]
        missing = [c.slug for c in self.councils if c.slug not in reports]
        if missing:
            raise ValueError(f"no report for {', '.join(missing)}")
        for slug, report in reports.items():
            if report.lang != lang or report.min_group_size != min_group_size:
                raise ValueError(f"the report for {slug} was built differently")
        self.reports = [reports[c.slug] for c in self.councils]

    def name(self, council: CouncilName) -> str:
        return council.forms(self.lang)["council"]

    def short(self, council: CouncilName) -> str:
        return (
            short_name_cy(council.name_cy) if self.lang == "cy" else short_name_en(council.name_en)
        )

    @staticmethod
    def taking_part(report: Report) -> bool:
        return any(r.invited for r in report.rates.rows if r.row == "total")

    # --- response rates -----------------------------------------------------------------

    def rates(self) -> NationalRates:
        rows = []
        sums: dict[str, list[int]] = {key: [0, 0] for key in (*GROUPS, "total")}
        low = Fraction(str(self.q.thresholds.low_response_rate))
        for council, report in zip(self.councils, self.reports, strict=True):
            part = self.taking_part(report)
            rows.append(
                CouncilRates(
                    slug=council.slug,
                    name=self.name(council),
                    short=self.short(council),
                    taking_part=part,
                    # The national table's columns: officers, members, total (another
                    # audience's people are in the total).
                    rows=tuple(r for r in report.rates.rows if r.row in sums),
                )
            )
            if part:
                for r in report.rates.rows:
                    if r.row not in sums:
                        continue
                    sums[r.row][0] += r.invited
                    sums[r.row][1] += r.responded
        wales = tuple(
            RateRow(
                row=key,
                label=self.t(self.lang, f"rates.row.{key}"),
                invited=invited,
                responded=responded,
                percent=_pct(responded, invited),
                caution=invited > 0 and Fraction(responded, invited) < low,
            )
            for key, (invited, responded) in sums.items()
        )
        return NationalRates(
            councils=tuple(rows), wales=wales, taking_part=sum(r.taking_part for r in rows)
        )

    # --- maturity -----------------------------------------------------------------------

    def maturity(self) -> tuple[tuple[MaturityAcross, ...], tuple[CouncilPlacements, ...]]:
        characteristics = [
            ch
            for ch in self.q.characteristics
            if any(q.kind == "level" and q.characteristic == ch.id for q in self.q.questions)
        ]
        grid: list[list[Placement]] = []
        for report in self.reports:
            line = []
            for ch in characteristics:
                result = report.levels(ch.id)
                if result is None:
                    line.append(Placement(level=None, n=0))
                else:
                    line.append(Placement(level=lower_median(result.levels), n=result.n))
            grid.append(line)

        across = []
        for i, ch in enumerate(characteristics):
            levels = [line[i].level for line in grid if line[i].level is not None]
            counts = (levels.count(1), levels.count(2), levels.count(3))
            pattern = self.pattern(counts)
            title = ch.title(self.lang)
            across.append(
                MaturityAcross(
                    characteristic_id=ch.id,
                    title=title,
                    descriptors=(
                        ch.levels[0](self.lang),
                        ch.levels[1](self.lang),
                        ch.levels[2](self.lang),
                    ),
                    councils=counts,
                    with_figures=len(levels),
                    pattern=pattern,
                    sentence=self.t(
                        self.lang,
                        f"national.maturity.row.{pattern}",
                        low=counts[0] + counts[1],
                        high=counts[2],
                        n=len(levels),
                    ),
                )
            )
        placements = tuple(
            CouncilPlacements(
                slug=c.slug,
                name=self.name(c),
                short=self.short(c),
                taking_part=self.taking_part(report),
                placements=tuple(line),
            )
            for c, report, line in zip(self.councils, self.reports, grid, strict=True)
        )
        return tuple(across), placements

    def pattern(self, counts: tuple[int, int, int]) -> Pattern:
        n = sum(counts)
        if n == 0:
            return "none"
        if Fraction(counts[0] + counts[1], n) >= self.most:
            return "low"
        if Fraction(counts[2], n) >= self.most:
            return "high"
        return "split"

    def maturity_summary(self, rows: Sequence[MaturityAcross]) -> tuple[str, ...]:
        """The national study's sentences: which characteristics most councils are placed at
        level 1 or 2 for, which at level 3, where they are spread, and where nothing shows."""
        out = []
        shown = [r for r in rows if r.pattern != "none"]
        low = [r for r in shown if r.pattern == "low"]
        if shown and Fraction(len(low), len(shown)) >= self.most:
            out.append(self.t(self.lang, "national.maturity.overall_low"))
        for pattern in ("low", "high", "split", "none"):
            titles = [r.title for r in rows if r.pattern == pattern]
            if titles:
                out.append(
                    self.t(
                        self.lang,
                        f"national.maturity.{pattern}",
                        characteristics=join_words(self.lang, titles, lower=True),
                    )
                )
        return tuple(out)

    # --- what we found ------------------------------------------------------------------

    def spread(self, shares: Sequence[int], key: str = "national.spread") -> Spread:
        if not shares:
            return Spread(
                councils=0,
                lowest=None,
                middle=None,
                highest=None,
                sentence=self.t(self.lang, "national.spread.none"),
            )
        low, high = min(shares), max(shares)
        if len(shares) == 1:
            key = "national.spread.one"
        elif len(shares) < MIDDLE_FROM:
            key += ".two"
        # With two councils there is no middle one to speak of: the two shares are the lowest
        # and the highest, and the middle column shows none.
        mid = middle(shares) if len(shares) >= MIDDLE_FROM else None
        return Spread(
            councils=len(shares),
            lowest=low,
            middle=mid,
            highest=high,
            sentence=self.t(self.lang, key, low=low, middle=mid, high=high, n=len(shares)),
        )

    def contrast(
        self, groups: Mapping[Group, Sequence[tuple[str, int, int]]], *, favourable: bool = False
    ) -> str | None:
        """Officers against elected members, added up over the councils whose reports show
        both groups (so the two shares are of the same councils), and saying so when those
        are fewer than either group's."""
        officer, member = groups.get("officer"), groups.get("member")
        if not officer or not member:
            return None
        both = {slug for slug, *_ in officer} & {slug for slug, *_ in member}
        o = Pooled.of(p for p in officer if p[0] in both)
        m = Pooled.of(p for p in member if p[0] in both)
        if o.pct is None or m.pct is None:
            return None
        difference = o.pct - m.pct
        kind: Contrast = "similar"
        if difference >= COMPARISON_MARGIN:
            kind = "officers_more"
        elif difference <= -COMPARISON_MARGIN:
            kind = "members_more"
        key = f"national.contrast.fav.{kind}" if favourable else f"national.contrast.{kind}"
        sentence = self.t(self.lang, key, officer_pct=o.pct, member_pct=m.pct)
        if len(both) < max(len(officer), len(member)):
            sentence += " " + self.t.plural(self.lang, "national.contrast.both", len(both))
        return sentence

    def coverage(self, total: Pooled, groups: Sequence[tuple[Group, Pooled]]) -> str | None:
        """Which councils each group row adds up, when not the total's: "Officers: Powys and
        Gwynedd; elected members: Powys (all respondents: 4 councils)"."""
        # A group no council's report shows is not a row of figures (its row says it is not
        # shown, `national.group.withheld`), so it has no councils to name here.
        shown = [(g, p) for g, p in groups if p.contributors]
        if all(p.contributors == total.contributors for _, p in shown):
            return None
        shorts = {c.slug: self.short(c) for c in self.councils}
        parts = []
        for group, pooled in shown:
            names = [shorts[slug] for slug in sorted(pooled.contributors)]
            parts.append(
                self.t(
                    self.lang,
                    f"national.coverage.{group}",
                    councils=join_words(self.lang, names),
                )
            )
        return self.t.plural(
            self.lang, "national.coverage", total.councils, groups="; ".join(parts)
        )

    def statement(self, question_id: str) -> StatementAcross:
        question = next(q for q in self.q.questions if q.id == question_id)
        scale = self.q.scales["agree"]
        assert scale is not None
        results = []
        for council, report in zip(self.councils, self.reports, strict=True):
            found = next(
                (s for t in report.themes for s in t.statements if s.question_id == question_id),
                None,
            )
            if found is not None:
                results.append((council.slug, found))

        def shown(cell: str) -> list[tuple[str, StatementResult]]:
            """The councils' shown figures for one cell (a shown cell where nobody gave a
            view adds nothing)."""
            out = []
            for slug, statement in results:
                r = statement.result(cell)
                if r is not None and r.n > 0:
                    out.append((slug, r))
            return out

        shown_all = shown("all")
        agree = sum(r.agree for _, r in shown_all)
        neither = sum(r.neither for _, r in shown_all)
        disagree = sum(r.disagree for _, r in shown_all)
        wales = Pooled.of((slug, r.agree, r.n) for slug, r in shown_all)
        favourable = Pooled.of(
            (slug, r.disagree if question.negative else r.agree, r.n) for slug, r in shown_all
        )
        groups: list[tuple[Group, Pooled]] = []
        parts: dict[Group, list[tuple[str, int, int]]] = {}
        for g in GROUPS:
            if question.asks(g):
                parts[g] = [(slug, r.agree, r.n) for slug, r in shown(g)]
                groups.append((g, Pooled.of(parts[g])))
        clause = question.finding(self.lang) if question.finding else question.text(self.lang)
        rule = finding_rule(agree, neither, disagree, self.q.thresholds)
        shares = [r.agree_pct for _, r in shown_all if r.agree_pct is not None]
        return StatementAcross(
            question_id=question_id,
            text=question.text(self.lang),
            negative=question.negative,
            wales=wales,
            favourable=favourable,
            groups=tuple(groups),
            finding=finding_sentence(self.lang, rule, "wales", clause),
            contrast=self.contrast(parts),
            coverage=self.coverage(wales, groups),
            spread=self.spread(shares),
        )

    def theme(self, theme_id: str) -> ThemeAcross:
        theme = self.q.theme(theme_id)
        questions = [q for q in self.q.questions if q.theme == theme_id and q.kind == "agree"]
        statements = tuple(self.statement(q.id) for q in questions)
        shares = []
        for report in self.reports:
            section = next((t for t in report.themes if t.theme_id == theme_id), None)
            if section is not None and section.comparison.council_pct is not None:
                shares.append(section.comparison.council_pct)
        wales = sum((s.favourable for s in statements), Pooled.of(()))
        if wales.pct is None:
            sentence = self.t(self.lang, "national.theme.none")
        else:
            sentence = self.t(self.lang, "national.theme", pct=wales.pct, n=wales.councils)
        # The groups' favourable views, council by council, over every statement.
        by_council: dict[Group, dict[str, list[int]]] = {}
        for q, s in zip(questions, statements, strict=True):
            for council, report in zip(self.councils, self.reports, strict=True):
                found = next(
                    (x for t in report.themes for x in t.statements if x.question_id == q.id),
                    None,
                )
                if found is None:
                    continue
                for g in GROUPS:
                    r = found.result(g)
                    if r is not None and r.n > 0:
                        f = r.disagree if s.negative else r.agree
                        entry = by_council.setdefault(g, {}).setdefault(council.slug, [0, 0])
                        entry[0], entry[1] = entry[0] + f, entry[1] + r.n
        parts = {
            g: [(slug, f, n) for slug, (f, n) in sorted(councils.items())]
            for g, councils in by_council.items()
        }
        groups = [(g, Pooled.of(parts[g])) for g in GROUPS if g in parts]
        return ThemeAcross(
            theme_id=theme_id,
            title=theme.title(self.lang),
            intro=theme.intro(self.lang),
            wales=wales,
            spread=self.spread(shares, "national.spread.favourable"),
            sentence=sentence,
            groups=tuple(groups),
            contrast=self.contrast(parts, favourable=True),
            coverage=self.coverage(wales, groups),
            statements=statements,
        )

    def with_figures(self) -> list[str]:
        """The councils whose reports show any figure for all respondents."""
        out = []
        for c, report in zip(self.councils, self.reports, strict=True):
            statements = [s for t in report.themes for s in t.statements]
            if any(s.result("all") for s in statements) or any(
                row.result("all") for row in report.maturity
            ):
                out.append(c.slug)
        return out

    def notes(self, rates: NationalRates, with_figures: Sequence[str]) -> tuple[str, ...]:
        t, lang = self.t, self.lang
        out = [
            t(lang, "national.note.sums", min=self.min),
            t(lang, "national.note.rest"),
            t(lang, "national.note.rounding"),
        ]
        quiet = [
            c.name for c in rates.councils if c.taking_part and c.slug not in set(with_figures)
        ]
        if quiet:
            out.append(
                t.plural(
                    lang,
                    "national.note.no_figures",
                    len(quiet),
                    councils=join_words(lang, quiet),
                    min=self.min,
                )
            )
        return tuple(out)


class _HasIdText(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def text(self) -> Text: ...


class _Example(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def title(self) -> Text: ...

    @property
    def organisation(self) -> Text: ...

    @property
    def summary(self) -> Text: ...

    @property
    def characteristics(self) -> tuple[str, ...]: ...


def advice_from(
    reports: Mapping[str, Report],
    recommendations: Sequence[_HasIdText],
    good_practice: Sequence[_Example],
    fired: Callable[[Report], Iterable[str]],
    offered: Callable[[Report], Iterable[str]] | None = None,
) -> NationalAdvice:
    """The advice data (`rubric.advice`) and, for each council, the ids of the recommendations
    that `fired` (the council report's own rule, `reports.recommend`) makes for its report, and
    of the examples that `offered` (`reports.good_practice`) offers in it."""
    return NationalAdvice(
        recommendations=tuple(
            RecommendationText(id=r.id, text=r.text, councils=getattr(r, "councils", None))
            for r in recommendations
        ),
        fired={slug: frozenset(fired(report)) for slug, report in reports.items()},
        good_practice=tuple(
            GoodPracticeText(
                id=g.id,
                title=g.title,
                organisation=g.organisation,
                summary=g.summary,
                characteristics=g.characteristics,
            )
            for g in good_practice
        ),
        offered=(
            {}
            if offered is None
            else {slug: frozenset(offered(report)) for slug, report in reports.items()}
        ),
    )


def rubric_advice(reports: Mapping[str, Report], advice: Advice) -> NationalAdvice:
    """The advice as the council reports give it: for each council's own report, the
    recommendations `reports.recommend` makes and the examples `reports.good_practice`
    matches to its weakest characteristics (the same rules, the same data)."""

    def fired(report: Report) -> list[str]:
        return [r.id for r in recommend(report, advice)]

    def offered(report: Report) -> list[str]:
        weakest, examples, _ = match_good_practice(report, advice)
        return [e.id for e in examples] if weakest else []

    return advice_from(reports, advice.recommendations, advice.good_practice, fired, offered)


def national_recommendations(
    advice: NationalAdvice | None,
    taking_part: Sequence[str],
    most: Fraction,
    lang: Lang,
) -> tuple[NationalRecommendation, ...] | None:
    """The recommendations that most of the councils taking part make in their own reports
    (`taking_part`: their slugs; a council whose report shows no figures makes none, and still
    counts in the share), to councils ("Councils should ..."), most often made first; None
    without advice data."""
    if advice is None or not advice.recommendations:
        return None
    if not taking_part:
        return ()
    out = []
    of = len(taking_part)
    for rec in advice.recommendations:
        made = sum(1 for slug in taking_part if rec.id in advice.fired.get(slug, frozenset()))
        if made and Fraction(made, of) >= most:
            text = (rec.councils or rec.text)(lang)
            out.append(
                NationalRecommendation(
                    id=rec.id, text=text, councils=made, of=of, pct=percent(made, of)
                )
            )
    order = {r.id: i for i, r in enumerate(advice.recommendations)}
    return tuple(sorted(out, key=lambda r: (-r.councils, order[r.id])))


def national_examples(
    questionnaire: Questionnaire,
    advice: NationalAdvice | None,
    with_figures: Sequence[str],
    lang: Lang,
) -> tuple[Example, ...]:
    """Every good-practice example, those most councils' reports offer first (then in the
    data's order), each with the characteristics it illustrates and how many councils' reports
    (of those with figures) offer it."""
    if advice is None:
        return ()
    titles = {c.id: c.title(lang) for c in questionnaire.characteristics}
    out = []
    for i, g in enumerate(advice.good_practice):
        councils = sum(1 for slug in with_figures if g.id in advice.offered.get(slug, frozenset()))
        out.append(
            (
                -councils,
                i,
                Example(
                    title=g.title(lang),
                    organisation=g.organisation(lang),
                    summary=g.summary(lang),
                    characteristics=tuple(titles[c] for c in g.characteristics if c in titles),
                    councils=councils,
                ),
            )
        )
    return tuple(e for *_, e in sorted(out, key=lambda x: (x[0], x[1])))


def build_national(
    questionnaire: Questionnaire,
    councils: Sequence[CouncilNames],
    reports: Mapping[str, Report],
    lang: Lang,
    min_group_size: int = MIN_GROUP_SIZE,
    *,
    generated_on: date,
    advice: NationalAdvice | None = None,
    previous: Mapping[str, Report] | None = None,
    previous_label: str = "",
    current_label: str = "",
    wales: Sequence[WalesFigure] = (),
) -> NationalReport:
    """The national report from every council's own report (`reports`: slug -> Report, built
    with the same questionnaire, language and minimum). Pure. `previous`: the councils'
    reports of the previous round (slug -> its final report; a council without one is left
    out of that round's counts), for the change since `previous_label`. `wales`: the stored
    Wales release, for the theme table's Wales row."""
    n = _National(questionnaire, councils, reports, lang, min_group_size)
    change = None
    if previous is not None:
        if any(r.lang != lang for r in previous.values()):
            raise ValueError("a previous round's report is in another language")
        change = maturity_spread(reports, previous, lang, previous_label, current_label)
    rates = n.rates()
    maturity, placements = n.maturity()
    with_figures = n.with_figures()
    taking_part = [c.slug for c in rates.councils if c.taking_part]
    recommendations = national_recommendations(advice, taking_part, n.most, lang)
    examples = national_examples(questionnaire, advice, with_figures, lang)
    dates = fieldwork((reports[slug].survey for slug in taking_part), lang, generated_on)
    invited = next(r.invited for r in rates.wales if r.row == "total")
    shown = set(with_figures)
    table_rows = [
        (c.slug, c.name, c.short, reports[c.slug]) for c in rates.councils if c.slug in shown
    ]
    absent = [c.name for c in rates.councils if not c.taking_part]
    return NationalReport(
        lang=lang,
        title=messages()(lang, "national.title"),
        generated_on=generated_on,
        min_group_size=min_group_size,
        rates=rates,
        maturity=maturity,
        placements=placements,
        maturity_summary=n.maturity_summary(maturity),
        themes=tuple(n.theme(t.id) for t in questionnaire.themes),
        with_figures=len(with_figures),
        recommendations=recommendations,
        recommendations_of=len(with_figures),
        taking_part=len(taking_part),
        examples=examples,
        notes=n.notes(rates, with_figures),
        change=change,
        key_messages=key_messages(questionnaire, reports, lang),
        method=method(
            questionnaire,
            reports,
            lang,
            taking_part=len(taking_part),
            invited=invited,
            fieldwork=dates,
            min_group_size=min_group_size,
        ),
        fieldwork=dates,
        theme_table=theme_table(questionnaire, table_rows, wales, lang),
        not_taking_part=(
            messages().plural(
                lang, "national.absent", len(absent), councils=join_words(lang, absent)
            )
            if absent
            else ""
        ),
    )


def council_reports(
    questionnaire: Questionnaire,
    inputs: Mapping[str, ReportRows],
    councils: Sequence[CouncilNames],
    lang: Lang,
    min_group_size: int = MIN_GROUP_SIZE,
    *,
    generated_on: date,
    windows: Mapping[str, SurveyWindow] | None = None,
) -> dict[str, Report]:
    """Every council's own report, built one council at a time from the input its own report
    has (`storage.reporting.national_input`): the only source of the national figures.
    `windows`: council slug -> its stored survey window (the method's dates)."""
    reports = {}
    index: WalesIndex | None = None  # the councils' inputs share one tuple of Wales rows
    for c in councils:
        rows = inputs[c.slug]
        index = WalesIndex.over(rows.wales, index)
        reports[c.slug] = build_report(
            questionnaire,
            rows,
            c,
            lang,
            min_group_size,
            generated_on=generated_on,
            wales=index,
            window=(windows or {}).get(c.slug),
        )
    return reports
