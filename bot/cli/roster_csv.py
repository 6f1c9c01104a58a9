"""Roster CSV in, invitations CSV out (the columns are in the interface contract)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from storage.models import Invitation, RosterRow

REQUIRED = ("council", "group", "name", "email", "language")
OPTIONAL = ("team",)
INVITATION_COLUMNS = ("council", "group", "name", "email", "language", "token", "link")


class RosterFileError(Exception):
    """A roster file that cannot be imported; says which line and why."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        where = f"{path}: line {line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.line = line


def read_roster(path: Path) -> list[tuple[int, RosterRow]]:
    """Every row checked, with its line number; the first bad row stops the import."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterFileError(path, None, "no such file") from None
    except UnicodeDecodeError:
        raise RosterFileError(path, None, "not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise RosterFileError(path, 1, f"missing column(s): {', '.join(missing)}")
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise RosterFileError(path, 1, f"unknown column(s): {', '.join(unknown)}")
    reader.fieldnames = columns
    rows: list[tuple[int, RosterRow]] = []
    for record in reader:
        line = reader.line_num
        if None in record or any(v is None for v in record.values()):
            raise RosterFileError(path, line, "wrong number of fields")
        if not any((v or "").strip() for v in record.values()):
            continue
        try:
            rows.append((line, RosterRow(**{k: v for k, v in record.items() if k})))
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"]) or "row"
            raise RosterFileError(path, line, f"{field}: {error['msg']}") from None
    if not rows:
        raise RosterFileError(path, None, "no invitees in the file")
    return rows


def invitation_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def write_invitations(invitations: Iterable[Invitation], bot_username: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(INVITATION_COLUMNS)
    for inv in invitations:
        writer.writerow(
            (
                inv.council_slug,
                inv.group,
                inv.name,
                inv.email,
                inv.language or "",
                inv.token,
                invitation_link(bot_username, inv.token),
            )
        )
    return buffer.getvalue()
