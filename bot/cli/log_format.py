"""How ``datatool`` writes its log: one line per event, as the place it runs expects.

- Under systemd (``JOURNAL_STREAM`` set: the journal reads our stderr) a line carries no
  timestamp, since the journal stamps each line itself, and starts with the syslog priority
  (``<4>`` for a warning), which the journal reads as the line's level (``SyslogLevelPrefix=``).
- Elsewhere it starts with the time, as a terminal or a plain log file needs.
- A traceback is folded into its event's line (`` | `` between its lines), so that a log reader
  (``journalctl -p err``, grep, a collector) sees one event as one line, never 60 loose ones.
- ``LOG_FORMAT=json``: one JSON object a line (time, level, logger, message, and the
  traceback as one string), for a log collector.
- ``LOG_LEVEL`` sets the threshold; unset, ``datatool run`` logs INFO and other commands WARNING.

Plain logging and json only: ``datatool --help`` must not wait for anything heavier.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Mapping

HANDLER = "datatool"
"""The name of our handler on the root logger."""
FOLD = " | "
"""What stands between a traceback's lines once folded into one."""

_PRIORITY = {"DEBUG": 7, "INFO": 6, "WARNING": 4, "ERROR": 3, "CRITICAL": 2}
"""syslog's priorities (sd-daemon(3)), which the journal reads from a ``<N>`` prefix."""


def _one_line(text: str) -> str:
    return FOLD.join(line for line in text.splitlines() if line.strip())


class OneLineFormatter(logging.Formatter):
    """logging's formatter, with everything an event carries (a traceback, a message with line
    breaks) on one line; ``journal``: no timestamp, and the syslog priority first."""

    def __init__(self, *, journal: bool) -> None:
        stamp = "" if journal else "%(asctime)s "
        super().__init__(f"{stamp}%(levelname)s %(name)s: %(message)s")
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        line = _one_line(super().format(record))
        if self.journal:
            return f"<{_PRIORITY.get(record.levelname, 6)}>{line}"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``,
    and ``exception`` (the folded traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = _one_line(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def default_level(args: argparse.Namespace) -> int:
    """The log's threshold when ``LOG_LEVEL`` is unset: INFO for the bot (and ``-v``)."""
    return logging.INFO if args.verbose or args.command == "run" else logging.WARNING


def configure_logging(
    *,
    level: str | None,
    log_format: str,
    default_level: int,
    environ: Mapping[str, str] | None = None,
) -> None:
    """The root logger's handler for stderr (replacing the one set before the settings were
    read): the format for the place ``datatool`` runs (see the module's notes) at ``level``
    (else ``default_level``)."""
    env = os.environ if environ is None else environ
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(OneLineFormatter(journal=bool(env.get("JOURNAL_STREAM"))))
    handler.set_name(HANDLER)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER]:
        root.removeHandler(old)  # ours from before the settings were read; others stay
    root.addHandler(handler)
    root.setLevel(getattr(logging, level) if level else default_level)
