"""A theme's comments grouped by what they are about: the lexicon (rubric/comment_topics.toml),
the rule that places a comment (reports.topic_words), and the theme section that shows the
recurring topics, under the comment rule, in both languages."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports import build_report
from reports.claims import holds
from reports.document import build_document
from reports.language import written_in
from reports.pdf import render_pdf
from reports.render import render_html
from reports.results import Report
from reports.topic_words import Phrase, assign, keywords, phrase, words
from rubric.comment_topics import CommentTopic, Lexicon, load_topics
from rubric.loader import QuestionnaireError
from rubric.schema import LANGS, Lang
from storage.reporting import CommentRow
from tests.reports.test_claims import ON, POWYS, Q, council_rows
from tests.reports.test_document import powys_people
from tests.support.report_rows import report


def lexicon(**keywords: tuple[list[str], list[str]]) -> Lexicon:
    return Lexicon.model_validate(
        {
            "topics": [
                {
                    "id": tid,
                    "label": {"en": tid, "cy": tid},
                    "about": {"en": tid, "cy": tid},
                    "keywords": {"en": en, "cy": cy},
                }
                for tid, (en, cy) in keywords.items()
            ]
        }
    )


def _contains(found: tuple[str, ...], stems: Phrase) -> bool:
    n = len(stems)
    return any(
        all(any(found[i + j].startswith(f) for f in stems[j]) for j in range(n))
        for i in range(len(found) - n + 1)
    )


def matches(topic: CommentTopic, found: tuple[str, ...], langs: tuple[Lang, ...]) -> bool:
    """The rule stated plainly, word by word: whether the words `found` hold one of the
    topic's keywords in one of `langs`. `topic_words.matcher`'s compiled expressions must
    agree with it."""
    return any(_contains(found, phrase(k, lang)) for lang in langs for k in keywords(topic)[lang])


def test_the_packaged_lexicon_has_every_topic_in_both_languages() -> None:
    topics = load_topics().topics
    assert len(topics) >= 8
    for topic in topics:
        assert topic.label.en and topic.label.cy and topic.about.en and topic.about.cy
        assert topic.keywords.en and topic.keywords.cy


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"keywords": {"en": ["Share"], "cy": ["rhann"]}}, "topics[0] (id 'a') -> keywords -> en"),
        ({"keywords": {"en": ["share"], "cy": []}}, "topics[0] (id 'a') -> keywords -> cy"),
        ({"keywords": {"en": ["it"], "cy": ["rhann"]}}, "topics[0] (id 'a') -> keywords -> en"),
        ({"id": "other"}, "topics[0] (id 'other') -> id"),
        ({"label": {"en": "Sharing"}}, "topics[0] (id 'a') -> label -> cy"),
    ],
)
def test_a_malformed_lexicon_is_refused_naming_the_place(
    tmp_path: Path, change: dict[str, object], named: str
) -> None:
    topic: dict[str, object] = {
        "id": "a",
        "label": {"en": "Sharing", "cy": "Rhannu"},
        "about": {"en": "sharing", "cy": "rannu"},
        "keywords": {"en": ["shar"], "cy": ["rhann"]},
    }
    topic.update(change)

    def toml(value: object) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(toml(v) for v in value) + "]"
        return f'"{value}"'

    path = tmp_path / "topics.toml"
    path.write_text(
        "[[topics]]\n" + "".join(f"{k} = {toml(v)}\n" for k, v in topic.items()), encoding="utf-8"
    )
    with pytest.raises(QuestionnaireError) as refused:
        load_topics(path)
    assert named in str(refused.value)


def test_two_topics_with_one_id_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate topic id"):
        Lexicon.model_validate(
            {"topics": [lexicon(a=(["shar"], ["rhann"])).topics[0].model_dump()] * 2}
        )


@pytest.mark.parametrize(
    "comment",
    [
        "Does dim digon o ddata gennym ni o gwbl i wneud y gwaith.",  # soft
        "Dydw i ddim yn gallu gweld fy nata i yn y gwasanaeth.",  # nasal
        "Mae angen hyfforddiant a thechnoleg well ar y staff i gyd.",  # aspirate
        "Does gan neb ei hamser ei hun yn y swyddfa y dyddiau hyn.",  # h before a vowel
        "Mae'r gwasanaethau'n dal i weithio ar wahân i'w gilydd yn y cyngor.",  # phrase, accent
        "Mae'n anodd rhannu gwybodaeth rhwng y gwasanaethau yn y cyngor.",  # radical
    ],
)
def test_welsh_stems_match_their_mutated_forms(comment: str) -> None:
    words = lexicon(cy=(["data"], ["data", "technoleg", "amser", "ar wahan", "rhann"]))
    assert assign(comment, words) == ("cy",)


def test_a_comment_is_read_with_the_keywords_of_its_language() -> None:
    words = lexicon(strategy=(["plan"], ["cynllun"]))
    # "plant" (children) begins with the English stem, but the comment is Welsh.
    welsh = "Mae'r gwasanaethau plant yn brysur iawn ac mae angen mwy o help arnyn nhw."
    assert assign(welsh, words) == ("other",)
    assert assign("Our plans are never joined up with the budget.", words) == ("strategy",)
    assert assign("Does dim cynllun gennym ni ar gyfer y data hyn o gwbl.", words) == ("strategy",)


def test_a_comment_may_be_about_several_topics_or_none() -> None:
    topics = load_topics()
    both = "Does dim digon o ddadansoddwyr, a does dim amser i hyfforddi."
    assert assign(both, topics) == ("skills", "resources")
    assert assign("There are too few analysts and no time for training.", topics) == (
        "skills",
        "resources",
    )
    assert assign("Nothing more to add.", topics) == ("other",)


THEME_COMMENTS = (
    ("Services still work in silos and do not share what they know.",) * 3
    + ("Mae gwasanaethau'n dal i weithio ar wahân a dydyn nhw ddim yn rhannu data.",)
    + ("We need a corporate data strategy that everyone understands.",)
    + ("There are too few analysts and no time for training.",) * 2
)
"""Four about sharing (in both languages, one said three times), one about strategy alone, two
about both skills and time, staff and money (quoted under skills only)."""


def crowded(lang: Lang) -> Report:
    base = report(powys_people(), lang)
    theme = base.themes[0]
    themed = theme.model_copy(update={"comments": THEME_COMMENTS})
    return base.model_copy(update={"themes": (themed, *base.themes[1:])})


@pytest.mark.parametrize(
    ("lang", "heading", "label", "sentence", "said_by"),
    [
        (
            "en",
            "What respondents&#39; comments are about",
            "Sharing information and working together",
            "4 comments are about sharing information and working together.",
            "(said by 3 respondents)",
        ),
        (
            "cy",
            "Pynciau sylwadau&#39;r ymatebwyr",
            "Rhannu gwybodaeth a chydweithio",
            "Mae 4 sylw am rannu gwybodaeth a chydweithio.",
            "(dywedwyd gan 3 ymatebydd)",
        ),
    ],
)
def test_the_theme_section_shows_the_topics_that_recur_in_each_comments_language(
    lang: Lang, heading: str, label: str, sentence: str, said_by: str
) -> None:
    built = crowded(lang)
    html = render_html(built, lang)
    section = html[html.index('id="theme-vision"') :]
    section = section[: section.index("</section>")]
    assert heading in section and f"<h4>{label}</h4>" in section
    assert f"<p>{sentence}</p>" in section
    # The most repeated first, with how many said it; each marked with its own language.
    english = '<li lang="en">Services still work in silos and do not share what they know. '
    assert english + f'<span class="said-by" lang="{lang}">{said_by}</span>' in section
    assert (
        '<li lang="cy">Mae gwasanaethau&#39;n dal i weithio ar wahân a dydyn nhw ddim yn '
        "rhannu data.</li>" in section
    )
    # Strategy has one comment: not a topic that recurs, so only in the annex.
    assert "strategy that everyone understands" not in section
    assert "strategy that everyone understands" in html
    # The count is a claim the report's own comments bear out.
    doc = build_document(built)
    claims = [c for c in doc.claims if c.kind == "comment_topic"]
    assert [(c.subject, c.figures) for c in claims] == [
        ("vision/sharing", (4,)),
        ("vision/skills", (2,)),
        ("vision/resources", (2,)),
    ]
    assert all(holds(c, built) for c in claims)
    wrong = claims[0].model_copy(update={"figures": (5,)})
    assert not holds(wrong, built)


def test_no_topics_where_the_comment_rule_withholds_the_comments() -> None:
    """A question's comments, and so its topics, only when at least k were asked it."""
    rows = council_rows(random.Random(7), officers=8, members=9, team=0)
    said = tuple(
        CommentRow(question_id="v_barriers", text=text)
        for text in ("Services still work in silos and do not share what they know.",) * 4
    )
    shown = rows.model_copy(
        update={"comments": said, "cells": (*rows.cells, ("v_barriers", "all"))}
    )
    hidden = rows.model_copy(
        update={"comments": said, "cells": tuple(c for c in rows.cells if c[0] != "v_barriers")}
    )
    for lang in ("en", "cy"):
        ok = build_document(build_report(Q, shown, POWYS, lang, 5, generated_on=ON))
        assert ok.themes[0].topics and ok.themes[0].topics[0].count == 4
        withheld = build_report(Q, hidden, POWYS, lang, 5, generated_on=ON)
        assert withheld.themes[0].comments == () and withheld.themes[0].comments_note
        doc = build_document(withheld)
        assert doc.themes[0].topics == ()
        assert "do not share what they know" not in render_html(doc, lang)
    few = council_rows(random.Random(7), officers=2, members=2, team=0)
    few = few.model_copy(update={"comments": said, "cells": (*few.cells, ("v_barriers", "all"))})
    small = build_document(build_report(Q, few, POWYS, "en", 5, generated_on=ON))
    assert all(story.topics == () for story in small.themes)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_topics_heading_and_a_topic_left_unquoted_never_stand_alone(lang: Lang) -> None:
    """The heading is in the first topic's box and an unquoted topic's sentence in the last
    one; a page never splits a box, so in the PDF each shares its page with what it leads."""
    built = crowded(lang)
    html = render_html(built, lang)
    block = html[html.index('<div class="comment-topics">') :]
    boxes = block[: block.index("</section>")].split('<div class="topic">')[1:]
    heading = "What respondents&#39; comments are about" if lang == "en" else "Pynciau sylwadau"
    bare = (
        "2 comments are about time, staff and money."
        if lang == "en"
        else "Mae 2 sylw am amser, staff ac arian."
    )
    assert heading in boxes[0] and bare in boxes[-1] and "<h4>" in boxes[-1]
    assert f'<p class="topic-also">{bare}</p>' in boxes[-1]
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(built, lang))).pages]

    def page_of(text: str) -> int:
        return next(i for i, p in enumerate(pages) if text in " ".join(p.split()))

    label = "Sharing information and working together" if lang == "en" else "Rhannu gwybodaeth"
    first = "Pynciau sylwadau'r ymatebwyr" if lang == "cy" else "What respondents' comments"
    assert page_of(first) == page_of(label)
    assert page_of(bare) == page_of("too few analysts and no time for training.")


def test_the_compiled_lexicon_places_a_comment_as_the_word_by_word_rule_does() -> None:
    """`assign` reads the lexicon through one compiled expression per topic and language; it
    must place every comment where the word-by-word rule (`matches`) does, mutated Welsh forms,
    phrases and words that merely begin with a stem included."""
    lex = load_topics()
    rng = random.Random(24)
    vocabulary = sorted(
        {
            form + tail
            for topic in lex.topics
            for lang, keys in (("en", topic.keywords.en), ("cy", topic.keywords.cy))
            for k in keys
            for forms in phrase(k, lang)
            for form in forms
            for tail in ("", "au", "ing")
        }
        | {"the", "and", "o", "yn", "data", "ni", "we"}
    )
    for _ in range(400):
        comment = " ".join(rng.choice(vocabulary) for _ in range(rng.randrange(1, 9)))
        lang = written_in(comment)
        langs: tuple[Lang, ...] = (lang,) if lang else LANGS
        found = words(comment)
        expected = tuple(t.id for t in lex.topics if matches(t, found, langs)) or ("other",)
        assert assign(comment, lex) == expected, comment
