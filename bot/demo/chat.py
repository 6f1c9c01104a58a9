"""``datatool demo --chat``: take the survey yourself, in the terminal, as a phone would show it.

The real bot runs against the stand-in; you are one invited Powys officer. After each thing you
do, the bot's new messages are printed once it has gone quiet: the visible text, then the
buttons numbered. Type a number to tap a button, anything else to send it as a message.
Lines are read by a daemon thread, so the event loop never blocks, a pipe works as well as a
terminal, and Ctrl-C does not wait for one more line.

The chat's own words (the introduction, the goodbye) are the operator's: Welsh alone when the
operator speaks Welsh, else both, Welsh first, since English may be only the default.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.text import Text

from bot.cli.words import operator_lang, say, t
from bot.demo.render import message_body, numbered_buttons
from bot.demo.stage import demo_bot
from bot.demo.workspace import fresh_database
from standin import Phone, StandIn, StoredMessage
from storage.rows import RosterRow

CHAT_USER = 800001
QUIET = 0.25
REPLY_TIMEOUT = 15.0
QUIT = ("/quit", "/exit", "/gadael")


def _both(key: str) -> str:
    """``key`` line by line, each Welsh line before its English one."""
    welsh, english = say("cy", key).splitlines(), say("en", key).splitlines()
    return "\n".join(line for pair in zip(welsh, english, strict=True) for line in pair)


def operators(key: str) -> str:
    """The chat's own words: Welsh to a Welsh operator, else both languages, Welsh first."""
    return say("cy", key) if operator_lang() == "cy" else _both(key)


INTRO = _both("demo.intro")
"""The introduction in both languages, as an operator who has not chosen Welsh sees it."""

ME = RosterRow(
    council="powys",
    group="officer",
    name="Demo Respondent",
    email="you@powys.example",
    language=None,
    team=None,
)


class ChatScreen:
    """Prints what is new in the chat and remembers the newest keyboard for numbered taps."""

    def __init__(self, api: StandIn, phone: Phone, console: Console) -> None:
        self.api, self.phone, self.console = api, phone, console
        self.shown_up_to = 0
        self.keyboard: StoredMessage | None = None

    def refresh(self, tapped: str | None = None) -> None:
        if tapped is not None:
            toast = self.api.state.callbacks.get(tapped)
            if toast is not None and toast.answer_text:
                self.console.print(Text(f"({toast.answer_text})", style="italic"))
        for message in self.phone.bot_messages:
            if message.message_id <= self.shown_up_to:
                continue
            self.shown_up_to = message.message_id
            if message.document is not None:
                name = message.document.file_name
                self.console.print(Text(t("demo.document", name=name), style="bold"))
            self.console.print(message_body(message))
            if message.buttons:
                self.console.print(numbered_buttons(message))
            self.console.print()
        newest = [m for m in self.phone.bot_messages if m.buttons]
        self.keyboard = newest[-1] if newest else None
        self.console.file.flush()

    def button(self, line: str) -> str | None:
        """The callback data of button number ``line`` on the newest keyboard, if it is one."""
        if self.keyboard is None or not line.isdigit():
            return None
        flat = [data for row in self.keyboard.buttons for _, data in row]
        index = int(line) - 1
        if 0 <= index < len(flat):
            return flat[index]
        return None


def read_lines(stdin: TextIO, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str]:
    """Lines from ``stdin`` as they come; an empty string at end of input."""
    queue: asyncio.Queue[str] = asyncio.Queue()

    def pump() -> None:
        while True:
            line = stdin.readline()
            try:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            except RuntimeError:  # the loop has closed: the chat is over
                return
            if not line:
                return

    threading.Thread(target=pump, name="chat-stdin", daemon=True).start()
    return queue


async def run_chat(
    out_dir: Path, *, stdin: TextIO | None = None, console: Console | None = None
) -> int:
    """Runs until end of input or /quit; returns the exit code."""
    stdin = stdin or sys.stdin
    console = console or Console(highlight=False, soft_wrap=True)
    db_path = fresh_database(out_dir, "chat")
    async with demo_bot(db_path, [ME]) as stage:
        phone = stage.api.phone(CHAT_USER, "Demo")
        screen = ChatScreen(stage.api, phone, console)
        console.print(Text(operators("demo.intro"), style="dim"))
        console.print()
        opening = f"/start {stage.tokens[ME.email]}"
        console.print(Text(f"> {opening}", style="bold green"))
        await phone.send(opening)
        await phone.wait_quiet(QUIET, REPLY_TIMEOUT)
        screen.refresh()
        lines = read_lines(stdin, asyncio.get_running_loop())
        while True:
            line = await lines.get()
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if text.lower() in QUIT:
                break
            if not console.is_terminal:
                console.print(Text(f"> {text}", style="bold green"))
            data = screen.button(text)
            tapped = None
            if data is not None and screen.keyboard is not None:
                tapped = await phone.tap(data, screen.keyboard)
            else:
                await phone.send(text)
            try:
                await phone.wait_quiet(QUIET, REPLY_TIMEOUT)
            except TimeoutError:
                console.print(Text(t("demo.no_answer"), style="red"))
            screen.refresh(tapped)
        console.print(Text(operators("demo.goodbye").replace("\n", " "), style="dim"))
        console.file.flush()
        if stage.api.violations:
            first = stage.api.violations[0]
            refused = t("demo.refused", description=first.description)
            console.print(Text(refused))
            return 1
    return 0
