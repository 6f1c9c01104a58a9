"""Message catalogs (gettext .po, read with Babel) for the words around the questionnaire.

Each room that shows words to people (``bot``, ``reports``) keeps its own ``locales/`` folder with
``en`` and ``cy`` catalogs. Message ids are keys (``review.submit``), not English sentences, so
that the English catalog is a translation like the Welsh one and a missing Welsh string is a test
failure, not a silent fallback to English.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from rubric.schema import LANGS, Lang

DOMAIN = "messages"


def read_catalog(path: Path, lang: Lang) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


class Messages:
    """Both languages' translations of one room, with ``{name}`` formatting."""

    def __init__(self, locales_dir: Path) -> None:
        self.catalogs: dict[Lang, Catalog] = {}
        self._translations: dict[Lang, Translations] = {}
        self._keys: dict[Lang, frozenset[str]] = {}
        for lang in LANGS:
            catalog = read_catalog(locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po", lang)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            self.catalogs[lang] = catalog
            self._translations[lang] = Translations(buffer, domain=DOMAIN)

    def __call__(self, lang: Lang, key: str, /, **values: object) -> str:
        text = self._translations[lang].gettext(key)
        if text == key:
            raise KeyError(f"no {lang} text for {key!r}")
        return text.format(**values) if values else text

    def plural(self, lang: Lang, key: str, n: int, /, **values: object) -> str:
        """Welsh has six plural forms; the catalog's Plural-Forms header chooses among them."""
        text = self._translations[lang].ngettext(key, key + ".plural", n)
        if text in (key, key + ".plural"):
            raise KeyError(f"no {lang} plural text for {key!r}")
        return text.format(n=n, **values)

    def keys(self, lang: Lang) -> frozenset[str]:
        """The catalog's message ids (read once: reports ask for every team name they show)."""
        if lang not in self._keys:
            ids = (m.id for m in self.catalogs[lang] if m.id)
            self._keys[lang] = frozenset(i if isinstance(i, str) else i[0] for i in ids)
        return self._keys[lang]

    def both(self, key: str, /, separator: str = "\n\n", **values: object) -> str:
        """Welsh first, then English: for people whose language is not yet known."""
        return separator.join(self(lang, key, **values) for lang in LANGS)
