"""Which language a comment was written in, so the HTML report can mark it (``lang``) and a
screen reader reads an English comment in a Welsh report with an English voice.

Decided from the comment's own words only, never from the language its writer chose for the
survey: the mark then tells a reader nothing the text does not already show, so it cannot help
attribute a comment. py3langid's model, narrowed to Welsh and English, does the deciding; a text
too short or too plain to tell ("GDPR", "Amser") gets no mark and is read in the report's
language.
"""

from __future__ import annotations

from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from rubric.schema import LANGS, Lang

CONFIDENT = 0.9
"""The least probability (of two) at which a comment is marked; below it the report's own
language stands."""


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGS))
    return identifier


def written_in(text: str) -> Lang | None:
    """``"cy"`` or ``"en"`` when the text is clearly one of them, else None."""
    if not any(ch.isalpha() for ch in text):
        return None
    lang, probability = _identifier().classify(text)
    if probability < CONFIDENT:
        return None
    return "cy" if lang == "cy" else "en"
