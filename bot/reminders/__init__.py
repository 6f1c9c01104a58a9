"""Invitations and reminders: the cadence rules, the two channels (email for people who have
not opened the bot, Telegram for those who have not finished), the schedule inside
``datatool run`` and the deliberate chase (``datatool remind``, ``/remind``)."""
