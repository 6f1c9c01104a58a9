"""No class of ours overrides a dependency's private name (issue 24).

ruff's SLF001 (in ``./dev lint``) refuses ``something._private`` on anything but ``self`` and
``cls``; what it cannot see is a subclass that *defines* a name its third-party base keeps
private: an override of ``Dispatcher._process_update`` or of WeasyPrint's ``_ua_stylesheets``
reads as an ordinary method. An upgrade of the dependency may rename or drop such a hook and
silently turn the override off (and, for polling, the guarantee that no update is lost). Here
every class in bot/, flows/, reports/, rubric/ and storage/ that subclasses a class from outside
datatool is read from its source: no name its body defines, nor any ``self._name`` its methods
assign, may be a single-underscore name of that base.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterator
from types import ModuleType
from typing import Any

OURS = frozenset({"bot", "flows", "reports", "rubric", "storage", "standin", "tests", "benchmarks"})
CHECKED = ("bot", "flows", "reports", "rubric", "storage")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _modules() -> Iterator[ModuleType]:
    for package in CHECKED:
        root = importlib.import_module(package)
        yield root
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            yield importlib.import_module(info.name)


def _foreign_bases(cls: type) -> list[type]:
    return [
        base
        for base in cls.__mro__[1:]
        if base is not object and base.__module__.split(".")[0] not in OURS | {"builtins"}
    ]


def _defined_names(cls: type) -> set[str]:
    """The names the class's own source defines: its body's methods and assignments, and the
    attributes its methods assign on ``self``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0]
    assert isinstance(body, ast.ClassDef), type(body)
    names: set[str] = set()
    for stmt in body.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            names |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names.add(stmt.target.id)
    for node in ast.walk(body):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                names.add(target.attr)
    return names


def _base_has(base: type, name: str) -> bool:
    """The base (or its own bases) has ``name``: as a class attribute, or as an attribute its
    source assigns on ``self``."""
    if hasattr(base, name):
        return True
    try:
        source = inspect.getsource(base)
    except (OSError, TypeError):  # a class built in C, or without a source file
        return False
    return f"self.{name} " in source or f"self.{name}:" in source or f"self.{name}=" in source


def private_overrides(cls: type) -> list[str]:
    """``Base._name`` for each private name of a foreign base that ``cls`` defines."""
    bases = _foreign_bases(cls)
    if not bases:
        return []
    found = []
    for name in sorted(n for n in _defined_names(cls) if _private(n)):
        for base in bases:
            if _base_has(base, name):
                found.append(f"{base.__module__}.{base.__qualname__}.{name}")
                break
    return found


def _our_subclasses() -> Iterator[type]:
    for module in _modules():
        for value in vars(module).values():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                yield value


def test_no_class_of_ours_overrides_a_dependencys_private_name() -> None:
    checked = [cls for cls in _our_subclasses() if _foreign_bases(cls)]
    assert len(checked) > 20, "the walk found (almost) no subclass of a third-party class"
    offenders = {
        f"{cls.__module__}.{cls.__qualname__}": found
        for cls in checked
        if (found := private_overrides(cls))
    }
    assert offenders == {}


# --- the check itself catches what it is for -------------------------------------------------


def test_it_catches_an_override_of_a_private_hook() -> None:
    from aiogram import Dispatcher
    from aiogram.types import Update

    class Planted(Dispatcher):
        """As bot.telegram.polling's ConfirmingDispatcher did."""

        async def _process_update(
            self, bot: Any, update: Update, call_answer: bool = True, **kwargs: Any
        ) -> bool:
            return True

        async def settle(self) -> None:  # a public name of our own: fine
            return None

    assert private_overrides(Planted) == [
        "aiogram.dispatcher.dispatcher.Dispatcher._process_update"
    ]


def test_it_catches_a_private_attribute_assigned_over_the_bases() -> None:
    import aiosqlite

    class Planted(aiosqlite.Connection):
        def reset(self) -> None:
            self._running = False  # aiosqlite's own flag

        def keep(self) -> None:
            self._mine = 1  # not aiosqlite's: fine

    assert private_overrides(Planted) == ["aiosqlite.core.Connection._running"]


def test_it_leaves_alone_what_subclassing_makes_by_itself() -> None:
    """Names a metaclass adds (pydantic's, enum's, abc's) are not the class's source."""
    from enum import StrEnum

    from pydantic import BaseModel

    class Model(BaseModel):
        name: str

    class Colour(StrEnum):
        RED = "red"

    assert private_overrides(Model) == [] and private_overrides(Colour) == []


def test_it_catches_weasyprints_private_hook() -> None:
    from weasyprint import HTML

    class Planted(HTML):  # type: ignore[misc]  # as reports.pdf's ReportHTML did
        def _ua_stylesheets(self, forms: bool = False) -> list[object]:
            return []

    assert private_overrides(Planted) == ["weasyprint.HTML._ua_stylesheets"]
