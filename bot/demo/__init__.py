"""``datatool demo``: the whole journey offline, with no token and no network.

The real bot (``bot.app.build_dispatcher``) runs in this process against the
local Bot API stand-in (``standin``); simulated phones answer through it over HTTP (``run``), or a
person does from the terminal (``chat``). Nothing here changes how the bot behaves.
"""

from bot.demo.chat import run_chat
from bot.demo.run import DemoResult, run_demo

__all__ = ["DemoResult", "run_chat", "run_demo"]
