"""Every CSV file datatool writes goes through here, so that it is safe to open in a spreadsheet.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(...)`` leaks data, ``@cmd|' /C calc'!A0`` once ran programs), and a leading
tab or carriage return can hide such a start. OWASP's advice on CSV injection is to put a single
quote before such a cell, which makes it plain text; the csv module quotes the rest.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text, with a leading quote when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The whole file as text: the header, then every row, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return buffer.getvalue()


def write_csv(path: Path, header: Iterable[object], rows: Iterable[Iterable[object]]) -> None:
    path.write_text(csv_text(header, rows), encoding="utf-8")
