"""Reasons that other layers give as codes, worded in the operator's language.

The settings and a roster's rows are checked by pydantic, the database's failures are named by
``storage.faults``, and a roster import's refusals by ``storage.roster``: each says *what*
went wrong as a code with its parameters (pydantic's error ``type`` and ``ctx``, a ``Fault``, a
``RowProblem``), never as a sentence, and the sentence is made here from the catalog. So Welsh
is never a translation of English text after the fact: an English sentence that changes can
never leave the Welsh one behind, or silently fall back to English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import ErrorDetails

from bot.cli.words import catalog, quoted, t
from storage.faults import Fault


def _value(value: object) -> object:
    """A ctx value as pydantic's own message shows it (30.0 as 30)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, BaseException):
        return str(value)
    return value


def _choices(expected: str) -> str:
    """pydantic's ``ctx["expected"]`` for a literal ("'a', 'b' or 'c'") joined in the
    operator's language: the values stay as they are typed, the "or" is the operator's."""
    first, sep, last = expected.rpartition(" or ")
    return t("pyd.choices", first=first, last=last) if sep else expected


def error_reason(kind: str, ctx: Mapping[str, Any], english: str = "") -> str:
    """One pydantic error as a sentence, from its type and ctx: a type of ours (``config.url``)
    is its own catalog key, pydantic's (``int_parsing``) and the storage layer's
    (``line_break``) are found under ``pyd.``; ``english`` is pydantic's own message, said in
    English for a type the catalog does not know (the Welsh then names the type)."""
    # A value pydantic quotes ('officer') is quoted as the operator's language quotes.
    values = {
        name: quoted(v) if isinstance(v, str) else v
        for name, v in ((name, _value(v)) for name, v in ctx.items())
    }
    if kind == "literal_error" and isinstance(values.get("expected"), str):
        values["expected"] = _choices(str(values["expected"]))
    if kind == "string_too_short" and values.get("min_length") == 1:
        kind = "string_empty"
    key = kind if "." in kind else f"pyd.{kind}"
    if key not in catalog("en"):
        return t("pyd.other", msg=english or kind, type=kind)
    return t(key, **values)


def pydantic_reason(error: ErrorDetails) -> str:
    return error_reason(error["type"], error.get("ctx", {}), error["msg"])


def fault_reason(found: Fault) -> str:
    """A database failure's cause: our words for the ones we know, the operating system's or
    the driver's own words (as they come) for the rest."""
    return t(f"fault.{found.code}", detail=found.detail)
