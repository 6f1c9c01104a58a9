"""From a council's release to a report: pure functions, no database, no clock.

What may be shown is decided once, by `reports.confidentiality` when the release is made
(per question: the people asked it and those who gave a view; nothing derivable by subtraction;
nothing that differs by fewer than MIN_GROUP_SIZE from an earlier release). This module lays the
release's figures out: statements, theme shares (sums of shown figures only), maturity levels,
comments, the Wales comparison (`confidentiality.wales_pooled`) and what was withheld.

Groups. The council's respondents are split into atoms, one per (group, team); the report's
groups are unions of atoms: all respondents, officers, elected members, and each named team
within its group. A group is listed as shown when the release shows it for some question; a
statement where it is not shown marks it as withheld.

Response counts. The response-rate table shows invited and responses received for officers,
elected members and the total exactly, now, as the Powys report does, even for a group of fewer
than ``min_group_size``. These counts say who took part, not what anyone thinks; they are the
figures an auditor needs to judge how far the findings can be trusted; and writing "<5" for one
group while showing the total and the other group would hide nothing, since subtraction restores
it. The line under the title says how current the figures are.

Shown comments are verbatim, never attributed, in a seeded shuffle of their sorted texts: the
same data always gives the same order, and the order says nothing about who or when.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction

from reports.anonymity import MIN_GROUP_SIZE, suppress
from reports.confidentiality import (
    LEVELS,
    UNANIMITY_SAFE_SIZE,
    WALES_MIN_OTHERS,
    as_group,
    atom,
    candidates,
    wales_pooled,
)
from reports.findings import compare, comparison_sentence, finding_rule, finding_sentence
from reports.results import (
    Cell,
    CouncilName,
    CouncilNames,
    LevelResult,
    MaturityRow,
    RateRow,
    Report,
    ResponseRates,
    Statement,
    StatementResult,
    ThemeComparison,
    ThemeSection,
    median_level,
    percent,
)
from reports.survey_dates import SurveyWindow, survey_dates
from reports.text import messages, team_label, team_members
from rubric.schema import GROUPS, Group, Lang, Question, Questionnaire, Scale
from storage.reporting import ReportRows, WalesFigure

Counts = dict[str, int]
"""Answers of one group to one question: choice -> number."""


def _pct(part: int, whole: int) -> int | None:
    return percent(part, whole) if whole else None


def seeded_shuffle(texts: Iterable[str], seed: str) -> tuple[str, ...]:
    """A stable shuffle: the same texts and seed always give the same order."""
    ordered = sorted(texts)
    digest = hashlib.sha256("\n".join([seed, *ordered]).encode()).digest()
    random.Random(digest).shuffle(ordered)
    return tuple(ordered)


def _split(counts: Counts, scale: Scale) -> tuple[int, int, int, int]:
    """(agree, neither, disagree, excluded) of an agree question's counts."""
    agree = sum(counts.get(o, 0) for o in scale.agree)
    neither = sum(counts.get(o, 0) for o in scale.neither)
    disagree = sum(counts.get(o, 0) for o in scale.disagree)
    excluded = sum(counts.get(o, 0) for o in scale.excluded)
    return agree, neither, disagree, excluded


WalesContributions = dict[str, dict[str, dict[str, int]]]
"""council -> question -> choice -> n of the councils' released "all respondents" figures."""


class WalesIndex:
    """The Wales figures by council, and each council's released responses, made once from one
    tuple of Wales rows. The national report builds 22 reports from one shared tuple, so it
    makes this once and hands it to each (`build_report(..., wales=...)`)."""

    def __init__(self, wales: tuple[WalesFigure, ...]) -> None:
        self.source = wales
        contributions: WalesContributions = defaultdict(lambda: defaultdict(dict))
        self.responses: dict[str, int] = {}
        for w in wales:
            contributions[w.council_slug][w.question_id][w.choice] = w.n
            self.responses[w.council_slug] = w.responses
        self.contributions = contributions

    @staticmethod
    def over(wales: tuple[WalesFigure, ...], index: WalesIndex | None) -> WalesIndex:
        """`index` if it was made from these very rows (they are frozen), else a new one."""
        return index if index is not None and index.source is wales else WalesIndex(wales)


class _Builder:
    def __init__(
        self,
        questionnaire: Questionnaire,
        rows: ReportRows,
        council: CouncilName,
        lang: Lang,
        min_group_size: int,
        reader_covers: frozenset[str] = frozenset(),
        wales: WalesIndex | None = None,
        unanimity_safe_size: int = UNANIMITY_SAFE_SIZE,
    ) -> None:
        self.q = questionnaire
        self.safe = unanimity_safe_size
        self.rows = rows
        self.council = council
        self.lang = lang
        self.min = min_group_size
        self.t = messages()
        self.forms = council.forms(lang)
        self.withheld: list[str] = []

        # The release's groups: what the figures rest on (not the live response counts).
        self.atom_sizes: dict[str, int] = defaultdict(int)
        self.group_sizes: dict[Group, int] = defaultdict(int)
        for r in rows.groups:
            self.atom_sizes[atom(r.group, r.team)] += r.respondents
            self.group_sizes[r.group] += r.respondents
        self.total = sum(self.group_sizes.values())

        self.shown: dict[str, set[str]] = defaultdict(set)
        for qid, cell in rows.cells:
            self.shown[qid].add(cell)
        self.figures: dict[tuple[str, str], Counts] = defaultdict(dict)
        for f in rows.figures:
            self.figures[(f.question_id, f.cell)][f.choice] = f.n

        index = WalesIndex.over(rows.wales, wales)
        contributions, responses = index.contributions, index.responses
        self.wales = wales_pooled(
            contributions, rows.council_slug, reader_covers, steps=rows.wales_steps
        )
        self.reader_covers = reader_covers - {rows.council_slug}
        pooling = {
            slug
            for slug, questions in contributions.items()
            if slug != rows.council_slug and any(qid in self.wales for qid in questions)
        }
        self.wales_size = sum(responses[s] for s in pooling)
        for qid in self.wales:
            self.shown[qid].add("wales")

        self.cells = self._cells()

    # --- groups and suppression -------------------------------------------------------

    def _cells(self) -> list[Cell]:
        cands = candidates(a for a, n in self.atom_sizes.items() if n)
        # Group-level decisions, on respondents alone, say what the report leaves out and why;
        # the figures themselves follow the release's decisions, question by question.
        decisions = suppress(self.atom_sizes, cands, self.min)
        any_shown = {cell for cells in self.shown.values() for cell in cells}
        cells = []
        for c in cands:
            d = decisions[c.key]
            if c.key == "all":
                kind, group, team = "all", None, None
            elif c.key in GROUPS:
                kind, group, team = c.key, c.key, None
            elif ":" not in c.key:  # another audience the questionnaire names
                kind, group, team = "audience", c.key, None
            else:
                _, grp, team = c.key.split(":", 2)
                kind, group = "team", as_group(grp)
            shown = c.key in any_shown
            cells.append(
                Cell(
                    key=c.key,
                    kind=kind,
                    group=group,
                    team=team,
                    label=self._label(kind, team, group),
                    respondents=d.size,
                    shown=shown,
                    reason=None if shown else (d.reason or "rule"),
                )
            )
        wales_shown = bool(self.wales)
        cells.append(
            Cell(
                key="wales",
                kind="wales",
                label=self.t(self.lang, "cell.wales"),
                respondents=self.wales_size,
                shown=wales_shown,
                reason=None if wales_shown else "small",
            )
        )
        self._note_withheld(cells)
        return cells

    def _label(self, kind: str, team: str | None, group: str | None = None) -> str:
        if kind == "team" and team is not None:
            return team_label(self.lang, team)
        if kind == "audience" and group is not None:
            audience = self.q.audience(group)
            return audience.label(self.lang) if audience is not None else group
        return self.t(self.lang, f"cell.{kind}")

    def _name(self, cell: Cell) -> str:
        if cell.kind == "team" and cell.team is not None:
            return team_members(self.lang, cell.team)
        if cell.kind == "audience":
            return team_members(self.lang, cell.label)
        return self.t(self.lang, f"name.{cell.kind}")

    def _note_withheld(self, cells: list[Cell]) -> None:
        t, lang = self.t, self.lang
        if self.total < self.min:
            self.withheld.append(t(lang, "withheld.council_small", min=self.min, **self.forms))
            if any(q.kind == "text" for q in self.q.questions):
                self.withheld.append(
                    t(lang, "withheld.comments_council", min=self.min, **self.forms)
                )
        else:
            for cell in cells:
                if cell.kind in ("wales", "all") or cell.shown:
                    continue
                reason = cell.reason if cell.reason in ("complementary", "rule") else "small"
                self.withheld.append(
                    t(lang, f"withheld.{reason}", name=self._name(cell), min=self.min)
                )
            shown_keys = {c.key for c in cells if c.shown}
            if any(
                self.marked(q, shown_keys) or "all" not in self.shown.get(q.id, set())
                for q in self.q.questions
                if q.kind != "text"
            ):
                self.withheld.append(t(lang, "withheld.few_views", min=self.min))
                marked = True
            else:
                marked = False
            if marked or any(c.reason == "rule" for c in cells if not c.shown):
                self.withheld.append(t(lang, "withheld.unanimous", min=self.min, safe=self.safe))
        release = self.rows.release
        if release is not None and self.total >= self.min:
            if release.final and release.pending:
                self.withheld.append(t.plural(lang, "withheld.late", release.pending))
            if release.final and release.withdrawn:
                self.withheld.append(t.plural(lang, "withheld.withdrawn", release.withdrawn))
        if any(q.kind != "text" and q.id not in self.wales for q in self.q.questions):
            self.withheld.append(t.plural(lang, "withheld.wales_rule", WALES_MIN_OTHERS))
            if self.reader_covers:
                self.withheld.append(t(lang, "withheld.wales_reader"))

    def marked(self, question: Question, shown_keys: set[str]) -> list[str]:
        """Groups shown elsewhere in the report but not for this question (it was asked of them,
        but too few gave a view): their rows are marked as withheld."""
        here = self.shown.get(question.id, set())
        out = []
        for key in shown_keys:
            if key in here or key == "wales":
                continue
            group = None if key == "all" else key if ":" not in key else key.split(":")[1]
            if group is None or question.asks(group):
                out.append(key)
        return out

    def shown_for(self, question: Question) -> list[Cell]:
        """The groups the release shows for this question (Wales last)."""
        here = self.shown.get(question.id, set())
        return [cell for cell in self.cells if cell.key in here]

    def counts(self, cell: Cell, question_id: str) -> Counts:
        if cell.kind == "wales":
            return self.wales.get(question_id, {})
        return self.figures.get((question_id, cell.key), {})

    # --- sections ---------------------------------------------------------------------

    def rates(self) -> ResponseRates:
        invited: dict[str, int] = defaultdict(int)
        responded: dict[str, int] = defaultdict(int)
        for r in self.rows.council_responses():
            invited[r.group] += r.invited
            responded[r.group] += r.submitted
        # The total is everyone invited, whatever their group; a row for each audience the
        # questionnaire names (officers and members first, as the Powys report has them).
        invited["total"] = sum(invited.values())
        responded["total"] = sum(responded.values())
        low = Fraction(str(self.q.thresholds.low_response_rate))
        rows = tuple(
            RateRow(
                row=key,
                label=self._rate_label(key),
                invited=invited[key],
                responded=responded[key],
                percent=_pct(responded[key], invited[key]),
                caution=invited[key] > 0 and Fraction(responded[key], invited[key]) < low,
            )
            for key in (*self.q.groups, "total")
        )
        return ResponseRates(rows=rows, caution_below=round(float(low) * 100))

    def _rate_label(self, key: str) -> str:
        """The response table's row: officers', members' and the total's words are the
        report's own; another audience's label is the questionnaire's."""
        audience = self.q.audience(key)
        if key in (*GROUPS, "total") or audience is None:
            return self.t(self.lang, f"rates.row.{key}")
        return audience.label(self.lang)

    def statement(self, question: Question) -> Statement:
        scale = self.q.scales["agree"]
        clause = question.finding(self.lang) if question.finding else question.text(self.lang)
        results = []
        for cell in self.shown_for(question):
            agree, neither, disagree, dk = _split(self.counts(cell, question.id), scale)
            n = agree + neither + disagree
            rule = finding_rule(agree, neither, disagree, self.q.thresholds)
            results.append(
                StatementResult(
                    cell=cell.key,
                    n=n,
                    agree=agree,
                    neither=neither,
                    disagree=disagree,
                    dk=dk,
                    agree_pct=_pct(agree, n),
                    neither_pct=_pct(neither, n),
                    disagree_pct=_pct(disagree, n),
                    rule=rule,
                    finding=finding_sentence(
                        self.lang,
                        rule,
                        "rest" if cell.kind == "wales" else cell.kind,
                        clause,
                        cell.label if cell.kind == "audience" else cell.team,
                    ),
                )
            )
        shown_keys = {c.key for c in self.cells if c.shown}
        return Statement(
            question_id=question.id,
            text=question.text(self.lang),
            clause=clause,
            negative=question.negative,
            results=tuple(results),
            withheld=tuple(
                c.label for c in self.cells if c.key in self.marked(question, shown_keys)
            ),
        )

    def theme(self, theme_id: str) -> ThemeSection:
        theme = self.q.theme(theme_id)
        questions = [q for q in self.q.questions if q.theme == theme_id]
        statements = tuple(self.statement(q) for q in questions if q.kind == "agree")
        # The theme's share: the views favourable to the Authority among all the views given
        # on its statements, a negatively worded statement counted the other way round
        # (`Statement.sides`), so none is left out. The national report pools the same way.

        def pooled(cell: str) -> int | None:
            favourable = base = 0
            for s in statements:
                r = s.result(cell)
                if r is not None:
                    favourable, base = favourable + s.sides(r)[0], base + r.n
            return _pct(favourable, base)

        council_pct, wales_pct = pooled("all"), pooled("wales")
        direction = compare(council_pct, wales_pct)
        comparison = ThemeComparison(
            council_pct=council_pct,
            wales_pct=wales_pct,
            direction=direction,
            sentence=comparison_sentence(self.lang, direction, self.forms, council_pct, wales_pct),
        )
        comments, note = self.comments(theme_id, [q for q in questions if q.kind == "text"])
        return ThemeSection(
            theme_id=theme_id,
            title=theme.title(self.lang),
            intro=theme.intro(self.lang),
            statements=statements,
            comparison=comparison,
            headline=self.headline(statements),
            comments=comments,
            comments_note=note,
        )

    @staticmethod
    def headline(statements: Sequence[Statement]) -> str | None:
        """The council's finding for the statement furthest from Wales (the first, when level
        or when Wales has no figure)."""
        best: tuple[Fraction, str] | None = None
        for s in statements:
            council, wales = s.result("all"), s.result("wales")
            if council is None or council.n == 0:
                continue
            gap = Fraction(0)
            if wales is not None and wales.n:
                gap = abs(Fraction(council.agree, council.n) - Fraction(wales.agree, wales.n))
            if best is None or gap > best[0]:
                best = (gap, council.finding)
        return best[1] if best else None

    def comments(
        self, theme_id: str, questions: Sequence[Question]
    ) -> tuple[tuple[str, ...], str | None]:
        if not questions:
            return (), None
        t, lang = self.t, self.lang
        if self.total < self.min:
            return (), t(lang, "withheld.comments_council", min=self.min, **self.forms)
        allowed = {q.id for q in questions if "all" in self.shown.get(q.id, set())}
        note = None
        if len(allowed) < len(questions):
            note = t(
                lang,
                "withheld.comments_question",
                theme=self.q.theme(theme_id).title(lang),
                min=self.min,
            )
            self.withheld.append(note)
        texts = [c.text for c in self.rows.comments if c.question_id in allowed]
        return seeded_shuffle(texts, f"{self.council.slug}:{theme_id}"), note

    def maturity(self) -> tuple[MaturityRow, ...]:
        rows = []
        for ch in self.q.characteristics:
            questions = [
                q for q in self.q.questions if q.kind == "level" and q.characteristic == ch.id
            ]
            if not questions:
                continue
            results = []
            for cell in self.cells:
                if cell.kind == "team":
                    continue
                # Only the questions whose figures the release shows for this group: the sum
                # of shown figures shows nothing that they do not.
                asked = [q for q in questions if cell.key in self.shown.get(q.id, set())]
                if not asked:
                    continue
                levels = [0, 0, 0]
                dk = 0
                for q in asked:
                    for choice, n in self.counts(cell, q.id).items():
                        if choice in LEVELS:
                            levels[LEVELS.index(choice)] += n
                        else:
                            dk += n
                results.append(
                    LevelResult(
                        cell=cell.key,
                        levels=(levels[0], levels[1], levels[2]),
                        dk=dk,
                        n=sum(levels),
                        median=median_level(levels),
                    )
                )
            rows.append(
                MaturityRow(
                    characteristic_id=ch.id,
                    title=ch.title(self.lang),
                    descriptors=(
                        ch.levels[0](self.lang),
                        ch.levels[1](self.lang),
                        ch.levels[2](self.lang),
                    ),
                    results=tuple(results),
                )
            )
        return tuple(rows)


def build_report(
    questionnaire: Questionnaire,
    rows: ReportRows,
    council: CouncilNames,
    lang: Lang,
    min_group_size: int = MIN_GROUP_SIZE,
    *,
    generated_on: date,
    reader_covers: frozenset[str] = frozenset(),
    wales: WalesIndex | None = None,
    unanimity_safe_size: int = UNANIMITY_SAFE_SIZE,
    window: SurveyWindow | None = None,
) -> Report:
    """The whole report for one council in one language. Pure: the same input, the same report.
    `window`: the council's stored survey window (`storage.windows`), for the method section.
    `reader_covers`: the other councils whose own reports its reader sees (an auditor of
    several), which the Wales figures must not let them subtract. `wales`: the Wales rows
    already indexed, when many reports share them (`WalesIndex`)."""
    if rows.council_slug != council.slug:
        raise ValueError(f"rows are for {rows.council_slug!r}, not {council.slug!r}")
    names = CouncilName.of(council)
    b = _Builder(
        questionnaire, rows, names, lang, min_group_size, reader_covers, wales, unanimity_safe_size
    )
    rates = b.rates()
    themes = tuple(b.theme(t.id) for t in questionnaire.themes)
    maturity = b.maturity()
    return Report(
        lang=lang,
        council=names,
        council_name=names.forms(lang)["council"],
        title=messages()(lang, "report.title", **names.forms(lang)),
        generated_on=generated_on,
        min_group_size=min_group_size,
        rates=rates,
        cells=tuple(b.cells),
        themes=themes,
        maturity=maturity,
        withheld=tuple(b.withheld),
        currency=currency(rows, lang),
        survey=survey_dates(window, lang, generated_on),
    )


def currency(rows: ReportRows, lang: Lang) -> str:
    """How current the figures are: "Figures from 20 responses; 3 more since." """
    t = messages()
    release = rows.release
    if release is None:
        return t(lang, "currency.none")
    key = "currency.final" if release.final else "currency.figures"
    line = t.plural(lang, key, release.responses)
    if release.pending:
        line += t.plural(lang, "currency.since", release.pending)
    return line + "."
