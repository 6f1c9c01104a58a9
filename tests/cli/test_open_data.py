"""`datatool report COUNCIL --csv FILE` and `report wales --csv FILE`: the figures the report
shows, and only those, as tidy CSV under the Open Government Licence."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from bot.cli.main import main
from reports.open_data import COLUMNS
from reports.results import percent
from tests.support.cli_env import operator_env
from tests.support.report_rows import People

PEOPLE = [
    People("officer", 3, team="CMT", invited=8),  # too few: the rule hides the team
    People("officer", 7, invited=15),
    People("member", 15, invited=73),
    People("officer", 20, council="cardiff", invited=30),
    People("member", 12, council="gwynedd", invited=20),
]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return operator_env(tmp_path, monkeypatch, PEOPLE)


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    notice = [line for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    reader = csv.DictReader(body)
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return notice, list(reader)


def _check_tidy(rows: list[dict[str, str]]) -> None:
    by_key: dict[tuple[str, ...], dict[str, dict[str, str]]] = defaultdict(dict)
    for row in rows:
        key = (row["council"], row["group"], row["team"], row["question"])
        assert row["answer"] not in by_key[key], f"one row per answer: {row}"
        by_key[key][row["answer"]] = row
    for where, answers in by_key.items():
        if "agree" in answers:
            base = int(answers["agree"]["base"])
            assert sum(int(answers[a]["count"]) for a in ("agree", "neither", "disagree")) == base
            for a in ("agree", "neither", "disagree"):
                assert int(answers[a]["percent"]) == percent(int(answers[a]["count"]), base), where
            assert answers["dont_know"]["percent"] == ""
        else:
            assert set(answers) == {"level_1", "level_2", "level_3", "dont_know"}, where


def test_a_councils_figures_as_open_data(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = env / "powys.csv"
    assert main(["report", "powys", "--csv", str(out)]) == 0
    assert "powys.csv" in capsys.readouterr().out
    assert not list(env.glob("*.pdf"))  # --csv alone writes the figures only
    notice, rows = _read(out)
    assert len(notice) == 2 and "Open Government Licence v3.0" in notice[1]
    assert "Drwydded Llywodraeth Agored" in notice[0]
    _check_tidy(rows)
    assert {r["council"] for r in rows} == {"powys", "wales"}
    assert {r["group"] for r in rows if r["council"] == "powys"} == {"all", "officer", "member"}
    assert all(r["team"] != "CMT" for r in rows)  # the hidden team has no row
    # The statements with figures are those the HTML annex shows figures for.
    html = env / "powys.html"
    assert main(["report", "powys", "--out", str(html)]) == 0
    shown = set(re.findall(r'<tbody id="q-([a-z_0-9]+)">', html.read_text(encoding="utf-8")))
    assert {r["question"] for r in rows if r["answer"] == "agree"} <= shown


def test_the_national_figures_as_open_data(env: Path) -> None:
    out = env / "wales.csv"
    assert main(["report", "wales", "--csv", str(out)]) == 0
    notice, rows = _read(out)
    assert notice
    _check_tidy(rows)
    assert {r["council"] for r in rows} == {"powys", "cardiff", "gwynedd"}
    assert all(r["team"] != "CMT" for r in rows)
