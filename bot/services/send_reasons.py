"""Why a reminder did not go out, in two forms: a sentence in English for the log and the
database (the operator's records, as every log line is kept), and a code with the outside
world's own words (`SendResult.code`, `.detail`), which the command line words in the operator's
language (``remind.why.CODE`` in ``bot/cli/locales``; its English is these sentences, as a test
checks)."""

from __future__ import annotations

from flows.outcome import Outcome, SendResult

ENGLISH = {
    "smtp_bounced": "recipient refused: {detail}",
    "smtp_later": "recipient refused for now: {detail}",
    "smtp_login": "SMTP login refused: {detail}",
    "smtp_sender": "SMTP refused the sender: {detail}",
    "smtp_cannot": "SMTP server cannot send this: {detail}",
    "smtp_refused": "SMTP {detail}",
    "unsendable": "cannot be sent: {detail}",
    "smtp_down": "mail server unreachable: {detail}",
    "telegram_400": "400: {detail}",
    "telegram_429": "429 (retry after {detail} s) after retries",
}


def because(outcome: Outcome, code: str, detail: object, *, personal: bool = False) -> SendResult:
    """A failed (or bounced) send, worded by `code`; `personal`: see `SendResult.personal`."""
    text = str(detail)
    return SendResult(
        outcome, ENGLISH[code].format(detail=text), personal=personal, code=code, detail=text
    )
