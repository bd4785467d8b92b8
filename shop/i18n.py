"""Language selection, message catalogs and number formatting.

Source strings are English; each domain keeps its Indonesian catalog in
``shop/<domain>/translations/id/LC_MESSAGES/messages.po`` (so domains can be worked on
side by side); Flask-Babel merges every such folder. ``flask compile-translations``
(run by ``make run`` and ``make test``) compiles them.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, has_request_context, request
from flask_babel import get_locale

PACKAGE_ROOT = Path(__file__).resolve().parent
LANGUAGES = ("id", "en")
LANG_COOKIE = "lang"
# Parsed once: Flask-Babel takes a Locale as it is, and parsing "id" again on every
# request looks the locale data up on disk.
_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}


def translation_directories() -> list[str]:
    return sorted(str(p) for p in PACKAGE_ROOT.glob("**/translations") if p.is_dir())


def compile_catalogs() -> list[Path]:
    """Compile every ``.po`` under the package whose ``.mo`` is missing or older."""
    written = []
    for po_path in PACKAGE_ROOT.glob("**/translations/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


def select_locale() -> Locale | str:
    """The visitor's chosen language (cookie), else Accept-Language, else Indonesian."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen not in LANGUAGES:
        chosen = request.accept_languages.best_match(LANGUAGES) or "id"
    return _LOCALES[chosen]


def current_locale() -> str:
    return str(get_locale() or "id")


def format_rupiah(amount: int) -> str:
    """``150000`` → ``"Rp 150.000"`` (Indonesian grouping in both languages)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(int(amount)):,}".replace(",", ".")


def format_number(value: int) -> str:
    return f"{int(value):,}".replace(",", ".") if current_locale() == "id" else f"{int(value):,}"
