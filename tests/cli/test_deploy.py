"""``deploy/``: the systemd unit and the Containerfile start the command line as it is (issue
26). The unit is checked by ``systemd-analyze verify`` where the machine has it (every key known,
the command executable), and in any case by reading its keys and running its ExecStart's
arguments through ``datatool``'s own parser."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli.main import build_parser
from tests.support.bot_process import datatool_command

DEPLOY = Path(__file__).parents[2] / "deploy"
UNIT = DEPLOY / "datatool.service"
INSTALLED = "/opt/datatool/.venv/bin/datatool"


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd's keys keep case
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def test_the_unit_runs_the_bot_as_its_own_user_with_a_private_state_folder() -> None:
    unit = _unit()
    service = unit["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0] == INSTALLED
    args = build_parser().parse_args(command[1:])
    assert args.command == "run"
    assert service["KillSignal"] == "SIGTERM"
    assert service["RestartPreventExitStatus"] == "2"  # a setting to fix: no restart loop
    assert service["UMask"] == "0077" and service["StateDirectoryMode"] == "0700"
    assert service["WorkingDirectory"] == "/var/lib/" + service["StateDirectory"]
    assert service["User"] == "datatool" and unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verify_finds_nothing(tmp_path: Path) -> None:
    script = datatool_command()[0]
    assert Path(script).name == "datatool", "the datatool script is not installed in this venv"
    unit = tmp_path / "datatool.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(INSTALLED, script), encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    said = [line for line in (done.stdout + done.stderr).splitlines() if "datatool" in line]
    assert done.returncode == 0 and said == [], done.stdout + done.stderr


def test_the_containerfile_runs_datatool_with_its_database_in_the_volume() -> None:
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    entry = json.loads(re.search(r"^ENTRYPOINT (.*)$", text, re.M).group(1))  # type: ignore[union-attr]
    cmd = json.loads(re.search(r"^CMD (.*)$", text, re.M).group(1))  # type: ignore[union-attr]
    assert entry == ["datatool"]
    assert build_parser().parse_args(cmd).command == "run"
    volume = re.search(r"^VOLUME (\S+)$", text, re.M).group(1)  # type: ignore[union-attr]
    assert f"DATATOOL_DB={volume}/" in text
    assert re.search(r"^USER datatool$", text, re.M)
    assert "uv sync --frozen --no-dev" in text
    # Everything the package needs is copied in (the top-level packages of pyproject.toml).
    for package in ("bot", "flows", "reports", "rubric", "storage", "standin"):
        assert f"COPY {package} {package}" in text
