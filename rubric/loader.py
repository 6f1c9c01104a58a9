"""Load ``questionnaire.toml`` into a validated :class:`~rubric.schema.Questionnaire`.

The models check each part on its own (both languages present, ids well formed, references
resolve). The loader adds the rules that only make sense for a questionnaire file as a whole, so
that a questionnaire a report cannot be built from is refused at start-up:

- every key characteristic is asked by exactly one level question, in that characteristic's theme;
- questions run theme by theme, in the order the themes are listed;
- every theme ends with at least one free-text question.

Every problem is raised as one :class:`QuestionnaireError` naming the file and the place in it
(``questions[12] (id 'p_clear') -> text -> cy``), never as a raw pydantic or TOML traceback.
"""

from __future__ import annotations

import functools
import tomllib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rubric.schema import Questionnaire

DEFAULT_PATH = Path(__file__).with_name("questionnaire.toml")
"""The questionnaire shipped with the package."""


class QuestionnaireError(ValueError):
    """The questionnaire file cannot be used; the message says what is wrong and where."""


def load_questionnaire(path: Path | None = None) -> Questionnaire:
    """Read, validate and check a questionnaire file (the packaged one when ``path`` is None).

    The packaged questionnaire is read once per process; other paths are read on every call.
    """
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.cache
def _load_default() -> Questionnaire:
    return _load(DEFAULT_PATH)


def _load(path: Path) -> Questionnaire:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QuestionnaireError(f"{path}: cannot read the questionnaire ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(f"{path}: the questionnaire is not UTF-8 ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(f"{path}: not valid TOML: {exc}") from exc
    try:
        questionnaire = Questionnaire.model_validate(raw)
    except ValidationError as exc:
        problems = "\n".join(
            f"  {_where(raw, err['loc'])}: {_message(err)}" for err in exc.errors()
        )
        count = exc.error_count()
        raise QuestionnaireError(
            f"{path}: {count} problem{'s' if count != 1 else ''} in the questionnaire:\n{problems}"
        ) from exc
    issues = check_questionnaire(questionnaire)
    if issues:
        listed = "\n".join(f"  {p}" for p in issues)
        raise QuestionnaireError(f"{path}: the questionnaire does not hold together:\n{listed}")
    return questionnaire


def check_questionnaire(questionnaire: Questionnaire) -> list[str]:
    """The whole-file rules the models do not check; an empty list means all is well."""
    problems: list[str] = []
    theme_order = {t.id: i for i, t in enumerate(questionnaire.themes)}

    asked = Counter(
        q.characteristic for q in questionnaire.questions if q.characteristic is not None
    )
    for c in questionnaire.characteristics:
        if asked[c.id] != 1:
            problems.append(
                f"characteristics (id {c.id!r}): asked by {asked[c.id]} level questions, "
                "needs exactly 1"
            )
    for q in questionnaire.questions:
        if q.characteristic is None:
            continue
        char_theme = questionnaire.characteristic(q.characteristic).theme
        if char_theme != q.theme:
            problems.append(
                f"questions (id {q.id!r}): in theme {q.theme!r} but asks about characteristic "
                f"{q.characteristic!r} of theme {char_theme!r}"
            )

    previous = -1
    for q in questionnaire.questions:
        position = theme_order[q.theme]
        if position < previous:
            problems.append(
                f"questions (id {q.id!r}): theme {q.theme!r} comes back after a later theme; "
                "keep questions in theme order"
            )
        previous = max(previous, position)

    for t in questionnaire.themes:
        kinds = {q.kind for q in questionnaire.questions if q.theme == t.id}
        if "text" not in kinds:
            problems.append(f"themes (id {t.id!r}): has no free-text question on its barriers")
    return problems


def _where(raw: Any, loc: Sequence[int | str]) -> str:
    """``('questions', 3, 'text', 'cy')`` -> ``questions[3] (id 'p_clear') -> text -> cy``."""
    if not loc:
        return "questionnaire"
    parts: list[str] = []
    node: Any = raw
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            item = node[key] if isinstance(node, list) and 0 <= key < len(node) else None
            if isinstance(item, dict) and "id" in item:
                label += f" (id {item['id']!r})"
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
            node = item
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return " -> ".join(parts)


def _message(err: Any) -> str:
    """Pydantic's message without its "Value error, " prefix for the models' own checks."""
    message = str(err["msg"])
    return message.removeprefix("Value error, ")
