"""Which topics a comment is about: the rule that reads the lexicon (`rubric.comment_topics`).

A comment is about a topic when one of its words begins with one of the topic's stems (or
consecutive words begin with a phrase's stems), read with the keywords of the language it is
written in (`reports.language.written_in`; both lists when that cannot be told). Case and
accents are ignored, and words are split at apostrophes and hyphens, so "gwasanaethau'n" is
"gwasanaethau" and "under-represented" is two words. A Welsh stem also matches its mutated
forms, since a Welsh word changes its first letter after many words: soft ("data" after "o":
"o ddata"), nasal ("fy nata"), aspirate ("a thechnoleg"), and an h before a vowel ("ei
hamser"); only a phrase's first word is mutated. Pure: the same comment and lexicon, the same
topics, in the lexicon's order.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from reports.language import written_in
from reports.results import Report
from rubric.comment_topics import OTHER, CommentTopic, Lexicon, load_topics
from rubric.schema import LANGS, Lang
from storage.councils import mutate

RECURS = 2
"""A topic is shown in a theme's section when at least this many comments are about it."""

_WORD = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """Lower case without accents: "Wahân" -> "wahan"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> tuple[str, ...]:
    """The comment's words, folded, split at anything that is not a letter."""
    return tuple(_WORD.findall(fold(text)))


def welsh_forms(stem: str) -> frozenset[str]:
    """A Welsh stem as it may stand in running text: radical, soft, nasal, aspirate, and with
    an h before a vowel."""
    forms = {stem} | {mutate(stem, m) for m in ("soft", "nasal", "aspirate")}
    if stem[:1] in "aeiouwy":
        forms.add("h" + stem)
    return frozenset(f for f in forms if f)


Phrase = tuple[frozenset[str], ...]
"""The forms each word of a keyword may begin with."""


@functools.lru_cache(maxsize=4096)
def phrase(keyword: str, lang: Lang) -> Phrase:
    first, *rest = fold(keyword).split()
    head = welsh_forms(first) if lang == "cy" else frozenset({first})
    return (head, *(frozenset({w}) for w in rest))


def keywords(topic: CommentTopic) -> dict[Lang, tuple[str, ...]]:
    """The topic's keywords by language."""
    return {"en": topic.keywords.en, "cy": topic.keywords.cy}


def _pattern(stems: Phrase) -> str:
    """A phrase as a regular expression over the comment's words joined by single spaces:
    consecutive words, each beginning with one of its forms."""
    return " ".join(
        "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")[^ ]*"
        for forms in stems
    )


Matcher = tuple[tuple[str, dict[Lang, re.Pattern[str]]], ...]
"""Each topic's id with one compiled expression per language for all its keywords."""


@functools.cache
def matcher(lexicon: Lexicon) -> Matcher:
    """The lexicon compiled once (a lexicon never changes once loaded): scanning a comment's
    words phrase by phrase in Python made report building quadratic in the lexicon's size and
    slow enough to be felt; one expression per topic and language, anchored at word starts,
    tests the same thing in a single pass."""
    out: list[tuple[str, dict[Lang, re.Pattern[str]]]] = []
    for topic in lexicon.topics:
        by_lang: dict[Lang, re.Pattern[str]] = {
            lang: re.compile(
                "(?:^| )(?:"
                + "|".join(_pattern(phrase(k, lang)) for k in keywords(topic)[lang])
                + ")"
            )
            for lang in LANGS
        }
        out.append((topic.id, by_lang))
    return tuple(out)


def assign(comment: str, lexicon: Lexicon) -> tuple[str, ...]:
    """The ids of the topics `comment` is about, in the lexicon's order; ``("other",)`` when
    it is about none of them."""
    lang = written_in(comment)
    langs: tuple[Lang, ...] = (lang,) if lang else LANGS
    text = " ".join(words(comment))
    ids = tuple(
        topic_id
        for topic_id, by_lang in matcher(lexicon)
        if any(by_lang[lang].search(text) for lang in langs)
    )
    return ids or (OTHER,)


def topic_count(report: Report, theme_id: str, topic_id: str) -> int:
    """How many of a theme's shown comments are about the topic (repeats each counted), by
    the packaged lexicon: what a ``comment_topic`` claim's figure must be (at least
    `RECURS`)."""
    theme = next((t for t in report.themes if t.theme_id == theme_id), None)
    if theme is None:
        return 0
    lexicon = load_topics()
    return sum(1 for c in theme.comments if topic_id in assign(c, lexicon))
