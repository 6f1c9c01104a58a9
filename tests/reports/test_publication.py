"""The report's parts that read as a publication: why data matters (the seed's Part 1,
attributed) and how the report was made, true of the questionnaire they describe."""

from __future__ import annotations

import re

import pytest

from reports.render import render_html
from rubric.loader import load_questionnaire
from rubric.schema import Lang
from tests.reports.test_document import powys_people
from tests.support.report_rows import report


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_why_data_matters_and_the_method(lang: Lang) -> None:
    html = render_html(report(powys_people(), lang), lang)
    why = html[html.index('<section id="why-data">') :]
    why = why[: why.index("</section>")]
    for figure in ("750", "36%", "12%", "level 1" if lang == "en" else "lefel 1"):
        assert figure in why, figure
    assert ("Wales Audit Office" if lang == "en" else "Swyddfa Archwilio Cymru") in why
    method = html[html.index('<section id="method">') :]
    method = method[: method.index("</section>")]
    q = load_questionnaire()
    statements = sum(1 for x in q.questions if x.kind == "agree")
    assert re.search(rf"\b{statements}\b", method), statements
    assert re.search(rf"\b{len(q.characteristics)}\b", method)
    assert "#method" in html and "#why-data" in html


def test_repeated_comments_are_collapsed_and_the_recurring_ones_shown_in_the_theme() -> None:
    from reports.comment_topics import collapse

    said = ("Services work in silos.", "services work in  silos", "Need training.")
    assert collapse(said * 2 + ("Services work in silos!",)) == [
        ("Services work in silos.", 5),
        ("Need training.", 2),
    ]
    base = report(powys_people(), "en")
    theme = base.themes[0]
    comments = ("We need a data strategy.",) * 5 + ("Mae angen hyfforddiant.",)
    crowded = base.model_copy(
        update={"themes": (theme.model_copy(update={"comments": comments}), *base.themes[1:])}
    )
    html = render_html(crowded, "en")
    assert html.count("We need a data strategy.") == 2  # once in the theme, once in the annex
    assert html.count("(said by 5 respondents)") == 2
    section = html[html.index(f'id="theme-{theme.theme_id}"') :]
    section = section[: section.index("</section>")]
    assert "What respondents&#39; comments are about" in section
    assert "5 comments are about strategy and direction." in section
    assert "Mae angen hyfforddiant." not in section  # said once: in the annex only
    cy = render_html(
        report(powys_people(), "cy").model_copy(update={"themes": crowded.themes}), "cy"
    )
    assert "(dywedwyd gan 5 ymatebydd)" in cy
