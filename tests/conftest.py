"""Markers by room: everything under tests/e2e/ drives the real bot process through the
stand-in and is marked ``e2e``, so ``./dev test -m "not e2e"`` is the fast lane."""

from __future__ import annotations

from pathlib import Path

import pytest

E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
