"""Change between two rounds of a council's survey, from the two rounds' reports alone.

What is compared. A statement or key characteristic is the same from round to round when it has
the same name (`rubric.changes`: a reworded statement keeps its name, a new name is a new
statement). For each one asked in both rounds whose figure for all respondents both rounds'
reports show, the change is said as the reports show the figures: "Agree 38% → 52%; disagree
40% → 31%; don't know 3 → 2", the median level then → now. Where either report withholds the
figure, nothing is said: no line, no empty row, no count that includes it
(`reports.confidentiality.change_shown`). Both figures are public in their own reports, so
putting them side by side tells a reader nothing they could not work out (docs/method.md).

What is said of the questionnaire. A statement reworded since the previous round (in either
language) is marked so, one otherwise changed (its audience, say) is marked as asked
differently, and the statements new in this round and those no longer asked are listed in their
theme: facts about the questionnaire, said whatever the figures.

Sentences. Every sentence about the figures is a `Claim` checked where it is made
(`reports.change_claims`): a theme's "Of the 5 statements shown in both rounds, views moved in
the Authority's favour on 3, ..." (a move is at least ``COMPARISON_MARGIN`` points of the
favourable share as the reports show it, the margin the report's comparisons use) and the
maturity's "the median level is higher on 2, ...". A summary is made only with two or more to
compare.

The national report's change (`maturity_spread`): each key characteristic's spread of councils
over the three levels in each round, each council placed by its own report's median, as the
national report places councils.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from reports.change_claims import (
    checked_change,
    compared,
    favourable_pct,
    shown_level,
)
from reports.findings import COMPARISON_MARGIN
from reports.results import (
    Asked,
    Claim,
    LevelChange,
    Report,
    RoundChange,
    StatementChange,
    ThemeChange,
)
from reports.text import join_words, messages
from rubric.changes import Change
from rubric.schema import Lang

__all__ = [
    "NationalChange",
    "SpreadChange",
    "compare_rounds",
    "maturity_spread",
]


def _asked(changes: Sequence[Change], kind: str, name: str) -> Asked:
    whats = {c.what for c in changes if c.kind == kind and c.name == name}
    if "reworded" in whats:
        return "reworded"
    if "changed" in whats:
        return "changed"
    return "same"


class _Words:
    def __init__(self, lang: Lang, previous: str, current: str) -> None:
        self.lang, self.previous, self.current = lang, previous, current

    def __call__(self, key: str, /, **values: object) -> str:
        return messages()(self.lang, key, previous=self.previous, current=self.current, **values)

    def note(self, asked: Asked) -> str | None:
        if asked == "reworded":
            return self("change.reworded")
        if asked == "changed":
            return self("change.changed")
        return None

    def summary_claim(
        self,
        said: Callable[[Claim], str],
        kind: Literal["change_theme", "change_maturity"],
        counts: tuple[int, int, int],
        subject: str,
    ) -> str | None:
        """The sentence over the parts with a count (up, down, same; zeros left out), said as
        its claim; None with fewer than two to compare."""
        if sum(counts) < 2:
            return None
        key = "change.theme" if kind == "change_theme" else "change.maturity"
        parts = [
            self(f"{key}.{name}", n=n, margin=COMPARISON_MARGIN)
            for name, n in zip(("up", "down", "same"), counts, strict=True)
            if n
        ]
        sentence = messages().plural(
            self.lang, f"{key}.summary", sum(counts), parts=join_words(self.lang, parts)
        )
        figures = (*counts, sum(counts))
        return said(Claim(kind=kind, sentence=sentence, subject=subject, figures=figures))


def compare_rounds(
    previous: Report,
    current: Report,
    changes: Sequence[Change],
    previous_label: str,
    current_label: str,
) -> RoundChange:
    """The change since `previous` (the previous round's final report) in `current`, both of
    one council and in one language; `changes` is `rubric.changes.changes(then, now)` of the
    two rounds' questionnaires. Pure."""
    if previous.lang != current.lang:
        raise ValueError("the two rounds' reports are in different languages")
    if previous.council.slug != current.council.slug:
        raise ValueError("the two reports are of different councils")
    w = _Words(current.lang, previous_label, current_label)
    claims: list[Claim] = []

    def said(claim: Claim) -> str:
        claims.append(checked_change(claim, previous, current))
        return claim.sentence

    now_ids = {s.question_id for t in current.themes for s in t.statements}
    then_ids = {s.question_id for t in previous.themes for s in t.statements}
    themes = []
    for theme in current.themes:
        lines = []
        moves = [0, 0, 0]
        for s in theme.statements:
            found = compared(previous, current, s.question_id)
            if found is None:
                continue
            _, a, b = found
            figures = (a.agree_pct, b.agree_pct, a.disagree_pct, b.disagree_pct, a.dk, b.dk)
            line = w(
                "change.figures",
                agree_then=a.agree_pct,
                agree_now=b.agree_pct,
                disagree_then=a.disagree_pct,
                disagree_now=b.disagree_pct,
                dk_then=a.dk,
                dk_now=b.dk,
            )
            said(
                Claim(
                    kind="change_figures",
                    sentence=line,
                    subject=s.question_id,
                    figures=tuple(f for f in figures if f is not None),
                )
            )
            then_fav, now_fav = favourable_pct(s, a) or 0, favourable_pct(s, b) or 0
            move = now_fav - then_fav
            moves[0 if move >= COMPARISON_MARGIN else 1 if -move >= COMPARISON_MARGIN else 2] += 1
            asked = _asked(changes, "question", s.question_id)
            lines.append(
                StatementChange(
                    question_id=s.question_id,
                    text=s.text,
                    asked=asked,
                    agree=(a.agree_pct or 0, b.agree_pct or 0),
                    disagree=(a.disagree_pct or 0, b.disagree_pct or 0),
                    dk=(a.dk, b.dk),
                    favourable=(then_fav, now_fav),
                    line=line,
                    note=w.note(asked),
                )
            )
        summary = w.summary_claim(
            said, "change_theme", (moves[0], moves[1], moves[2]), theme.theme_id
        )
        old = next((t for t in previous.themes if t.theme_id == theme.theme_id), None)
        themes.append(
            ThemeChange(
                theme_id=theme.theme_id,
                title=theme.title,
                statements=tuple(lines),
                summary=summary,
                new=tuple(s.text for s in theme.statements if s.question_id not in then_ids),
                removed=tuple(
                    s.text for s in (old.statements if old else ()) if s.question_id not in now_ids
                ),
            )
        )
    theme_ids = {t.theme_id for t in current.themes}
    orphans = tuple(
        s.text
        for t in previous.themes
        if t.theme_id not in theme_ids
        for s in t.statements
        if s.question_id not in now_ids
    )
    if orphans and themes:  # a theme no longer asked: its statements are listed in the last
        last = themes[-1]
        themes[-1] = last.model_copy(update={"removed": (*last.removed, *orphans)})

    rows_then = {row.characteristic_id for row in previous.maturity}
    rows_now = {row.characteristic_id for row in current.maturity}
    levels = []
    medians = [0, 0, 0]
    for row in current.maturity:
        pair = shown_level(previous, current, row.characteristic_id)
        if pair is None:
            continue
        then, now = pair[0].median or 0, pair[1].median or 0
        line = said(
            Claim(
                kind="change_level",
                sentence=w("change.level", then=then, now=now),
                subject=row.characteristic_id,
                figures=(then, now),
            )
        )
        medians[0 if now > then else 1 if now < then else 2] += 1
        asked = _asked(changes, "characteristic", row.characteristic_id)
        levels.append(
            LevelChange(
                characteristic_id=row.characteristic_id,
                title=row.title,
                asked=asked,
                median=(then, now),
                line=line,
                note=w.note(asked),
            )
        )
    maturity_summary = w.summary_claim(
        said,
        "change_maturity",
        (medians[0], medians[1], medians[2]),
        ",".join(c.characteristic_id for c in levels),
    )
    return RoundChange(
        lang=current.lang,
        previous_label=previous_label,
        current_label=current_label,
        heading=w("change.heading"),
        note=w("change.note"),
        new_heading=w("change.new"),
        removed_heading=w("change.removed"),
        themes=tuple(themes),
        maturity=tuple(levels),
        maturity_summary=maturity_summary,
        maturity_new=tuple(
            r.title for r in current.maturity if r.characteristic_id not in rows_then
        ),
        maturity_removed=tuple(
            r.title for r in previous.maturity if r.characteristic_id not in rows_now
        ),
        claims=tuple(dict.fromkeys(claims)),
    )


# --- the national report: each characteristic's spread of councils, then and now -----------


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SpreadChange(_Result):
    characteristic_id: str
    title: str
    then: tuple[int, int, int]
    """How many councils the previous round's reports place at levels 1, 2, 3."""
    now: tuple[int, int, int]
    then_with_figures: int
    now_with_figures: int


class NationalChange(_Result):
    previous_label: str
    current_label: str
    heading: str
    lead: str
    caption: str
    rows: tuple[SpreadChange, ...]


def _placements(reports: Mapping[str, Report], cid: str) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    for report in reports.values():
        result = report.levels(cid)
        level = result.median if result is not None else None
        if level is not None:
            counts[level - 1] += 1
    return counts[0], counts[1], counts[2]


def maturity_spread(
    current: Mapping[str, Report],
    previous: Mapping[str, Report],
    lang: Lang,
    previous_label: str,
    current_label: str,
) -> NationalChange:
    """Each key characteristic of the current round: how many councils each round's own reports
    place at each level (by the median of all respondents, where the report shows it). Every
    count is of shown figures only, as the rest of the national report is."""
    w = _Words(lang, previous_label, current_label)
    titles: dict[str, str] = {}
    for report in current.values():
        for row in report.maturity:
            titles.setdefault(row.characteristic_id, row.title)
    rows = []
    for cid, title in titles.items():
        then, now = _placements(previous, cid), _placements(current, cid)
        rows.append(
            SpreadChange(
                characteristic_id=cid,
                title=title,
                then=then,
                now=now,
                then_with_figures=sum(then),
                now_with_figures=sum(now),
            )
        )
    return NationalChange(
        previous_label=previous_label,
        current_label=current_label,
        heading=w("change.heading"),
        lead=w("national.change.lead"),
        caption=w("national.change.caption"),
        rows=tuple(rows),
    )
