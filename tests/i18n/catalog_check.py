"""Every message the shop can show, read from the source, and the Indonesian catalogs."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from shop.config import PROJECT_ROOT
from shop.i18n import PACKAGE_ROOT

KEYWORDS = {
    "_": None,
    "_l": None,
    "N_": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}
METHODS = {
    "shop": [("**.py", "python")],
    "templates": [("**.html", "jinja2"), ("**.txt", "jinja2")],
}
OPTIONS = {"**.html": {"extensions": "jinja2.ext.do"}, "**.txt": {"extensions": "jinja2.ext.do"}}


def source_messages() -> dict[str, str]:
    """msgid → "file:line" of its first use, for every translatable string in the code."""
    found: dict[str, str] = {}
    for folder, methods in METHODS.items():
        root = PROJECT_ROOT / folder
        for filename, lineno, message, _comments, _context in extract_from_dir(
            root, methods, keywords=KEYWORDS, options_map=OPTIONS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found


def catalog_paths() -> list[Path]:
    return sorted(PACKAGE_ROOT.glob("**/translations/id/LC_MESSAGES/*.po"))


def indonesian() -> dict[str, dict[str, str]]:
    """msgid → {catalog path: msgstr} over every Indonesian catalog."""
    merged: dict[str, dict[str, str]] = {}
    for path in catalog_paths():
        with path.open("rb") as po_file:
            catalog = read_po(po_file, locale="id")
        for message in catalog:
            if not message.id:
                continue
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
            merged.setdefault(msgid, {})[str(path.relative_to(PROJECT_ROOT))] = msgstr or ""
    return merged
