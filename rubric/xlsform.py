"""The questionnaire as an XLSForm workbook, and back: the spreadsheet the auditors edit.

XLSForm is how survey teams write questionnaires (ODK, KoboToolbox, SurveyCTO), so the workbook
:func:`to_workbook` writes is one those tools open, and that pyxform converts:

- ``survey``: the ``group`` row first (``select_one audience``: who is asked, set by the roster
  in datatool); then each theme as a ``begin_group`` (its title as the label, its opening
  paragraph in the ``intro::`` columns) holding its questions in order, closed by ``end_group``.
  A question is ``select_one agree``, ``select_one level`` or ``text``; ``required`` is ``yes``
  unless it may be skipped; ``relevant`` says who is asked (``${group} = 'officer'``, blank for
  everyone). Columns XLSForm does not know, which pyxform leaves alone, hold the rest:
  ``characteristic`` (a level question's key characteristic), ``negative`` (agreeing is a bad
  sign), ``finding::`` (the report's clause) and ``member_label::`` (the members' wording).
- ``choices``: the ``agree``, ``level`` and ``audience`` lists; ``counts_as`` says which options
  count as agreeing, disagreeing, neither, or are left out of every base.
- ``characteristics``: a sheet of ours, one key characteristic a row, with its theme and its
  three level descriptors.
- ``settings``: ``form_title``, ``form_id``, ``version``, ``default_language`` and the
  thresholds the findings' sentences use.

Every text has a ``::English (en)`` and a ``::Welsh (cy)`` column. :func:`read_workbook` reads
such a workbook back and checks it as a whole before anything is built: each problem is a
:class:`Problem` naming its sheet, row and column, with a code and values (never a sentence, so
the command line words it in the operator's language). Nothing here writes a file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from rubric import pyxform_check
from rubric.loader import check_questionnaire
from rubric.schema import MAX_QUESTION_ID, Lang, Questionnaire, Scale, Text

LANGUAGE_NAMES: dict[Lang, str] = {"en": "English (en)", "cy": "Welsh (cy)"}
"""XLSForm's language suffixes: ``label::English (en)``."""
ORDER: tuple[Lang, ...] = ("en", "cy")
"""The columns' order: English then Welsh, as XLSForm tools list a form's languages."""

AUDIENCE_LIST = "audience"
GROUP_FIELD = "group"
GROUP_LABEL = Text(en="Who is answering", cy="Pwy sy'n ateb")

COUNTS_AS = ("agree", "disagree", "neither", "excluded")
SCALE_KINDS = ("agree", "level")
THRESHOLDS = {
    "finding_most": "most",
    "finding_half_low": "half_low",
    "finding_half_high": "half_high",
    "low_response_rate": "low_response_rate",
}
"""settings column -> FindingThresholds field."""

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
"""A question's, theme's or characteristic's name: its identity from version to version."""
CITED = "’, ‘"
"""Between the names in a list the message cites as a whole (‘{known}’ -> ‘officer’, ‘member’):
each name is what the workbook holds, as typed."""

OPTION_NAME = re.compile(r"^[a-z0-9]+$")
"""An answer option's name (``1``, ``sa``): it travels in the buttons' data, so it is short."""
MAX_OPTION = 4
RELEVANT_TERM = re.compile(r"^\s*\$\{(?P<field>[^}]*)\}\s*=\s*'(?P<value>[^']*)'\s*$")

SURVEY_COLUMNS: tuple[str, ...] = ("type", "name", "label", "required", "relevant", "intro")
SURVEY_COLUMNS += ("characteristic", "negative", "finding", "member_label")
TEXT_COLUMNS = frozenset(
    {"label", "intro", "finding", "member_label", "level_1", "level_2", "level_3"}
)
"""The columns holding a text in both languages (``label::English (en)``, ``label::Welsh (cy)``)."""
WELSH_TITLE = "form_title_cy"
"""The settings' Welsh title (``form_title`` is the English one; pyxform takes a
``form_title::`` column for a translation it cannot hold)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workbook: where (sheet, spreadsheet row, column header and letter;
    row and column None for a whole sheet or the whole form) and what (a code and its values,
    which the caller words). ``pydantic`` holds a model error's type, ctx and English message
    when the model's own checks found it."""

    sheet: str
    row: int | None
    column: str | None
    code: str
    values: Mapping[str, str] = field(default_factory=dict)
    pydantic: tuple[str, Mapping[str, Any], str] | None = None


class XlsFormError(ValueError):
    """The workbook cannot be used; ``problems`` says every reason found, in sheet order."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the XLSForm")
        self.problems = problems


# --- writing --------------------------------------------------------------------------------


def _text_headers(column: str) -> list[str]:
    return [f"{column}::{LANGUAGE_NAMES[lang]}" for lang in ORDER]


def _texts(text: Text | None) -> list[str]:
    return [text(lang) if text else "" for lang in ORDER]


def _header(columns: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for column in columns:
        out += _text_headers(column) if column in TEXT_COLUMNS else [column]
    return out


def relevant_for(audience: tuple[str, ...], everyone: tuple[str, ...]) -> str:
    """Who is asked, as XLSForm's ``relevant``: blank when every audience (``everyone``) is."""
    if set(audience) == set(everyone):
        return ""
    return " or ".join(f"${{{GROUP_FIELD}}} = '{group}'" for group in audience)


def _row(header: list[str], **cells: object) -> list[object]:
    """A sheet row from cells named by column (``label`` fills both languages' columns from a
    `Text`); a column not given stays blank."""
    values: dict[str, object] = {}
    for column, value in cells.items():
        if isinstance(value, Text):
            values.update(zip(_text_headers(column), _texts(value), strict=True))
        elif value is not None:
            values[column] = value
    return [values.get(h, "") for h in header]


def to_workbook(questionnaire: Questionnaire) -> Workbook:
    """The questionnaire as an XLSForm workbook (in memory; the caller saves it)."""
    book = Workbook()
    survey = book.active
    assert survey is not None  # a new workbook always has its first sheet
    survey.title = "survey"
    header = _header(SURVEY_COLUMNS)
    survey.append(header)
    survey.append(
        _row(
            header,
            type=f"select_one {AUDIENCE_LIST}",
            name=GROUP_FIELD,
            label=GROUP_LABEL,
            required="yes",
        )
    )
    for theme in questionnaire.themes:
        survey.append(
            _row(header, type="begin_group", name=theme.id, label=theme.title, intro=theme.intro)
        )
        for q in questionnaire.questions:
            if q.theme != theme.id:
                continue
            survey.append(
                _row(
                    header,
                    type="text" if q.kind == "text" else f"select_one {q.kind}",
                    name=q.id,
                    label=q.text,
                    required="" if q.optional else "yes",
                    relevant=relevant_for(q.audience, questionnaire.groups),
                    characteristic=q.characteristic,
                    negative="yes" if q.negative else "",
                    finding=q.finding,
                    member_label=q.member_text,
                )
            )
        survey.append(_row(header, type="end_group", name=theme.id))

    choices = book.create_sheet("choices")
    header = ["list_name", "name", *_text_headers("label"), "counts_as"]
    choices.append(header)
    for kind in SCALE_KINDS:
        scale = questionnaire.scales[kind]  # type: ignore[index]
        for option in scale.options:
            counts_as = _counts_as(scale, option.id)
            choices.append(
                _row(
                    header, list_name=kind, name=option.id, label=option.label, counts_as=counts_as
                )
            )
    for audience in questionnaire.audiences:
        choices.append(
            _row(header, list_name=AUDIENCE_LIST, name=audience.id, label=audience.label)
        )

    characteristics = book.create_sheet("characteristics")
    header = _header(("name", "theme", "label", "level_1", "level_2", "level_3"))
    characteristics.append(header)
    for c in questionnaire.characteristics:
        levels = {f"level_{n}": text for n, text in enumerate(c.levels, start=1)}
        characteristics.append(_row(header, name=c.id, theme=c.theme, label=c.title, **levels))

    settings = book.create_sheet("settings")
    header = ["form_title", "form_id", "version", "default_language", WELSH_TITLE, *THRESHOLDS]
    settings.append(header)
    thresholds = {column: getattr(questionnaire.thresholds, f) for column, f in THRESHOLDS.items()}
    settings.append(
        _row(
            header,
            form_title=questionnaire.title.en,
            form_id="datatool",
            version=questionnaire.version,
            default_language=LANGUAGE_NAMES["cy"],
            **{WELSH_TITLE: questionnaire.title.cy},
            **thresholds,
        )
    )
    return book


def _counts_as(scale: Scale, option_id: str) -> str:
    for name in COUNTS_AS:
        if option_id in getattr(scale, name):
            return name
    return ""


# --- reading --------------------------------------------------------------------------------

_LANG_HEADER = re.compile(r"^(?P<column>[a-z_0-9]+)::(?:.*\()?(?P<lang>en|cy)\)?$")


@dataclass
class _Sheet:
    """One sheet's rows as {column: text}, each with its spreadsheet row number; a text column
    is split by language (``label`` -> ``label:en``, ``label:cy``)."""

    name: str
    letters: dict[str, str]
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, str]]]

    def where(self, row: int | None, column: str | None, code: str, **values: str) -> Problem:
        if column is None:
            return Problem(self.name, row, None, code, values)
        return Problem(self.name, row, self.cell_name(column), code, values)

    def cell_name(self, column: str) -> str:
        """``D (‘label::Welsh (cy)’)``; a column the sheet lacks by its header alone. The header
        is cited as typed, in ‘…’, in both languages (it is never translated)."""
        letter = self.letters.get(column)
        header = f"‘{self.headers.get(column, column)}’"
        return f"{letter} ({header})" if letter else header


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_sheet(sheet: Worksheet) -> _Sheet:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, ())
    keys: list[str | None] = []
    letters: dict[str, str] = {}
    headers: dict[str, str] = {}
    for index, raw in enumerate(header, start=1):
        text = _cell(raw)
        found = _LANG_HEADER.match(text)
        key = f"{found['column']}:{found['lang']}" if found else (text or None)
        if key is not None and key not in letters:
            letters[key] = get_column_letter(index)
            headers[key] = text
        keys.append(key)
    body: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(rows, start=2):
        row = {k: _cell(v) for k, v in zip(keys, values, strict=False) if k is not None}
        if any(row.values()):
            body.append((number, row))
    return _Sheet(sheet.title, letters, headers, body)


class _Reader:
    """Reads the four sheets into the questionnaire's raw data, noting every problem and where
    each part came from (so the models' own errors can be placed too)."""

    def __init__(self, sheets: dict[str, _Sheet]) -> None:
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.places: dict[tuple[str | int, ...], tuple[_Sheet, int]] = {}
        self.lists: set[str] = set()
        """The choice lists the choices sheet holds."""

    def text(self, sheet: _Sheet, number: int, row: dict[str, str], column: str) -> dict[str, str]:
        """Both languages of a text column; an empty one is a problem at its cell."""
        out: dict[str, str] = {}
        for lang in ORDER:
            value = row.get(f"{column}:{lang}", "")
            if not value:
                self.problems.append(sheet.where(number, f"{column}:{lang}", "empty"))
            out[lang] = value
        return out

    def optional_text(
        self, sheet: _Sheet, number: int, row: dict[str, str], column: str
    ) -> dict[str, str] | None:
        if not any(row.get(f"{column}:{lang}") for lang in ORDER):
            return None
        return self.text(sheet, number, row, column)

    def name(
        self,
        sheet: _Sheet,
        number: int,
        row: dict[str, str],
        seen: dict[str, int],
        limit: int,
        pattern: re.Pattern[str] = NAME,
    ) -> str:
        value = row.get("name", "")
        if not pattern.match(value) or len(value) > limit:
            code = "bad_name" if pattern is NAME else "bad_option_name"
            self.problems.append(sheet.where(number, "name", code, name=value, limit=str(limit)))
        elif value in seen:
            self.problems.append(
                sheet.where(number, "name", "duplicate_name", name=value, first=str(seen[value]))
            )
        else:
            seen[value] = number
        return value

    def columns(self, sheet: _Sheet, needed: tuple[str, ...]) -> bool:
        missing = [c for c in needed if c not in sheet.letters]
        for column in missing:
            self.problems.append(Problem(sheet.name, None, column, "column_missing"))
        return not missing

    # The sheets, each into its part of the raw questionnaire.

    def choices(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        sheet = self.sheets["choices"]
        scales: dict[str, Any] = {}
        audiences: list[dict[str, Any]] = []
        lists: set[str] = set()
        if not self.columns(sheet, ("list_name", "name", "label:en", "label:cy")):
            return scales, audiences
        seen: dict[str, dict[str, int]] = {}
        for number, row in sheet.rows:
            list_name = row.get("list_name", "")
            lists.add(list_name)
            in_list = seen.setdefault(list_name, {})
            if list_name == AUDIENCE_LIST:
                value = self.name(sheet, number, row, in_list, 24)
            else:
                value = self.name(sheet, number, row, in_list, MAX_OPTION, OPTION_NAME)
            label = self.text(sheet, number, row, "label")
            counts = row.get("counts_as", "")
            if counts and counts not in COUNTS_AS:
                self.problems.append(
                    sheet.where(number, "counts_as", "bad_counts_as", value=counts)
                )
            if list_name == AUDIENCE_LIST:
                self.places[("audiences", len(audiences))] = (sheet, number)
                audiences.append({"id": value, "label": label})
                continue
            if list_name not in SCALE_KINDS:
                continue  # a list of the auditors' own, for ODK; datatool asks none of it
            scale = scales.setdefault(list_name, {"options": [], **{c: [] for c in COUNTS_AS}})
            self.places[("scales", list_name, "options", len(scale["options"]))] = (sheet, number)
            scale["options"].append({"id": value, "label": label})
            if counts in COUNTS_AS:
                scale[counts].append(value)
        self.lists = lists
        return scales, audiences

    def characteristics(self) -> list[dict[str, Any]]:
        sheet = self.sheets["characteristics"]
        out: list[dict[str, Any]] = []
        needed: tuple[str, ...] = ("name", "theme", "label:en", "label:cy")
        needed += tuple(f"level_{n}:{lang}" for n in (1, 2, 3) for lang in ORDER)
        if not self.columns(sheet, needed):
            return out
        seen: dict[str, int] = {}
        for number, row in sheet.rows:
            self.places[("characteristics", len(out))] = (sheet, number)
            out.append(
                {
                    "id": self.name(sheet, number, row, seen, 24),
                    "theme": row.get("theme", ""),
                    "title": self.text(sheet, number, row, "label"),
                    "levels": [self.text(sheet, number, row, f"level_{n}") for n in (1, 2, 3)],
                }
            )
        return out

    def survey(
        self, audiences: list[str], characteristics: set[str]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        sheet = self.sheets["survey"]
        themes: list[dict[str, Any]] = []
        questions: list[dict[str, Any]] = []
        if not self.columns(sheet, ("type", "name", "label:en", "label:cy")):
            return themes, questions
        seen: dict[str, int] = {}
        theme: str | None = None
        opened_at = 0
        group_row = False
        for number, row in sheet.rows:
            kind = " ".join(row.get("type", "").split())
            if kind in ("begin_group", "begin group"):
                if theme is not None:
                    self.problems.append(sheet.where(number, "type", "nested_group", name=theme))
                theme = self.name(sheet, number, row, seen, 24)
                opened_at = number
                self.places[("themes", len(themes))] = (sheet, number)
                themes.append(
                    {
                        "id": theme,
                        "title": self.text(sheet, number, row, "label"),
                        "intro": self.text(sheet, number, row, "intro"),
                    }
                )
                continue
            if kind in ("end_group", "end group"):
                if theme is None:
                    self.problems.append(sheet.where(number, "type", "stray_end_group"))
                theme = None
                continue
            if kind == f"select_one {AUDIENCE_LIST}" and row.get("name") == GROUP_FIELD:
                group_row = True
                self.name(sheet, number, row, seen, MAX_QUESTION_ID)
                self.text(sheet, number, row, "label")
                continue
            question = self.question(sheet, number, row, kind, seen, audiences, characteristics)
            if question is None:
                continue
            if theme is None:
                self.problems.append(
                    sheet.where(number, "name", "outside_theme", name=question["id"])
                )
            question["theme"] = theme or ""
            self.places[("questions", len(questions))] = (sheet, number)
            questions.append(question)
        if theme is not None:
            self.problems.append(sheet.where(opened_at, "type", "unclosed_group", name=theme))
        if not group_row:
            self.problems.append(sheet.where(None, None, "no_group_row", field=GROUP_FIELD))
        return themes, questions

    def question(
        self,
        sheet: _Sheet,
        number: int,
        row: dict[str, str],
        kind: str,
        seen: dict[str, int],
        audiences: list[str],
        characteristics: set[str],
    ) -> dict[str, Any] | None:
        if kind.startswith("select_one "):
            list_name = kind.removeprefix("select_one ").strip()
            if list_name not in self.lists:
                self.problems.append(sheet.where(number, "type", "no_choice_list", name=list_name))
                return None
            if list_name not in SCALE_KINDS:
                self.problems.append(sheet.where(number, "type", "unknown_type", value=kind))
                return None
            question_kind = list_name
        elif kind == "text":
            question_kind = "text"
        else:
            self.problems.append(sheet.where(number, "type", "unknown_type", value=kind))
            return None
        out: dict[str, Any] = {
            "id": self.name(sheet, number, row, seen, MAX_QUESTION_ID),
            "kind": question_kind,
            "text": self.text(sheet, number, row, "label"),
            "optional": row.get("required", "").lower() not in ("yes", "true", "true()"),
            "negative": row.get("negative", "").lower() in ("yes", "true", "true()"),
            "audience": self.audience(sheet, number, row.get("relevant", ""), audiences),
        }
        characteristic = row.get("characteristic", "")
        if characteristic:
            if characteristic not in characteristics:
                self.problems.append(
                    sheet.where(
                        number, "characteristic", "unknown_characteristic", value=characteristic
                    )
                )
            out["characteristic"] = characteristic
        for column, key in (("finding", "finding"), ("member_label", "member_text")):
            found = self.optional_text(sheet, number, row, column)
            if found is not None:
                out[key] = found
        self.kind_rules(sheet, number, out)
        return out

    def kind_rules(self, sheet: _Sheet, number: int, question: dict[str, Any]) -> None:
        """What each kind of question needs, at the cell to fill (the models check these too,
        but could only name the row)."""
        kind, name = question["kind"], question["id"]
        if kind == "agree" and "finding" not in question:
            for lang in ORDER:
                self.problems.append(sheet.where(number, f"finding:{lang}", "needs_finding"))
        if kind == "level" and "characteristic" not in question:
            self.problems.append(sheet.where(number, "characteristic", "needs_characteristic"))
        if kind != "level" and "characteristic" in question:
            self.problems.append(
                sheet.where(number, "characteristic", "characteristic_not_level", name=name)
            )
        if kind != "agree" and question["negative"]:
            self.problems.append(sheet.where(number, "negative", "negative_not_agree", name=name))

    def whole(
        self,
        themes: list[dict[str, Any]],
        characteristics: list[dict[str, Any]],
        questions: list[dict[str, Any]],
    ) -> None:
        """The rules of the questionnaire as a whole (`rubric.loader.check_questionnaire`), each
        at the row to change: a key characteristic in a theme that exists, asked by exactly one
        level question of its own theme; a free-text question in every theme."""
        theme_ids = {t["id"] for t in themes}
        theme_of = {c["id"]: c["theme"] for c in characteristics}
        chars = self.sheets["characteristics"]
        for index, c in enumerate(characteristics):
            _, number = self.places[("characteristics", index)]
            if c["theme"] not in theme_ids:
                self.problems.append(
                    chars.where(number, "theme", "unknown_theme", value=c["theme"])
                )
            asked = sum(1 for q in questions if q.get("characteristic") == c["id"])
            if asked != 1:
                self.problems.append(
                    chars.where(number, "name", "asked_by", name=c["id"], count=str(asked))
                )
        survey = self.sheets["survey"]
        for index, q in enumerate(questions):
            wanted = theme_of.get(q.get("characteristic", ""))
            if wanted is not None and q["theme"] and wanted != q["theme"]:
                _, number = self.places[("questions", index)]
                self.problems.append(
                    survey.where(number, "characteristic", "other_theme", theme=wanted)
                )
        for index, t in enumerate(themes):
            if not any(q["theme"] == t["id"] and q["kind"] == "text" for q in questions):
                _, number = self.places[("themes", index)]
                self.problems.append(survey.where(number, "name", "no_text_question", name=t["id"]))

    def audience(self, sheet: _Sheet, number: int, relevant: str, known: list[str]) -> list[str]:
        """``relevant`` as the audiences it names: blank is everyone (every ``audience``
        choice, in the choices' order), else ``${group} = 'x'`` terms joined by ``or``."""
        if not relevant:
            return list(known)
        groups: list[str] = []
        for term in re.split(r"\s+or\s+", relevant):
            found = RELEVANT_TERM.match(term)
            if found is None or found["field"] != GROUP_FIELD:
                self.problems.append(
                    sheet.where(number, "relevant", "bad_relevant", value=relevant)
                )
                return list(known)
            if found["value"] not in known:
                self.problems.append(
                    sheet.where(
                        number,
                        "relevant",
                        "unknown_audience",
                        value=found["value"],
                        known=CITED.join(known),
                    )
                )
            groups.append(found["value"])
        return groups

    def settings(self) -> dict[str, Any]:
        sheet = self.sheets["settings"]
        if not self.columns(sheet, ("form_title", "version", WELSH_TITLE)) or not sheet.rows:
            if not sheet.rows:
                self.problems.append(sheet.where(None, None, "empty_sheet"))
            return {}
        number, row = sheet.rows[0]
        thresholds: dict[str, float] = {}
        for column, key in THRESHOLDS.items():
            value = row.get(column, "")
            if not value:
                continue
            try:
                thresholds[key] = float(value)
            except ValueError:
                self.problems.append(sheet.where(number, column, "bad_number", value=value))
        self.places[("title",)] = (sheet, number)
        self.places[("thresholds",)] = (sheet, number)
        title = {"en": row.get("form_title", ""), "cy": row.get(WELSH_TITLE, "")}
        for lang, column in (("en", "form_title"), ("cy", WELSH_TITLE)):
            if not title[lang]:
                self.problems.append(sheet.where(number, column, "empty"))
        version = row.get("version", "")
        if not version:
            self.problems.append(sheet.where(number, "version", "empty"))
        return {"version": version, "title": title, "thresholds": thresholds}

    def model_problem(self, loc: tuple[str | int, ...], error: Any) -> Problem:
        """A model error placed at the row its part came from (the deepest part known)."""
        for depth in range(len(loc), 0, -1):
            place = self.places.get(tuple(loc[:depth]))
            if place is not None:
                sheet, number = place
                return Problem(
                    sheet.name,
                    number,
                    None,
                    "model",
                    {"field": ".".join(str(p) for p in loc[depth:])},
                    (error["type"], error.get("ctx", {}), error["msg"]),
                )
        return Problem(
            "survey",
            None,
            None,
            "model",
            {"field": ".".join(str(p) for p in loc)},
            (error["type"], error.get("ctx", {}), error["msg"]),
        )


SHEETS = ("survey", "choices", "characteristics", "settings")


def read_workbook(source: Path | bytes) -> Questionnaire:
    """The questionnaire an XLSForm workbook holds, checked whole; :class:`XlsFormError` lists
    every problem found (a workbook that cannot be opened is one problem)."""
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise XlsFormError(
            [Problem("", None, None, "unreadable", {"cause": str(exc) or type(exc).__name__})]
        ) from None
    missing = [name for name in SHEETS if name not in book.sheetnames]
    if missing:
        raise XlsFormError([Problem(name, None, None, "sheet_missing") for name in missing])
    reader = _Reader({name: _read_sheet(book[name]) for name in SHEETS})
    book.close()
    scales, audiences = reader.choices()
    characteristics = reader.characteristics()
    groups = [a["id"] for a in audiences]
    themes, questions = reader.survey(groups, {c["id"] for c in characteristics})
    head = reader.settings()
    if not reader.problems:
        reader.whole(themes, characteristics, questions)
    if not reader.problems:  # pyxform's checks, for what ours do not catch (said once)
        reader.problems += pyxform_problems(data)
    if reader.problems:
        raise XlsFormError(reader.problems)
    raw = {
        **head,
        "themes": themes,
        "characteristics": characteristics,
        "scales": scales,
        "questions": questions,
        "audiences": audiences,
    }
    try:
        questionnaire = Questionnaire.model_validate(raw)
    except ValidationError as exc:
        raise XlsFormError(
            [reader.model_problem(tuple(e["loc"]), e) for e in exc.errors()]
        ) from None
    whole = check_questionnaire(questionnaire)
    if whole:
        raise XlsFormError([Problem("survey", None, None, "whole", {"detail": p}) for p in whole])
    return questionnaire


def pyxform_problems(data: bytes) -> list[Problem]:
    """pyxform's own checks (the XLSForm rules ODK tools apply), without ODK Validate (Java).
    Its messages are English and name rows themselves."""
    return [
        Problem("survey", None, None, "pyxform", {"detail": m}) for m in pyxform_check.errors(data)
    ]
