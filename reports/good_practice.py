"""Good practice to learn from: the national study's examples (``rubric/good_practice.toml``)
that match the key characteristics where respondents place the Authority lowest.

The weakest characteristics are read from all respondents' shown level counts: lowest mean
level first, then the larger share at level 1, then the questionnaire's order. When no level
figure is shown (the council's figures are withheld) nothing can be matched, and the report
offers every example instead, saying so.
"""

from __future__ import annotations

from fractions import Fraction

from reports.phrases import and_list, t
from reports.results import Example, Report
from rubric.advice import Advice, GoodPractice
from rubric.schema import Lang


def weakest_characteristics(report: Report, count: int) -> tuple[str, ...]:
    ranked = []
    for position, row in enumerate(report.maturity):
        r = row.result("all")
        if r is None or r.n == 0:
            continue
        mean = Fraction(r.levels[0] + 2 * r.levels[1] + 3 * r.levels[2], r.n)
        ranked.append((mean, -Fraction(r.levels[0], r.n), position, row.characteristic_id))
    ranked.sort()
    return tuple(cid for *_, cid in ranked[:count])


def _example(g: GoodPractice, lang: Lang, titles: dict[str, str], rank: dict[str, int]) -> Example:
    """An example in the report's language, with the characteristics it shows, weakest first."""
    return Example(
        id=g.id,
        title=g.title(lang),
        organisation=g.organisation(lang),
        summary=g.summary(lang),
        characteristics=tuple(
            titles[c]
            for c in sorted(g.characteristics, key=lambda c: rank.get(c, 99))
            if c in titles
        ),
    )


def match_good_practice(
    report: Report, advice: Advice
) -> tuple[tuple[str, ...], tuple[Example, ...], str]:
    """(weakest characteristic ids, the examples offered, the sentence that introduces them)."""
    rules, lang = advice.narrative.good_practice, report.lang
    titles = {row.characteristic_id: row.title for row in report.maturity}
    weakest = weakest_characteristics(report, rules.weakest)
    rank = {cid: i for i, cid in enumerate(weakest)}
    if weakest:
        matched = [
            (min(rank[c] for c in g.characteristics if c in rank), i, g)
            for i, g in enumerate(advice.good_practice)
            if any(c in rank for c in g.characteristics)
        ]
        matched.sort(key=lambda m: (m[0], m[1]))
        chosen = [g for *_, g in matched[: rules.max_examples]]
        intro = t(
            lang,
            "practice.intro",
            characteristics=and_list(lang, [titles[c] for c in weakest]),
            **report.council.forms(lang),
        )
    else:
        chosen = list(advice.good_practice)
        intro = t(lang, "practice.intro_unmatched")
    examples = tuple(_example(g, lang, titles, rank) for g in chosen)
    return weakest, examples, intro


def every_example(
    report: Report, advice: Advice
) -> tuple[tuple[str, ...], tuple[Example, ...], str]:
    """(weakest characteristic ids, every example of the national study, the sentence that
    introduces them): all of them, those that show the characteristics where respondents place
    the Authority lowest first, each with every characteristic it shows, weakest first. The
    national report still counts the examples `match_good_practice` offers."""
    rules, lang = advice.narrative.good_practice, report.lang
    titles = {row.characteristic_id: row.title for row in report.maturity}
    ranked = weakest_characteristics(report, len(report.maturity))
    if not ranked:
        return match_good_practice(report, advice)
    rank = {cid: i for i, cid in enumerate(ranked)}
    order = sorted(
        enumerate(advice.good_practice),
        key=lambda ig: (min((rank.get(c, 99) for c in ig[1].characteristics), default=99), ig[0]),
    )
    weakest = ranked[: rules.weakest]
    intro = t(
        lang,
        "practice.intro_all",
        characteristics=and_list(lang, [titles[c] for c in weakest]),
        **report.council.forms(lang),
    )
    examples = tuple(_example(g, lang, titles, rank) for _, g in order)
    return weakest, examples, intro
