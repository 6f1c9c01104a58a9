"""Turns the flows' screens into Telegram messages (HTML text and inline keyboards).

Everything the questionnaire or a person wrote is escaped here, once, so that no handler builds
HTML by hand and every message stays inside Telegram's HTML subset and length limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.callbacks import AnswerCb, LangCb, Nav, NavCb
from flows import (
    MAX_TEXT,
    Answer,
    AskScreen,
    DoneScreen,
    LanguageScreen,
    PrivacyScreen,
    ReviewScreen,
    Screen,
)
from rubric.catalog import Messages
from rubric.schema import LANGS, Group, Lang, Question, Questionnaire

TELEGRAM_LIMIT = 4096
REVIEW_BUDGET = 3900
"""The review lists every answer; leave headroom under Telegram's 4096 for the header lines."""
LANGUAGE_NAMES: dict[Lang, str] = {"cy": "Cymraeg", "en": "English"}
CHECK = "✓ "


@dataclass(frozen=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None = None


class ScreenCache:
    """Question screens and answered records rendered once per process and reused.

    A question's screen depends on the question, its place, the language, the group, whether
    it may be skipped and the option already chosen, and on nothing a person typed, so it is
    built once rather than on every answer (its buttons were most of the cost of an answer).
    Anything that shows typed text is never cached. The Telegram objects are frozen, so one
    instance serves every message. One cache per questionnaire and catalog (the dispatcher's);
    it empties itself when full."""

    def __init__(self, questionnaire: Questionnaire, texts: Messages, size: int = 4096) -> None:
        self.questionnaire, self.texts, self.size = questionnaire, texts, size
        self._cache: dict[tuple[Any, ...], Any] = {}

    def serves(self, ctx: Context) -> bool:
        return ctx.questionnaire is self.questionnaire and ctx.texts is self.texts

    def get(self, key: tuple[Any, ...]) -> Any:
        return self._cache.get(key)

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        if len(self._cache) >= self.size:
            self._cache.clear()
        self._cache[key] = value


class ScreenCaches:
    """One `ScreenCache` per questionnaire version in use (None: the packaged one), made on
    first use: a version never changes, so its screens never do."""

    def __init__(self, packaged: ScreenCache) -> None:
        self.texts = packaged.texts
        self._caches: dict[int | None, ScreenCache] = {None: packaged}

    def of(self, version: int | None, questionnaire: Questionnaire) -> ScreenCache:
        cache = self._caches.get(version)
        if cache is None or cache.questionnaire is not questionnaire:
            cache = self._caches[version] = ScreenCache(questionnaire, self.texts)
        return cache


@dataclass(frozen=True)
class Context:
    """What a screen needs besides itself: the words, the person's language and group."""

    questionnaire: Questionnaire
    texts: Messages
    lang: Lang
    group: Group
    council_name: str
    min_group_size: int
    cache: ScreenCache | None = field(default=None, compare=False)
    """Where question screens are kept once rendered (None: render every time)."""

    def usable_cache(self) -> ScreenCache | None:
        """The cache, if it serves this context (None: render every time)."""
        return self.cache if self.cache is not None and self.cache.serves(self) else None


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    """Buttons are built directly: aiogram's keyboard builder deep-copies every button, which
    was most of the cost of answering a question."""
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def keyboard(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def language_keyboard() -> InlineKeyboardMarkup:
    return keyboard([[button(LANGUAGE_NAMES[lang], LangCb(lang=lang)) for lang in LANGS]])


def render(screen: Screen, ctx: Context) -> Rendered:
    if isinstance(screen, LanguageScreen):
        return Rendered(ctx.texts.both("language.choose"), language_keyboard())
    if isinstance(screen, PrivacyScreen):
        return _privacy(ctx)
    if isinstance(screen, AskScreen):
        return _ask_cached(screen, ctx)
    if isinstance(screen, ReviewScreen):
        return _review(screen, ctx)
    if isinstance(screen, DoneScreen):
        return Rendered(ctx.texts(ctx.lang, "done.thanks", council=escape(ctx.council_name)))
    raise TypeError(f"no rendering for {screen!r}")


def _privacy(ctx: Context) -> Rendered:
    q = ctx.questionnaire
    text = ctx.texts(
        ctx.lang,
        "privacy.notice",
        title=escape(q.title(ctx.lang)),
        council=escape(ctx.council_name),
        questions=ctx.texts.plural(ctx.lang, "count.questions", len(q.questions_for(ctx.group))),
        min=ctx.min_group_size,
    )
    return Rendered(
        text,
        keyboard([[button(ctx.texts(ctx.lang, "button.continue"), NavCb(action=Nav.PRIVACY))]]),
    )


def question_text(question: Question, index: int, total: int, ctx: Context) -> str:
    """The question as asked, without hints: also the record left once it is answered."""
    q, lang = ctx.questionnaire, ctx.lang
    theme = q.theme(question.theme)
    progress = ctx.texts(lang, "question.progress", index=index, total=total)
    lines = [
        f"<i>{escape(theme.title(lang))}</i> · {progress}",
        "",
        f"<b>{escape(question.prompt(lang, ctx.group))}</b>",
    ]
    if question.kind == "level" and question.characteristic:
        characteristic = q.characteristic(question.characteristic)
        for number, level in enumerate(characteristic.levels, start=1):
            label = ctx.texts(lang, "question.level_label", level=number)
            lines += ["", f"<b>{label}</b>: {escape(level(lang))}"]
    return "\n".join(lines)


def answer_label(question: Question, answer: Answer, ctx: Context) -> str:
    """The answer as a person reads it (escaped)."""
    if answer.skipped:
        return ctx.texts(ctx.lang, "answer.skipped")
    if answer.text is not None:
        return escape(answer.text)
    scale = ctx.questionnaire.scale(question)
    option = scale.option(answer.choice) if scale and answer.choice else None
    return escape(option.label(ctx.lang)) if option else escape(answer.choice or "")


def _ask_cached(screen: AskScreen, ctx: Context) -> Rendered:
    """`_ask`, from the cache unless the screen shows typed text."""
    cache = ctx.usable_cache()
    current = screen.current
    if cache is None or (current is not None and current.text is not None):
        return _ask(screen, ctx)
    key = (
        "ask",
        screen.question.id,
        screen.index,
        screen.total,
        screen.can_skip,
        None if current is None else current.choice,
        ctx.lang,
        ctx.group,
    )
    rendered: Rendered | None = cache.get(key)
    if rendered is None:
        rendered = _ask(screen, ctx)
        cache.put(key, rendered)
    return rendered


def _ask(screen: AskScreen, ctx: Context) -> Rendered:
    question, lang, texts = screen.question, ctx.lang, ctx.texts
    parts = [question_text(question, screen.index, screen.total, ctx), ""]
    if question.kind == "agree":
        parts.append(f"<i>{texts(lang, 'question.agree_hint')}</i>")
    elif question.kind == "level":
        parts.append(f"<i>{texts(lang, 'question.level_hint')}</i>")
    else:
        key = "question.text_optional_hint" if screen.can_skip else "question.text_hint"
        parts.append(f"<i>{texts(lang, key, max=f'{MAX_TEXT:,}')}</i>")
        if screen.current is not None and screen.current.text:
            current = _clip(screen.current.text, 1500)
            parts += ["", texts(lang, "question.current", answer=f"<i>{escape(current)}</i>")]

    scale = ctx.questionnaire.scale(question)
    current_choice = screen.current.choice if screen.current else None
    rows: list[list[InlineKeyboardButton]] = []
    if scale is not None:
        options = [
            button(
                (CHECK if option.id == current_choice else "") + option.label(lang),
                AnswerCb(q=question.id, o=option.id),
            )
            for option in scale.options
        ]
        # Agree labels are long: one per row. Levels fit three to a row, "Don't know" below.
        rows = [[b] for b in options] if question.kind == "agree" else [options[:-1], options[-1:]]
    nav = [button(texts(lang, "button.back"), NavCb(action=Nav.BACK, q=question.id))]
    if screen.can_skip:
        nav.append(button(texts(lang, "button.skip"), NavCb(action=Nav.SKIP, q=question.id)))
    rows.append(nav)
    return Rendered("\n".join(parts), keyboard(rows))


def answered_text(question: Question, answer: Answer, index: int, total: int, ctx: Context) -> str:
    """What a question's message is edited to once answered: the chat reads as a record."""
    cache = ctx.usable_cache()
    if cache is None or answer.text is not None:
        return _answered_text(question, answer, index, total, ctx)
    key = ("answered", question.id, answer.choice, index, total, ctx.lang, ctx.group)
    text: str | None = cache.get(key)
    if text is None:
        text = _answered_text(question, answer, index, total, ctx)
        cache.put(key, text)
    return text


def _answered_text(question: Question, answer: Answer, index: int, total: int, ctx: Context) -> str:
    label = answer_label(question, answer, ctx)
    if answer.text is not None:
        label = f"<i>{escape(_clip(answer.text, 1500))}</i>"
    return (
        question_text(question, index, total, ctx)
        + "\n\n"
        + CHECK
        + ctx.texts(ctx.lang, "answer.chosen", answer=label)
    )


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _review(screen: ReviewScreen, ctx: Context) -> Rendered:
    lang, texts = ctx.lang, ctx.texts
    header = [texts(lang, "review.title"), texts(lang, "review.hint")]
    if screen.missing:
        numbers = ", ".join(
            str(item.index) for item in screen.items if item.question.id in set(screen.missing)
        )
        header.append(f"<b>{texts(lang, 'review.missing', numbers=numbers)}</b>")

    def lines(prompt_len: int, answer_len: int) -> list[str]:
        out = []
        for item in screen.items:
            prompt = escape(_clip(item.question.prompt(lang, ctx.group), prompt_len))
            if item.answer is None:
                shown = "—"
            elif item.answer.text is not None:
                shown = f"<i>{escape(_clip(item.answer.text, answer_len))}</i>"
            else:
                shown = f"<b>{answer_label(item.question, item.answer, ctx)}</b>"
            out.append(f"{item.index}. {prompt}: {shown}")
        return out

    body: list[str] = []
    for prompt_len, answer_len in ((70, 80), (50, 50), (30, 30), (15, 15)):
        body = lines(prompt_len, answer_len)
        if len("\n".join(header + body)) <= REVIEW_BUDGET:
            break
    text = "\n\n".join(["\n".join(header[:1]), "\n".join(body), "\n".join(header[1:])])

    changes = [
        button(str(item.index), NavCb(action=Nav.CHANGE, q=item.question.id))
        for item in screen.items
    ]
    button_rows = [changes[i : i + 8] for i in range(0, len(changes), 8)]
    if not screen.missing:
        button_rows.append([button(texts(lang, "button.submit"), NavCb(action=Nav.SUBMIT))])
    return Rendered(text, keyboard(button_rows))
