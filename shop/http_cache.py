"""What browsers and a caching proxy may keep of each response (``Cache-Control``).

Public pages (home, listing and search, the facility list and facility pages) answered
to an anonymous visitor (no session or remember-me cookie sent, none set) are the same
for everyone asking in the same language: they say ``public, max-age=N,
stale-while-revalidate=N`` (``HTTP_CACHE_SECONDS``, like the page cache's lifetime) with
an ``ETag`` (a hash of the body; a page kept by the page cache is kept as a
:class:`KeptPage`, encoded and hashed once), so a proxy in front can micro-cache them,
and a matching ``If-None-Match`` is answered 304 without a body. ``Vary: Cookie,
Accept-Language`` keeps a visitor with a session or another language off that copy.

Anything personal is ``private, no-store``: a request carrying the session or
remember-me cookie, a response setting a cookie (a flashed message, a CSRF token, a
cart), anything but GET and HEAD, and every page of the cart, checkout, orders,
accounts, dashboard and back office. A view that sets ``Cache-Control`` itself (photos,
search suggestions, the order page) keeps its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, current_app, request, session
from werkzeug.http import generate_etag

PUBLIC_ENDPOINTS = frozenset(
    {"catalog.home", "catalog.listing", "catalog.facilities", "catalog.facility"}
)
PRIVATE_BLUEPRINTS = frozenset(
    {
        "cart",
        "checkout",
        "orders",
        "accounts",
        "dashboard",
        "admin",
        "reconciliation",
        "settlements",
        "stripe_payments",
    }
)
PRIVATE = "private, no-store"
VARY = "Cookie, Accept-Language"
# Request headers that make an answer conditional (304, 412 or a range).
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH")
CONDITIONAL += ("HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE", "HTTP_IF_RANGE")


@dataclass(frozen=True)
class KeptPage:
    """A whole rendered page as the page cache keeps it: its bytes and their ETag,
    made once rather than on every answer."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, html: str) -> KeptPage:
        body = html.encode()
        return cls(body, generate_etag(body))

    def response(self) -> Response:
        response = current_app.response_class(self.body, mimetype="text/html")
        response.set_etag(self.etag)
        return response


def _personal(response: Response) -> bool:
    config, cookies = current_app.config, request.cookies
    return (
        request.method not in ("GET", "HEAD")
        or config["SESSION_COOKIE_NAME"] in cookies
        or config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies
        or "Set-Cookie" in response.headers
        or bool(session.modified and session)  # its cookie is set after this hook
        or request.blueprint in PRIVATE_BLUEPRINTS
    )


def cache_headers(response: Response) -> Response:
    """``after_request``: the caching headers of this response (see the module)."""
    if "Cache-Control" in response.headers:
        return response
    if _personal(response):
        response.headers["Cache-Control"] = PRIVATE
        response.headers.pop("ETag", None)  # a kept page's: never revalidated
        return response
    seconds = int(current_app.config["HTTP_CACHE_SECONDS"])
    public = request.endpoint in PUBLIC_ENDPOINTS and response.status_code == 200
    if not public or seconds <= 0:
        response.headers.pop("ETag", None)
        return response
    response.headers["Cache-Control"] = (
        f"public, max-age={seconds}, stale-while-revalidate={seconds}"
    )
    if "Vary" in response.headers:
        response.vary.update(("Cookie", "Accept-Language"))
    else:
        response.headers["Vary"] = VARY
    response.add_etag()  # a KeptPage's is kept
    environ = request.environ
    if any(header in environ for header in CONDITIONAL):
        return response.make_conditional(request)
    return response


def init_http_cache(app: Flask) -> None:
    app.after_request(cache_headers)
