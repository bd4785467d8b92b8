"""Parts of every page that depend on nothing but the language, rendered once per
process: the footer (its links and text) costs a page five ``url_for`` calls and seven
translations otherwise."""

from __future__ import annotations

from flask import Flask, render_template, request
from markupsafe import Markup

from shop.i18n import current_locale

_footers: dict[tuple[str, str], Markup] = {}


def site_footer() -> Markup:
    """The site footer in the request's language (kept per language and script root)."""
    key = (current_locale(), request.script_root)
    footer = _footers.get(key)
    if footer is None:
        html = render_template("partials/site_footer.html")  # escaped by Jinja
        footer = _footers[key] = Markup(html)  # noqa: S704
    return footer


def init_site_parts(app: Flask) -> None:
    app.add_template_global(site_footer)
