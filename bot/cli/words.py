"""The operator's words: ``datatool`` speaks Welsh or English, from one catalog.

The language is the operator's, not the report's (``--lang`` stays the report's): Welsh when
``DATATOOL_LANG=cy`` (in the environment or ``.env``), else when the locale is Welsh (the first
of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set starts with ``cy``, as ``cy_GB.UTF-8``), else
English. It is decided before the settings are read, since ``--help`` must be in the right
language without loading them.

Every sentence ``datatool`` prints comes from ``bot/cli/locales/{en,cy}`` through :func:`t`;
argparse's own words (usage, section titles, its errors) through :class:`Parser`; and the
reasons that the shared layers give as codes (a malformed setting, a refused roster row, a
database failure) through ``bot.cli.reasons``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from rubric.schema import Lang

LOCALES = Path(__file__).with_name("locales")
LANG_SETTING = "DATATOOL_LANG"


@cache
def catalog(lang: Lang) -> dict[str, str]:
    """One language's sentences by key, read once per process. Babel's reader alone, not
    ``rubric.catalog``: that would load pydantic, and ``datatool --help`` must start at once."""
    from babel.messages.pofile import read_po

    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh, locale=lang) if m.id and m.string}


def say(lang: Lang, key: str, /, **values: object) -> str:
    """Sentence ``key`` in ``lang``; a key missing from a catalog is a bug, not English."""
    text = catalog(lang)[key]
    return text.format(**values) if values else text


def _from_dotenv(path: Path = Path(".env")) -> str:
    if not path.is_file():
        return ""
    from dotenv import dotenv_values

    return str(dotenv_values(path).get(LANG_SETTING) or "")


def operator_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """The operator's language, from ``DATATOOL_LANG`` or else the locale."""
    env = os.environ if environ is None else environ
    chosen = (env.get(LANG_SETTING) or (_from_dotenv() if environ is None else "")).strip()
    if chosen.lower() in ("cy", "en"):
        return "cy" if chosen.lower() == "cy" else "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "cy" if value.lower().startswith("cy") else "en"
    return "en"


def t(key: str, /, **values: object) -> str:
    """The operator's sentence ``key``, in the operator's language."""
    return say(operator_lang(), key, **values)


# --- argparse in the operator's language ---------------------------------------------------

_ARGPARSE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the following arguments are required: (?P<names>.*)", re.S), "cli.required"),
    (
        re.compile(r"invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)", re.S),
        "cli.invalid_choice",
    ),
    (re.compile(r"unrecognized arguments: (?P<names>.*)", re.S), "cli.unrecognized"),
    (re.compile(r"expected one argument"), "cli.one_value"),
    (re.compile(r"invalid int value: (?P<value>.*)", re.S), "cli.invalid_number"),
    (
        re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)", re.S),
        "cli.ambiguous",
    ),
    (re.compile(r"ignored explicit argument (?P<value>.*)", re.S), "cli.no_value"),
]
_ARGUMENT = re.compile(r"argument (?P<name>[^:]+): (?P<message>.*)", re.S)


_QUOTED = re.compile(r"'([^']*)'")


def quoted(text: str) -> str:
    """argparse's 'value' as the operator's language quotes it: Welsh ‘value’."""
    return _QUOTED.sub(r"‘\1’", text) if operator_lang() == "cy" else text


def cite(text: str) -> str:
    """A literal the operator types (a column's name, a value), cited in a Welsh line as
    ‘text’; English shows it bare, as it always has."""
    return f"‘{text}’" if operator_lang() == "cy" else text


def argparse_message(message: str) -> str:
    """One of argparse's error messages in the operator's language (an unknown one as it is).

    argparse words its errors through ``gettext`` under the global domain, which a program can
    only replace for every library at once, so each message it can give is matched here, in
    :meth:`Parser.error` (its public hook), and said from the catalog."""
    found = _ARGUMENT.fullmatch(message)
    if found:
        inner = argparse_message(found["message"])
        return t("cli.argument", name=found["name"], message=inner)
    for pattern, key in _ARGPARSE:
        found = pattern.fullmatch(message)
        if found:
            return t(key, **{k: quoted(v) for k, v in found.groupdict().items()})
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else t("cli.usage"))


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose own words (usage, headings, -h, errors) are the operator's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        # argparse titles its own two sections in English; every argument goes into one of
        # these two instead, titled in the operator's words (an empty section is not shown).
        self.values = self.add_argument_group(t("cli.positionals"))
        self.options = self.add_argument_group(t("cli.options"))
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help=t("cli.help_option")
        )

    def add_argument(self, *names: Any, **kwargs: Any) -> argparse.Action:
        """An argument, in the section of its kind: a value, or an option (``-x``, ``--xx``)."""
        option = bool(names) and str(names[0])[:1] in self.prefix_chars
        return (self.options if option else self.values).add_argument(*names, **kwargs)

    def commands(self, **kwargs: Any) -> Any:
        """``add_subparsers`` with the commands listed under the operator's title for values."""
        return self.add_subparsers(title=t("cli.positionals"), **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, t("cli.error", prog=self.prog, message=argparse_message(message)) + "\n")
