"""From stored counts to a report: pure functions, no database, no clock.

Groups. The council's respondents are split into atoms, one per (group, team); the report's
groups are unions of atoms: all respondents, officers, elected members, and each named team
within its group. `reports.anonymity.suppress` decides which may be shown (small groups, and
complementary suppression so that nothing hidden can be worked out by subtraction).

Wales. The figures for Wales add up every council where at least ``min_group_size`` people
responded. A smaller council is left out (and the report says how many were), because its own
report hides its figures and Wales minus every other council's shown total would otherwise give
them away.

Response counts. The response-rate table shows invited and responses received for officers,
elected members and the total exactly, as the Powys report does, even for a group of fewer than
``min_group_size``. These counts say who took part, not what anyone thinks; they are the figures
an auditor needs to judge how far the findings can be trusted; and writing "<5" for one group
while showing the total and the other group would hide nothing, since subtraction restores it.
What the minimum protects is people's answers: every figure about what a group thinks (shares,
counts per answer, medians, comments) goes through the suppression rule.

Comments need ``min_group_size`` submitted respondents in the council, and a question asked of
one group only needs that many in that group, since its comments are otherwise attributable to a
small group. Shown comments are verbatim, never attributed, in a seeded shuffle of their sorted
texts: the same data always gives the same order, and the order says nothing about who or when.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction

from reports.anonymity import MAX_ATOMS, MIN_GROUP_SIZE, Candidate, suppress
from reports.findings import compare, comparison_sentence, finding_rule, finding_sentence
from reports.models import (
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
    percent,
)
from reports.text import messages, team_label, team_members
from rubric.models import GROUPS, Group, Lang, Question, Questionnaire, Scale
from storage.reporting import AnswerCountRow, ReportRows, ResponseCountRow, WalesCountRow

LEVELS = ("1", "2", "3")
Counts = dict[str, int]
"""Answers of one group to one question: choice -> number."""


def _atom(group: str, team: str | None) -> str:
    return f"{group}|{team or ''}"


def _pct(part: int, whole: int) -> int | None:
    return percent(part, whole) if whole else None


def median_level(levels: Sequence[int]) -> float | None:
    """The median of the answers given per level (levels[0] chose 1, ...); the mean of the two
    middle answers when their number is even, so it may be 1.5 or 2.5."""
    n = sum(levels)
    if n == 0:
        return None

    def at(position: int) -> int:
        running = 0
        for level, count in enumerate(levels, start=1):
            running += count
            if position < running:
                return level
        raise AssertionError("position beyond the answers")

    return (at((n - 1) // 2) + at(n // 2)) / 2


def seeded_shuffle(texts: Iterable[str], seed: str) -> tuple[str, ...]:
    """A stable shuffle: the same texts and seed always give the same order."""
    ordered = sorted(texts)
    digest = hashlib.sha256("\n".join([seed, *ordered]).encode()).digest()
    random.Random(digest).shuffle(ordered)
    return tuple(ordered)


class _Tally:
    """Answer counts per atom (the council) or summed (Wales), by question."""

    def __init__(self) -> None:
        self.by_atom: dict[str, dict[str, Counts]] = defaultdict(lambda: defaultdict(dict))

    def add(self, atom: str, row: AnswerCountRow | WalesCountRow) -> None:
        counts = self.by_atom[atom][row.question_id]
        counts[row.choice] = counts.get(row.choice, 0) + row.n

    def counts(self, atoms: Iterable[str], question_id: str) -> Counts:
        total: Counts = {}
        for atom in atoms:
            for choice, n in self.by_atom.get(atom, {}).get(question_id, {}).items():
                total[choice] = total.get(choice, 0) + n
        return total


def _split(counts: Counts, scale: Scale) -> tuple[int, int, int, int]:
    """(agree, neither, disagree, excluded) of an agree question's counts."""
    agree = sum(counts.get(o, 0) for o in scale.agree)
    neither = sum(counts.get(o, 0) for o in scale.neither)
    disagree = sum(counts.get(o, 0) for o in scale.disagree)
    excluded = sum(counts.get(o, 0) for o in scale.excluded)
    return agree, neither, disagree, excluded


class _Builder:
    def __init__(
        self,
        questionnaire: Questionnaire,
        rows: ReportRows,
        council: CouncilName,
        lang: Lang,
        min_group_size: int,
    ) -> None:
        self.q = questionnaire
        self.rows = rows
        self.council = council
        self.lang = lang
        self.min = min_group_size
        self.t = messages()
        self.forms = council.forms(lang)
        self.withheld: list[str] = []

        own = rows.council_responses()
        self.atom_sizes: dict[str, int] = defaultdict(int)
        self.group_sizes: dict[Group, int] = defaultdict(int)
        for r in own:
            self.atom_sizes[_atom(r.group, r.team)] += r.submitted
            self.group_sizes[r.group] += r.submitted
        self.total = sum(self.group_sizes.values())

        submitted_by_council: dict[str, int] = defaultdict(int)
        for r in rows.responses:
            submitted_by_council[r.council_slug] += r.submitted
        self.wales_councils = {s for s, n in submitted_by_council.items() if n >= self.min}
        self.wales_left_out = sum(1 for n in submitted_by_council.values() if 0 < n < self.min)
        self.wales_size = sum(submitted_by_council[s] for s in self.wales_councils)

        self.tally = _Tally()
        self.wales = _Tally()
        for a in rows.answers:
            if a.council_slug == rows.council_slug:
                self.tally.add(_atom(a.group, a.team), a)
        for w in rows.wales_answers:
            if w.council_slug in self.wales_councils:
                self.wales.add("wales", w)

        self.cells, self.cell_atoms = self._cells(own)

    # --- groups and suppression -------------------------------------------------------

    def _cells(
        self, own: Sequence[ResponseCountRow]
    ) -> tuple[list[Cell], dict[str, frozenset[str]]]:
        atoms_of: dict[str, frozenset[str]] = {}
        candidates: list[Candidate] = []
        kinds: dict[str, tuple[str, Group | None, str | None]] = {}

        def add(
            key: str,
            atoms: Iterable[str],
            priority: int,
            kind: str,
            group: Group | None,
            team: str | None,
        ) -> None:
            atoms_of[key] = frozenset(atoms)
            candidates.append(Candidate(key=key, atoms=atoms_of[key], priority=priority))
            kinds[key] = (kind, group, team)

        all_atoms = list(self.atom_sizes)
        add("all", all_atoms, 3, "all", None, None)
        for g in GROUPS:
            add(g, [a for a in all_atoms if a.startswith(f"{g}|")], 2, g, g, None)
        if len(all_atoms) <= MAX_ATOMS:
            teams = sorted({(r.group, r.team) for r in own if r.team and r.submitted})
            for g, name in teams:
                add(f"team:{g}:{name}", [_atom(g, name)], 1, "team", g, name)
        decisions = suppress(self.atom_sizes, candidates, self.min)

        cells = []
        for c in candidates:
            kind, group, team = kinds[c.key]
            d = decisions[c.key]
            cells.append(
                Cell(
                    key=c.key,
                    kind=kind,
                    group=group,
                    team=team,
                    label=self._label(kind, team),
                    respondents=d.size,
                    shown=d.shown,
                    reason=d.reason,
                )
            )
        wales_shown = self.wales_size >= self.min
        cells.append(
            Cell(
                key="wales",
                kind="wales",
                label=self.t(self.lang, "cell.wales"),
                respondents=self.wales_size,
                shown=wales_shown,
                reason=None if wales_shown else ("small" if self.wales_size else "empty"),
            )
        )
        atoms_of["wales"] = frozenset({"wales"})
        self._note_withheld(cells)
        return cells, atoms_of

    def _label(self, kind: str, team: str | None) -> str:
        if kind == "team" and team is not None:
            return team_label(self.lang, team)
        return self.t(self.lang, f"cell.{kind}")

    def _name(self, cell: Cell) -> str:
        if cell.kind == "team" and cell.team is not None:
            return team_members(self.lang, cell.team)
        return self.t(self.lang, f"name.{cell.kind}")

    def _note_withheld(self, cells: list[Cell]) -> None:
        t, lang = self.t, self.lang
        council_cell = cells[0]
        if council_cell.reason in ("small", "empty"):
            self.withheld.append(t(lang, "withheld.council_small", min=self.min, **self.forms))
            if any(q.kind == "text" for q in self.q.questions):
                self.withheld.append(
                    t(lang, "withheld.comments_council", min=self.min, **self.forms)
                )
        else:
            for cell in cells:
                if cell.kind == "wales" or cell.reason not in ("small", "complementary"):
                    continue
                self.withheld.append(
                    t(lang, f"withheld.{cell.reason}", name=self._name(cell), min=self.min)
                )
        if self.wales_size and self.wales_size < self.min:
            self.withheld.append(t(lang, "withheld.wales_small", min=self.min))
        if self.wales_left_out:
            self.withheld.append(
                t.plural(lang, "withheld.wales_excluded", self.wales_left_out, min=self.min)
            )

    def shown_for(self, question: Question) -> list[Cell]:
        """Shown groups that were asked this question (Wales last)."""
        out = []
        for cell in self.cells:
            if not cell.shown:
                continue
            if cell.group is not None and not question.asks(cell.group):
                continue
            out.append(cell)
        return out

    def counts(self, cell: Cell, question_id: str) -> Counts:
        if cell.kind == "wales":
            return self.wales.counts(["wales"], question_id)
        return self.tally.counts(self.cell_atoms[cell.key], question_id)

    # --- sections ---------------------------------------------------------------------

    def rates(self) -> ResponseRates:
        invited: dict[str, int] = defaultdict(int)
        responded: dict[str, int] = defaultdict(int)
        for r in self.rows.council_responses():
            invited[r.group] += r.invited
            responded[r.group] += r.submitted
        invited["total"] = sum(invited[g] for g in GROUPS)
        responded["total"] = sum(responded[g] for g in GROUPS)
        low = Fraction(str(self.q.thresholds.low_response_rate))
        rows = tuple(
            RateRow(
                row=key,
                label=self.t(self.lang, f"rates.row.{key}"),
                invited=invited[key],
                responded=responded[key],
                percent=_pct(responded[key], invited[key]),
                caution=invited[key] > 0 and Fraction(responded[key], invited[key]) < low,
            )
            for key in (*GROUPS, "total")
        )
        return ResponseRates(rows=rows, caution_below=round(float(low) * 100))

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
                    finding=finding_sentence(self.lang, rule, cell.kind, clause, cell.team),
                )
            )
        return Statement(
            question_id=question.id, text=question.text(self.lang), results=tuple(results)
        )

    def theme(self, theme_id: str) -> ThemeSection:
        theme = self.q.theme(theme_id)
        questions = [q for q in self.q.questions if q.theme == theme_id]
        statements = tuple(self.statement(q) for q in questions if q.kind == "agree")
        # Negatively worded statements keep their own findings, but agreeing with them is no
        # sign of maturity, so they stay out of the theme's pooled share.
        negative = {q.id for q in questions if q.negative}
        pooled_statements = [s for s in statements if s.question_id not in negative]

        def pooled(cell: str) -> int | None:
            agree = base = 0
            for s in pooled_statements:
                r = s.result(cell)
                if r is not None:
                    agree, base = agree + r.agree, base + r.n
            return _pct(agree, base)

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
        allowed = {
            q.id for q in questions if sum(self.group_sizes[g] for g in q.audience) >= self.min
        }
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
                if not cell.shown or cell.kind == "team":
                    continue
                asked = [q for q in questions if cell.group is None or q.asks(cell.group)]
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
) -> Report:
    """The whole report for one council in one language. Pure: the same input, the same report."""
    if rows.council_slug != council.slug:
        raise ValueError(f"rows are for {rows.council_slug!r}, not {council.slug!r}")
    names = CouncilName.of(council)
    b = _Builder(questionnaire, rows, names, lang, min_group_size)
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
    )
