"""What respondents' comments are about, as data: the topic lexicon (``comment_topics.toml``).

Each topic has an id, a label in both languages (the heading it has in a theme section), the
words that follow "about" / "am" in the sentence counting its comments (the Welsh already
soft-mutated, as after "am"), and the keywords that place a comment in it, in English and in
Welsh. A keyword is a stem that a word of the comment begins with ("shar" for share, shared,
sharing), or a few stems a phrase of consecutive words begins with ("ar wahan"); the Welsh
stems are written in their radical form, and the rule that reads them (`reports.topic_words`)
matches their mutated forms too ("data": "ddata", "nata"). Loaded once and validated by
pydantic, so a malformed lexicon is refused at start-up, named by its place in the file.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rubric.loader import QuestionnaireError, _message, _where
from rubric.schema import Text

TOPICS = Path(__file__).with_name("comment_topics.toml")

OTHER = "other"
"""The topic of a comment that matches none: reserved, never a lexicon's id."""

_KEYWORD = re.compile(r"^(?:[^\W\d_]{3,}|[^\W\d_]+(?: [^\W\d_]+)+)$")
"""One stem of at least three letters, or a phrase of stems (lower case, letters only)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Keywords(_Frozen):
    en: tuple[str, ...] = Field(min_length=1)
    cy: tuple[str, ...] = Field(min_length=1)

    @field_validator("en", "cy")
    @classmethod
    def _stems(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        for word in words:
            if not _KEYWORD.match(word) or word != word.lower():
                raise ValueError(
                    f"keyword {word!r}: lower-case letters, a stem of at least 3, or a phrase"
                )
        if len(set(words)) != len(words):
            raise ValueError(f"a keyword is listed twice in {list(words)}")
        return words


class CommentTopic(_Frozen):
    id: str = Field(pattern=r"^[a-z_]{1,32}$")
    label: Text
    """The topic as a heading: "Systems and technology" / "Systemau a thechnoleg"."""
    about: Text
    """After "about" / "am" in "3 comments are about ...": Welsh soft-mutated ("rannu ...")."""
    keywords: Keywords

    @field_validator("id")
    @classmethod
    def _not_other(cls, value: str) -> str:
        if value == OTHER:
            raise ValueError(f"{OTHER!r} is the topic of comments that match none")
        return value


class Lexicon(_Frozen):
    topics: tuple[CommentTopic, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Lexicon:
        ids = [t.id for t in self.topics]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate topic id in {ids}")
        return self

    def topic(self, topic_id: str) -> CommentTopic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


def load_topics(path: Path | None = None) -> Lexicon:
    """The lexicon (the packaged one, read once per process, when `path` is None)."""
    return _load_default() if path is None else _load(path)


@functools.cache
def _load_default() -> Lexicon:
    return _load(TOPICS)


def _load(path: Path) -> Lexicon:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QuestionnaireError(f"{path}: cannot read it ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return Lexicon.model_validate(raw)
    except ValidationError as exc:
        errors = "\n".join(f"  {_where(raw, e['loc'])}: {_message(e)}" for e in exc.errors())
        raise QuestionnaireError(f"{path}: problems in the comment topics:\n{errors}") from exc
