"""The services room: the work that needs no Telegram client, called by the bot's rooms and by
the command line alike. A report built from the database (``report_builder``), a reminder run
(``reminder_run``: claim, send, record; email by ``mail``), the one schedule of reminders and
closed surveys' reports (``schedule``), a respondent's journey (``journey``: stored state and
the pure flows) and who may read what (``access``).

The contract (``pyproject.toml``, checked by ``./dev lint``): nothing here imports aiogram or
aiohttp. What has to reach Telegram is handed in by the caller as a small protocol or callable
(``reminder_run.TelegramChannel``, ``schedule.Deliver``), built by the composition (``bot.app``)
or the command line.
"""
