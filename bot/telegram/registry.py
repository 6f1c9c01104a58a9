"""Handlers declared once at import, attached to a fresh aiogram Router per dispatcher.

aiogram lets a Router belong to one dispatcher only, and the tests, the demo and the benchmarks
build several dispatchers in one process; so modules declare handlers here and ``router()``
builds a new Router each time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from aiogram import Router

Kind = Literal["message", "callback_query"]
F = Callable[..., Any]


class Handlers:
    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: list[tuple[Kind, tuple[Any, ...], F]] = []

    def _add(self, kind: Kind, filters: tuple[Any, ...]) -> Callable[[F], F]:
        def register(handler: F) -> F:
            self.entries.append((kind, filters, handler))
            return handler

        return register

    def message(self, *filters: Any) -> Callable[[F], F]:
        return self._add("message", filters)

    def callback_query(self, *filters: Any) -> Callable[[F], F]:
        return self._add("callback_query", filters)

    def router(self) -> Router:
        router = Router(name=self.name)
        for kind, filters, handler in self.entries:
            getattr(router, kind).register(handler, *filters)
        return router
