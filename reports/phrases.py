"""Small pieces of the narrative's sentences in both languages: who a group is in running text,
lists joined with "and"/"a" (with the Welsh aspirate mutation and "ac" before a vowel), a
finding with its figures, and reading a statement's shown results."""

from __future__ import annotations

from collections.abc import Sequence

from reports.results import Report, Statement, StatementResult
from reports.text import messages, team_members
from rubric.schema import Lang

WELSH_VOWELS = set("aeiouwyâêîôûŵŷAEIOUWYÂÊÎÔÛŴŶ")
ASPIRATE = {"c": "ch", "p": "ph", "t": "th", "C": "Ch", "P": "Ph", "T": "Th"}


def t(lang: Lang, key: str, /, **values: object) -> str:
    return messages()(lang, key, **values)


def aspirate(word: str) -> str:
    """The aspirate mutation after "a" (and): "Penderfyniadau" -> "Phenderfyniadau"."""
    if len(word) > 1 and word[:2].lower() in ("ch", "ph", "th"):
        return word
    return ASPIRATE.get(word[:1], word[:1]) + word[1:] if word else word


def and_list(lang: Lang, items: Sequence[str]) -> str:
    """ "a, b and c"; "a, b a chi" (aspirate after a, "ac" before a vowel)."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    head, last = ", ".join(items[:-1]), items[-1]
    if lang == "en":
        return f"{head} and {last}"
    if last[:1] in WELSH_VOWELS:
        return f"{head} ac {last}"
    return f"{head} a {aspirate(last)}"


def who(report: Report, cell_key: str) -> str:
    """A group after a share: "of officers" / "o'r swyddogion"."""
    cell = report.cell(cell_key)
    lang = report.lang
    if cell.kind == "team" and cell.team is not None:
        return t(lang, "who.team", members=team_members(lang, cell.team))
    if cell.kind == "audience":
        return t(lang, "who.team", members=team_members(lang, cell.label))
    return t(lang, f"who.{cell.kind}")


def usable(result: StatementResult | None) -> bool:
    """A result the report shows figures for (someone gave a view and the shares are there)."""
    return (
        result is not None
        and result.n > 0
        and result.agree_pct is not None
        and result.disagree_pct is not None
    )


def shown(statement: Statement, cell: str) -> StatementResult | None:
    result = statement.result(cell)
    return result if usable(result) else None


def with_figures(lang: Lang, result: StatementResult) -> str:
    """The rule's finding with its figures: "Most respondents agree that ... (80% agree, 10%
    disagree)."."""
    sentence = result.finding.rstrip(".")
    return t(
        lang,
        "told.figures",
        sentence=sentence,
        agree=result.agree_pct,
        disagree=result.disagree_pct,
    )
