"""What changed from one questionnaire version to the next, by name.

A part keeps its name from version to version, so a statement reworded keeps its history and a
new name is a new statement. For each theme, key characteristic, question, answer option and
audience the diff says whether it was added, removed, reworded (in English, in Welsh: each
language on its own) or changed otherwise (its audience, its kind, whether it may be skipped,
...).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from rubric.schema import Lang, Questionnaire, Text

Kind = Literal["theme", "characteristic", "question", "option", "audience"]
What = Literal["added", "removed", "reworded", "changed"]


@dataclass(frozen=True)
class Change:
    kind: Kind
    name: str
    what: What
    lang: Lang | None = None
    """For ``reworded``: the language whose words changed."""


def _parts(q: Questionnaire) -> Iterator[tuple[Kind, str, BaseModel]]:
    for theme in q.themes:
        yield "theme", theme.id, theme
    for characteristic in q.characteristics:
        yield "characteristic", characteristic.id, characteristic
    for question in q.questions:
        yield "question", question.id, question
    for scale_kind, scale in q.scales.items():
        for option in scale.options:
            yield "option", f"{scale_kind}.{option.id}", option
    for audience in q.audiences:
        yield "audience", audience.id, audience


def _split(part: BaseModel) -> tuple[dict[str, Any], dict[Lang, list[str]]]:
    """A part's fields other than its texts, and its texts by language."""
    other: dict[str, Any] = {}
    texts: dict[Lang, list[str]] = {"en": [], "cy": []}
    for name in type(part).model_fields:
        value = getattr(part, name)
        items = value if isinstance(value, tuple) else (value,)
        if any(isinstance(item, Text) for item in items):
            for item in items:
                for lang in ("en", "cy"):
                    texts[lang].append(item(lang) if isinstance(item, Text) else "")
        else:
            other[name] = value
    return other, texts


def changes(old: Questionnaire, new: Questionnaire) -> list[Change]:
    """The changes from ``old`` to ``new``, in ``new``'s order, then what was removed."""
    before = {(kind, name): part for kind, name, part in _parts(old)}
    found: list[Change] = []
    seen: set[tuple[Kind, str]] = set()
    for kind, name, part in _parts(new):
        seen.add((kind, name))
        was = before.get((kind, name))
        if was is None:
            found.append(Change(kind, name, "added"))
            continue
        other_was, texts_was = _split(was)
        other_now, texts_now = _split(part)
        for lang in ("en", "cy"):
            if texts_was[lang] != texts_now[lang]:
                found.append(Change(kind, name, "reworded", lang))
        if other_was != other_now:
            found.append(Change(kind, name, "changed"))
    found += [Change(k, n, "removed") for (k, n) in before if (k, n) not in seen]
    return found
