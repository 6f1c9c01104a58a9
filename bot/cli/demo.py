"""``datatool demo [--chat] [--out DIR] [--quick]``: the whole journey offline, with no token.

Registered into ``bot.cli.main``'s parser by :func:`register`. The demo makes its own settings
(a fake token, the in-process stand-in, a fresh database in ``--out``), so ``.env`` is never needed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings

DEFAULT_OUT = Path("demo-output")


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_chat, run_demo
    from bot.demo.stage import StageError

    out = Path(args.out)
    try:
        if args.chat:
            return await run_chat(out)
        await run_demo(out, quick=args.quick)
    except StageError as exc:
        from bot.cli.main import Failure

        raise Failure(f"demo: {exc}") from None
    return 0


def register(sub: argparse._SubParsersAction, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Adds ``demo`` to the ``datatool`` parser (``add`` is ``bot.cli.build_parser``'s helper)."""
    p = add(
        "demo",
        cmd_demo,
        "the whole journey offline, with no token: simulated respondents, then Powys's report",
    )
    p.add_argument("--chat", action="store_true", help="take the survey yourself in the terminal")
    p.add_argument(
        "--out",
        default=str(DEFAULT_OUT),
        help=f"folder for the demo database and reports (default: ./{DEFAULT_OUT}/)",
    )
    p.add_argument(
        "--quick", action="store_true", help="fewer councils besides Powys (for the tests)"
    )
