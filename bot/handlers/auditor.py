"""Auditor commands: /report, /status, /remind. Filled in with the reports and reminders work."""

from __future__ import annotations

from aiogram import Router

router = Router(name="auditor")
