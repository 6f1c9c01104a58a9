"""What the bot's log may hold: ids, counts and the names of errors, never what an update says.

aiogram logs every handled update at INFO (``aiogram.event``) and, when a getUpdates answer
cannot be read, the whole answer with the error (``aiogram.dispatcher``): names and typed
answers. Both loggers are kept above INFO, and a filter on them keeps only the names of the
errors in what they still log, never the errors' messages or the data they quote.
"""

from __future__ import annotations

import logging

QUIET = ("aiogram.event", "aiogram.dispatcher")


class NoUpdateContent(logging.Filter):
    """Rewrites a record so that nothing it carries can quote an update: exceptions among its
    arguments become their class names, other text arguments are withheld, and a traceback
    keeps only its exception's name."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_safe(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _safe(v) for k, v in record.args.items()}
        if record.exc_info and record.exc_info[0] is not None:
            record.msg = f"{record.msg} [{record.exc_info[0].__name__}]"
            record.exc_info = None
            record.exc_text = None
        return True


def _safe(value: object) -> object:
    if isinstance(value, BaseException):
        return type(value).__name__
    if isinstance(value, (int, float)) or value is None:
        return value
    return "<withheld>"


def quiet_aiogram() -> None:
    """Raises aiogram's event and dispatcher loggers above INFO and filters what they log."""
    for name in QUIET:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if not any(isinstance(f, NoUpdateContent) for f in logger.filters):
            logger.addFilter(NoUpdateContent())
