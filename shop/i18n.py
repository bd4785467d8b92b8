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
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations

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


def request_translations() -> NullTranslations:
    """The catalog of the request's language, looked up once per request (and once per
    ``force_locale`` block).

    Kept in Flask-Babel's own per-request slot (``g._flask_babel.babel_translations``),
    which ``force_locale`` empties on entry and restores on exit and ``refresh()``
    deletes, so a forced or changed language is never answered from a stale catalog.
    Flask-Babel's own lookup resolves its context three times and formats the locale on
    every call; templates call it 50–70 times a page.
    """
    try:
        ctx = g._flask_babel
    except (AttributeError, RuntimeError):  # first lookup of the request, or no app context
        return get_translations()
    translations = getattr(ctx, "babel_translations", None)
    if translations is None:
        translations = ctx.babel_translations = get_translations()
    return translations


def install_request_translations(app: Flask) -> None:
    """Templates translate through :func:`request_translations` (after ``babel.init_app``,
    which installs Flask-Babel's slower callables)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def current_locale() -> str:
    return str(get_locale() or "id")


def format_rupiah(amount: int) -> str:
    """``150000`` → ``"Rp 150.000"`` (Indonesian grouping in both languages)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(int(amount)):,}".replace(",", ".")


def format_number(value: int) -> str:
    return f"{int(value):,}".replace(",", ".") if current_locale() == "id" else f"{int(value):,}"
