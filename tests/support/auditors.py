"""Auditor phones for the end-to-end tests."""

from __future__ import annotations

from standin import Phone


async def speaks_english(phone: Phone) -> Phone:
    """An auditor who chose English (an auditor whose language is unknown is answered in both
    languages, which tests/e2e/test_welsh_first.py covers)."""
    await phone.send("/language")
    await phone.wait_for("Dewiswch")
    await phone.tap("English")
    await phone.wait_for("Language: English")
    await phone.wait_quiet()
    return phone
