"""pyxform's checks of an XLSForm, behind a typed function (pyxform ships no type information).

pyxform is the reference XLSForm converter (ODK, KoboToolbox): a workbook it converts is one
those tools accept. Only the conversion runs here, never ODK Validate (a Java program).
"""

from __future__ import annotations

import io

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert


def errors(data: bytes) -> list[str]:
    """pyxform's reasons for refusing the workbook ``data`` (its own English words); empty when
    it converts."""
    try:
        convert(xlsform=io.BytesIO(data), warnings=[], file_type=".xlsx")
    except PyXFormError as exc:
        return [str(exc)]
    return []
