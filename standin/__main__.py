"""Run the stand-in on its own: ``python -m standin --port 8081``.

Drive it from another process through ``/_standin/...`` (see ``server.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from standin.server import StandIn


async def _serve(args: argparse.Namespace) -> None:
    api = StandIn(
        token=args.token,
        bot_username=args.username,
        host=args.host,
        port=args.port,
        callback_timeout=args.callback_timeout,
    )
    await api.start()
    print(f"Bot API stand-in on {api.base_url} (token {args.token})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await api.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--username", default="datatool_bot")
    parser.add_argument("--callback-timeout", type=float, default=15.0)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
