"""Invitation and reminder emails: composed in the person's language (or both, Welsh first),
plain text with an HTML alternative, and sent with aiosmtplib through the ``SMTP_*`` settings.

Email reaches the people a Telegram bot cannot: those who have not opened it yet.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from types import TracebackType
from typing import Literal, Self

import aiosmtplib
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from bot.config import Settings
from bot.services.reminder_words import closing_date, council_values, languages
from bot.services.send_reasons import because
from flows.outcome import SENT, SendResult
from rubric.catalog import Messages
from rubric.schema import Lang
from storage.rows import Council

log = logging.getLogger(__name__)
Kind = Literal["invite", "reminder", "last"]
SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def kind_of(step: str, closes_on: date | None) -> Kind:
    if step == "invite":
        return "invite"
    if step == "last" and closes_on is not None:
        return "last"
    return "reminder"


def compose(
    texts: Messages,
    *,
    sender: str,
    to: str,
    name: str,
    lang: Lang | None,
    kind: Kind,
    link: str,
    council: Council,
    closes_on: date | None = None,
) -> EmailMessage:
    """One email to one person. Without a known language both versions are in it, Welsh first,
    with a line at the top saying the English follows."""
    langs = languages(lang)
    subjects: list[str] = []
    bodies: list[str] = []
    for each in langs:
        values = council_values(council, each) | {"name": name, "link": link}
        if closes_on is not None:
            values["closes"] = closing_date(closes_on, each)
        subjects.append(texts(each, f"email.{kind}.subject", **values))
        bodies.append(
            texts(each, f"email.{kind}.body", **values) + "\n\n" + texts(each, "email.signature")
        )
    note = texts("cy", "email.other_language_below") if len(langs) > 1 else None

    message = EmailMessage()
    message["Subject"] = " / ".join(subjects)
    message["From"] = sender
    message["To"] = formataddr((name, to))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Content-Language"] = ", ".join(langs)
    plain = SEPARATOR.join(bodies)
    message.set_content((note + "\n\n" + plain) if note else plain)
    message.add_alternative(_html(texts, langs, bodies, link, note), subtype="html")
    return message


def _html(
    texts: Messages, langs: tuple[Lang, ...], bodies: list[str], link: str, note: str | None
) -> str:
    sections = []
    for each, body in zip(langs, bodies, strict=True):
        paragraphs = []
        for block in body.split("\n\n"):
            if block.strip().endswith(link):
                before = block.strip()[: -len(link)].strip()
                label = html.escape(texts(each, "email.open_link"))
                anchor = f'<a href="{html.escape(link)}">{label}</a>'
                paragraphs.append(f"<p>{html.escape(before)}<br>{anchor}</p>")
            else:
                paragraphs.append("<p>" + html.escape(block).replace("\n", "<br>") + "</p>")
        sections.append(f'<div lang="{each}">' + "".join(paragraphs) + "</div>")
    top = f'<p lang="cy"><i>{html.escape(note)}</i></p>' if note else ""
    return (
        f'<!DOCTYPE html><html lang="{langs[0]}"><head><meta charset="utf-8"></head><body>'
        + top
        + "<hr>".join(sections)
        + "</body></html>"
    )


def sender_address(settings: Settings) -> str:
    return settings.smtp_from or settings.smtp_username or f"datatool@{settings.smtp_host}"


class _TryAgain(Exception):
    """A fault worth another attempt: a dropped connection or a 4xx answer."""


class _Down(Exception):
    """The mail server failed `CIRCUIT` connections in a row: no more tries in this run."""


CIRCUIT = 3
"""Connection failures in a row after which a run stops emailing (the circuit opens): a server
that is down then costs a run a few timeouts, not a timeout per person (2,000 people at 126 s
each was 70 hours), and the people not tried are left for the next run, charged nothing."""


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("email attempt %d failed (%s); trying again", state.attempt_number, error)


class Mailer:
    """One SMTP connection for a run, opened on first use and opened again if the server drops
    it. A refused recipient is a bounce (never retried); a connection fault or a 4xx answer is
    tried again with exponential backoff (tenacity), ``attempts`` times in all. Each connection
    and each command waits ``SMTP_TIMEOUT`` at most, and after `CIRCUIT` connection faults in a
    row (whoever they were for) the mailer is `down`: every later send fails at once."""

    def __init__(
        self,
        settings: Settings,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not settings.smtp_host:
            raise ValueError("email is not set up (no SMTP_HOST)")
        self.settings = settings
        self.attempts = attempts
        self.backoff = backoff
        self._sleep = sleep
        self._client: aiosmtplib.SMTP | None = None
        self._faults_in_a_row = 0
        self.down: str | None = None
        """Once the circuit opened: the last connection fault, for the summary and the log."""

    def _new_client(self) -> aiosmtplib.SMTP:
        s = self.settings
        implicit_tls = s.smtp_port == 465
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            use_tls=implicit_tls,
            start_tls=False if implicit_tls else s.smtp_starttls,
            timeout=s.smtp_timeout,
        )

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is None or not self._client.is_connected:
            self._client = self._new_client()
            await self._client.connect()
        return self._client

    async def _drop(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()

    async def send(self, message: EmailMessage) -> SendResult:
        """Sends one message. A recipient refused for good (5xx) is a bounce; one refused for
        now (4xx), a command refused for this message, or an address that cannot be sent is
        a failure of this message alone; a connection fault or a 4xx elsewhere is tried again
        with exponential backoff (tenacity), then reported as the channel's failure."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_TryAgain),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff, exp_base=2),
            sleep=self._sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        if self.down is not None:
            return because("failed", "smtp_down", self.down)
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._send_once(message)
        except _TryAgain as exc:
            return SendResult("failed", str(exc))
        except _Down:
            assert self.down is not None
            return because("failed", "smtp_down", self.down)
        raise AssertionError("unreachable")

    async def _send_once(self, message: EmailMessage) -> SendResult:
        """One attempt: sent, or a final answer (bounced, refused), or ``_TryAgain``."""
        try:
            client = await self._connected()
            self._faults_in_a_row = 0
            await client.send_message(message)
            return SENT
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPRecipientRefused) as exc:
            found = exc.recipients if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) else [exc]
            codes = ", ".join(f"{r.code} {r.message}" for r in found)
            if all(r.code >= 500 for r in found):
                return because("bounced", "smtp_bounced", codes)
            return because("failed", "smtp_later", codes, personal=True)
        except aiosmtplib.SMTPAuthenticationError as exc:
            return because("failed", "smtp_login", exc.code)
        except aiosmtplib.SMTPSenderRefused as exc:
            return because("failed", "smtp_sender", f"{exc.code} {exc.message}")
        except aiosmtplib.SMTPNotSupported as exc:
            return because("failed", "smtp_cannot", exc, personal=True)
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= 500:
                return because(
                    "failed", "smtp_refused", f"{exc.code}: {exc.message}", personal=True
                )
            raise _TryAgain(f"SMTP {exc.code}: {exc.message}") from exc
        except ValueError as exc:
            # aiosmtplib refuses, before sending anything, an address it cannot send safely.
            return because("failed", "unsendable", exc, personal=True)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop()
            fault = f"{type(exc).__name__}: {exc}"
            self._faults_in_a_row += 1
            if self._faults_in_a_row >= CIRCUIT:
                self.down = fault
                log.warning(
                    "mail server %s:%s failed %d times in a row (%s): no more email in this run",
                    self.settings.smtp_host,
                    self.settings.smtp_port,
                    CIRCUIT,
                    fault,
                )
                raise _Down(fault) from exc
            raise _TryAgain(fault) from exc

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._drop()
