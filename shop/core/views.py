"""Site-wide routes: health check, language switch, robots.txt, sitemap, error pages."""

from __future__ import annotations

import contextlib

from flask import (
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import BadRequest

from shop.core import bp
from shop.extensions import db, login_manager
from shop.i18n import LANG_COOKIE, LANGUAGES
from shop.urls import local_path

ONE_YEAR = 365 * 24 * 3600


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: the same SVG icon."""
    return send_from_directory(
        current_app.static_folder, "icons/favicon.svg", mimetype="image/svg+xml"
    )


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        current_app.logger.error("health check: database unreachable: %s", exc)
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/lang/<code>")
def switch_language(code: str):
    if code not in LANGUAGES:
        abort(404)
    response = redirect(local_path(request.args.get("next")) or "/", code=303)
    response.set_cookie(
        LANG_COOKIE,
        code,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.get("/robots.txt")
def robots_txt():
    site = current_app.config["SITE_URL"]
    body = "\n".join(
        [
            "User-agent: *",
            "Disallow: /lang/",
            f"Sitemap: {site}/sitemap.xml",
            "",
        ]
    )
    return Response(body, mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap_xml():
    from shop.catalog.services import sitemap_entries

    entries = sitemap_entries()
    newest = max((e.lastmod for e in entries if e.lastmod), default=None)
    site = current_app.config["SITE_URL"]
    pages = [
        (site + url_for("catalog.home"), newest),
        (site + url_for("catalog.listing"), newest),
        (site + url_for("catalog.facilities"), newest),
    ]
    for entry in entries:
        endpoint = "catalog.product" if entry.path_kind == "product" else "catalog.facility"
        pages.append((site + url_for(endpoint, slug=entry.slug), entry.lastmod))
    body = render_template("catalog/sitemap.xml", pages=pages)
    return Response(body, mimetype="application/xml")


@bp.after_app_request
def vary_on_language(response: Response) -> Response:
    """HTML is rendered in the visitor's language: caches must key on what picks it."""
    if response.mimetype == "text/html":
        if "Vary" in response.headers:
            response.vary.update(("Accept-Language", "Cookie"))
        else:
            response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.app_errorhandler(400)
def bad_request(error):
    # Werkzeug's and Flask-WTF's descriptions are English; our own aborts pass a
    # translated one.
    if isinstance(error, CSRFError):
        message = _(
            "The form has expired or did not come from this shop. Reload the page and try again."
        )
    elif error.description != BadRequest.description:
        message = error.description
    else:
        message = None
    return render_template("errors/400.html", message=message), 400


@bp.app_errorhandler(404)
def not_found(_error):
    return render_template("errors/404.html"), 404


def _without_the_database() -> None:
    """Error pages never look the signed-in user up: the database may be what failed.

    Flask-Login's template context would otherwise load ``current_user`` (a query) while
    rendering the error page, and a failure there leaves a bare "Internal Server Error".
    """
    with contextlib.suppress(Exception):
        db.session.rollback()
    g._login_user = login_manager.anonymous_user()


@bp.app_errorhandler(500)
def server_error(_error):
    _without_the_database()
    return render_template("errors/500.html"), 500


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(InterfaceError)
@bp.app_errorhandler(PoolTimeoutError)
def database_unavailable(error):
    """The database is down, frozen or too slow: "busy, try again shortly" (503)."""
    current_app.logger.error(
        "database unavailable for %s %s: %s", request.method, request.path, error
    )
    _without_the_database()
    response = Response(render_template("errors/503.html"), status=503)
    response.headers["Retry-After"] = "30"
    response.headers["Cache-Control"] = "no-store"
    return response
