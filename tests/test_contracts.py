"""The import contracts are not vacuous: each one fails when the import it forbids is added.

One ``lint-imports`` run over a copy of the tree with a breach of every contract planted in it
(a module each), then each contract is looked for among the broken ones, by its name in
``pyproject.toml``. The allowlists are checked as allowlists: a new child of ``bot`` on no
floor, and a database driver imported from a new place, break them without naming them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BREACHES: dict[str, tuple[str, str]] = {
    # contract name (a unique part of it): (module planted, what it imports)
    "imports flow one way": ("rubric/leak_up.py", "import storage.repository\n"),
    "bot's floors": ("bot/respondent/leak_app.py", "import bot.app\n"),
    "the rooms do not import each other": (
        "bot/respondent/leak_auditor.py",
        "import bot.auditor.delivery\n",
    ),
    "bot.services runs without a Telegram client": (
        "bot/services/leak_aiogram.py",
        "import aiogram\n",
    ),
    "only storage imports aiosqlite, sqlite3, asyncpg": (
        "bot/cli/leak_sql.py",
        "import asyncpg\n",
    ),
    "only the bot's rooms, plumbing, composition": ("reports/leak_bot.py", "import aiogram\n"),
    "only the bot's plumbing and the stand-in import aiohttp": (
        "bot/reminders/leak_http.py",
        "import aiohttp\n",
    ),
    "only the demo imports the stand-in": ("bot/cli/leak_standin.py", "import standin\n"),
    "flows is pure rules": ("flows/leak_storage.py", "import storage.rows\n"),
    "storage knows neither": ("storage/leak_flows.py", "import flows\n"),
    "reports reads only storage's row models": ("reports/leak_db.py", "import storage.database\n"),
    "aiogram only in bot": ("flows/leak_aiogram.py", "import aiogram\n"),
    "the stand-in imports nothing of the product": ("standin/leak.py", "import rubric\n"),
    "SQL only in storage": ("flows/leak_sqlite.py", "import sqlite3\n"),
    "no import circles": ("storage/leak_circle.py", "import storage.opening\n"),
    "the command groups do not import each other": ("bot/cli/leak_group.py", ""),
    "commands that never talk to Telegram": ("bot/cli/leak_help.py", ""),
}
"""The command groups' breach and the quick commands' are edits of existing modules below."""


def _contract_names() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).parent / name)


def test_every_contract_is_broken_by_the_import_it_forbids(tmp_path: Path) -> None:
    names = _contract_names()
    for part in BREACHES:
        assert sum(part in name for name in names) == 1, f"no one contract named {part!r}"
    assert len(BREACHES) == len(names), "a contract without a breach to show it works"
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        tree,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "*cache*", "tests", ".tools", "benchmarks", "docs", "demo-output"
        ),
    )
    for module, text in BREACHES.values():
        if text:
            (tree / module).write_text(text, encoding="utf-8")
    # One command group importing another, and a quick command loading aiogram.
    with (tree / "bot/cli/roster.py").open("a", encoding="utf-8") as roster:
        roster.write("\nimport bot.cli.survey_status  # noqa: E402, F401\n")
    with (tree / "bot/cli/backup.py").open("a", encoding="utf-8") as backup:
        backup.write("\nimport aiogram  # noqa: E402, F401\n")
    # The other half of the circle: the seam importing back what imports it, as it once did.
    with (tree / "storage/database.py").open("a", encoding="utf-8") as database:
        database.write("\nimport storage.leak_circle  # noqa: E402, F401\n")
    # A new child of bot on no floor: the layers are exhaustive, an allowlist.
    (tree / "bot/stray.py").write_text("", encoding="utf-8")
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(tree)},
    )
    assert result.returncode != 0, result.stdout
    report = " ".join(result.stdout.split())  # the report wraps long names at 80 columns
    broken = report.partition("Broken contracts")[2]
    for name in names:
        assert f"{' '.join(name.split())} BROKEN" in report, f"not broken: {name}\n{report}"
    assert "bot.services.leak_aiogram -> aiogram" in broken
    assert "bot.respondent.leak_app -> bot.app" in broken
    assert "bot.stray" in broken, "the floors are not exhaustive"
    assert "bot.cli.leak_sql -> asyncpg" in broken
    assert "storage.leak_circle" in broken and "storage.database" in broken
