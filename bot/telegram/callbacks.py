"""Callback data carried by inline buttons (aiogram ``CallbackData``; always under 64 bytes).

Every button names the question it belongs to, so a tap on an old message is recognised as stale
instead of being applied to whatever question happens to be current.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class Nav(StrEnum):
    BACK = "back"
    SKIP = "skip"
    CHANGE = "change"
    REVIEW = "review"
    SUBMIT = "submit"
    PRIVACY = "privacy"
    RESUME = "resume"


class AnswerCb(CallbackData, prefix="a"):
    q: str
    o: str


class NavCb(CallbackData, prefix="n"):
    action: Nav
    q: str = ""


class LangCb(CallbackData, prefix="l"):
    lang: str


class ForgetCb(CallbackData, prefix="f"):
    confirm: bool
