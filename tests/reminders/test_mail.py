"""The SMTP retry policy (tenacity, in bot/services/mail.py) against a real SMTP server on
loopback: a 4xx is tried again with back-off, a refused recipient is a bounce and never retried,
and the attempts run out into "failed" rather than an exception."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.config import Settings
from bot.services.mail import Mailer


class FlakyInbox:
    """Answers DATA with the scripted codes first, then accepts; refuses one mailbox."""

    def __init__(self, script: list[str]) -> None:
        self.script = script
        self.data_calls = 0
        self.accepted: list[bytes] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, _: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_calls += 1
        if self.script:
            return self.script.pop(0)
        self.accepted.append(envelope.original_content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[FlakyInbox, int]]:
    inbox = FlakyInbox([])
    for tries_left in reversed(range(5)):  # another xdist worker may take the port first
        port = _free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except (OSError, RuntimeError):
            if not tries_left:
                raise
    try:
        yield inbox, port
    finally:
        controller.stop()


def _mailer(port: int, slept: list[float]) -> Mailer:
    settings = Settings(
        _env_file=None,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="datatool@example.org",
    )

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return Mailer(settings, attempts=4, backoff=0.5, sleep=sleep)


def _message(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "datatool@example.org", to, "Hello"
    message.set_content("Hello")
    return message


async def test_a_4xx_is_tried_again_with_backoff(smtp: tuple[FlakyInbox, int]) -> None:
    inbox, port = smtp
    inbox.script[:] = ["451 4.3.0 try again later"] * 2
    slept: list[float] = []
    async with _mailer(port, slept) as mailer:
        result = await mailer.send(_message("ann@example.org"))
    assert result.outcome == "sent"
    assert inbox.data_calls == 3 and len(inbox.accepted) == 1
    assert slept == [0.5, 1.0]


async def test_the_attempts_run_out_into_failed(smtp: tuple[FlakyInbox, int]) -> None:
    inbox, port = smtp
    inbox.script[:] = ["451 4.3.0 try again later"] * 10
    slept: list[float] = []
    async with _mailer(port, slept) as mailer:
        result = await mailer.send(_message("ann@example.org"))
    assert result.outcome == "failed" and "451" in result.error
    assert inbox.data_calls == 4 and slept == [0.5, 1.0, 2.0]


async def test_a_refused_recipient_is_a_bounce_never_retried(
    smtp: tuple[FlakyInbox, int],
) -> None:
    inbox, port = smtp
    slept: list[float] = []
    async with _mailer(port, slept) as mailer:
        result = await mailer.send(_message("nobody@example.org"))
    assert (result.outcome, result.unreachable) == ("bounced", "bounced")
    assert inbox.data_calls == 0 and slept == []


async def test_a_5xx_is_final(smtp: tuple[FlakyInbox, int]) -> None:
    inbox, port = smtp
    inbox.script[:] = ["554 5.7.1 rejected"]
    slept: list[float] = []
    async with _mailer(port, slept) as mailer:
        result = await mailer.send(_message("ann@example.org"))
    assert result.outcome == "failed" and "554" in result.error
    assert inbox.data_calls == 1 and slept == []


async def test_an_empty_username_is_no_username_so_no_login(
    smtp: tuple[FlakyInbox, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``.env.example`` ships ``SMTP_USERNAME=`` and ``SMTP_PASSWORD=``: through a relay that
    takes mail without a login (this one offers no AUTH), an empty setting must not be a login
    with an empty name, which the server refuses and every send with it."""
    inbox, port = smtp
    monkeypatch.chdir(tmp_path)
    for name in ("SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_HOST", "SMTP_PORT", "SMTP_FROM"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        f"SMTP_HOST=127.0.0.1\nSMTP_PORT={port}\nSMTP_USERNAME=\nSMTP_PASSWORD=\n"
        "SMTP_FROM=\nSMTP_STARTTLS=false\n",
        encoding="utf-8",
    )
    settings = Settings()
    assert settings.smtp_username is None and settings.smtp_password is None
    assert settings.smtp_from is None

    async def no_sleep(_: float) -> None:
        return None

    async with Mailer(settings, attempts=4, backoff=0.5, sleep=no_sleep) as mailer:
        result = await mailer.send(_message("ann@example.org"))
    assert result.outcome == "sent", result
    assert len(inbox.accepted) == 1


async def test_a_server_that_never_answers_costs_the_timeout_then_opens_the_circuit() -> None:
    """A socket that accepts and never says a word: each try waits SMTP_TIMEOUT, and after
    `CIRCUIT` of them in a row every send fails at once, without connecting, without a try
    counted against the person (not personal)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(20)
    try:
        settings = Settings(
            _env_file=None,
            smtp_host="127.0.0.1",
            smtp_port=listener.getsockname()[1],
            smtp_starttls=False,
            smtp_timeout=0.3,
        )
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        async with Mailer(settings, attempts=4, backoff=0.5, sleep=sleep) as mailer:
            first = await mailer.send(_message("ann@example.org"))
            rest = [await mailer.send(_message(f"p{i}@example.org")) for i in range(5)]
        assert first.outcome == "failed" and first.code == "smtp_down" and not first.personal
        assert "SMTPTimeoutError" in first.detail or "Timeout" in first.detail, first
        assert slept == [0.5, 1.0]  # three tries, two waits: then the circuit, no fourth
        assert all(r.code == "smtp_down" and not r.personal for r in rest)
        assert mailer.down is not None
    finally:
        listener.close()
