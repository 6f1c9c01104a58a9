"""Roster CSV in, invitations CSV out (the columns are in the interface contract).

A problem in a roster is reported with its line counted as the file's own lines, as an editor
shows them: a quoted field that holds a line break spans two lines, and the row is named by the
line it starts on. Every problem in the file is reported at once, so that one round of fixes is
enough, in the operator's language (a field's reason from its pydantic error type, see
``bot.cli.reasons``); the column names stay as the interface contract has them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from bot.cli.counting import count
from bot.cli.reasons import pydantic_reason
from bot.cli.spreadsheet import csv_text
from bot.cli.words import cite, t
from storage.rows import Invitation, RosterRow

REQUIRED = ("council", "group", "name", "email", "language")
OPTIONAL = ("team",)
INVITATION_COLUMNS = ("council", "group", "name", "email", "language", "token", "link")
MAX_REPORTED = 20
"""Problems listed before the rest are only counted."""


@dataclass(frozen=True)
class Problem:
    line: int | None
    reason: str
    """Already in the operator's words."""


class RosterFileError(Exception):
    """A roster file that cannot be imported: one line per problem, each naming its line."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.line = problems[0].line if problems else None
        shown = [
            t("err.roster_line", path=path, line=p.line, reason=p.reason)
            if p.line
            else t("err.roster_file", path=path, reason=p.reason)
            for p in problems[:MAX_REPORTED]
        ]
        if len(problems) > MAX_REPORTED:
            more = t("roster.more", problems=count(len(problems) - MAX_REPORTED, "more_problem"))
            shown.append(t("err.roster_file", path=path, reason=more))
        super().__init__("\n".join(shown))


def _fail(path: Path, line: int | None, reason: str) -> RosterFileError:
    return RosterFileError(path, [Problem(line, reason)])


def _reason(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(p) for p in error["loc"]) or "row"
    return t("roster.field", field=field, reason=pydantic_reason(error))


def group_reason(group: str, groups: tuple[str, ...]) -> str:
    """A group that is none of the questionnaire's audiences: nobody could be asked a tool for
    it. The audiences there are, as the operator would type them."""
    known = ", ".join(cite(g) for g in groups)
    return t(
        "roster.field",
        field="group",
        reason=t("roster.unknown_group", group=cite(group), known=known),
    )


def read_roster(path: Path, groups: tuple[str, ...] | None = None) -> list[tuple[int, RosterRow]]:
    """Every row checked, with the line it starts on; any problem stops the whole import.
    With ``groups`` (the current questionnaire's audiences), a row's group must be one."""
    try:
        # Bytes, then decoded: reading as text would turn every \r\n into \n before the check.
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise _fail(path, None, t("roster.no_file")) from None
    except IsADirectoryError:
        raise _fail(path, None, t("roster.folder")) from None
    except PermissionError:
        raise _fail(path, None, t("roster.not_readable")) from None
    except UnicodeDecodeError as exc:
        line = text_line(exc.object[: exc.start])
        raise _fail(path, line, t("roster.not_utf8")) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    rows: list[tuple[int, RosterRow]] = []
    columns: list[str] | None = None
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(start, t("roster.bad_csv", error=exc)))
            break
        line, start = start, reader.line_num + 1
        if columns is None:
            columns = [c.strip().lower() for c in record]
            header = _header_problems(columns)
            if header:
                raise _fail(path, line, header)
            continue
        if not any(v.strip() for v in record):
            continue  # a blank line, or one of empty fields
        if len(record) != len(columns):
            fields = count(len(record), "field")
            header = count(len(columns), "column")
            reason = t("roster.field_count", fields=fields, columns=header)
            problems.append(Problem(line, reason))
            continue
        try:
            row = RosterRow(**dict(zip(columns, record, strict=True)))
        except ValidationError as exc:
            problems.append(Problem(line, _reason(exc)))
            continue
        if groups is not None and row.group not in groups:
            problems.append(Problem(line, group_reason(row.group, groups)))
            continue
        rows.append((line, row))
    if columns is None:
        raise _fail(path, None, t("roster.empty"))
    if problems:
        raise RosterFileError(path, problems)
    if not rows:
        raise _fail(path, None, t("roster.nobody"))
    return rows


def text_line(prefix: bytes) -> int:
    """The line on which the byte after `prefix` lies."""
    return prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n") + 1


def _header_problems(columns: list[str]) -> str | None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return t("roster.missing_columns", names=", ".join(cite(c) for c in missing))
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        return t("roster.unknown_columns", names=", ".join(cite(c) for c in unknown))
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        return t("roster.twice_columns", names=", ".join(cite(c) for c in twice))
    return None


def invitation_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def write_invitations(invitations: Iterable[Invitation], bot_username: str) -> str:
    return csv_text(
        INVITATION_COLUMNS,
        (
            (
                inv.council_slug,
                inv.group,
                inv.name,
                inv.email,
                inv.language or "",
                inv.token,
                invitation_link(bot_username, inv.token),
            )
            for inv in invitations
        ),
    )
