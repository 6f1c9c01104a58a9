"""``datatool demo [--chat] [--out DIR] [--quick]``: the whole journey offline, with no token.

The demo makes its own settings (a fake token, the in-process stand-in, a fresh database in
``--out``), so ``.env`` is never needed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Failure
from bot.cli.words import t
from bot.config import Settings
from bot.demo import run_chat, run_demo
from bot.demo.stage import StageError


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    out = Path(args.out)
    try:
        if args.chat:
            return await run_chat(out)
        await run_demo(out, quick=args.quick)
    except StageError as exc:
        raise Failure(t("err.demo", reason=exc)) from None
    return 0
