"""The respondent's room: the survey conversation on Telegram (handlers, screens, buttons)."""
