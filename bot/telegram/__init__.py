"""Telegram plumbing every room shares: the dispatcher, middlewares, the API
session, message helpers."""
