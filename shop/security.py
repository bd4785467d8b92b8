"""Security headers on every response, with a Content-Security-Policy built from config.

The policy allows no inline scripts or styles. Extra sources per directive come from
``CSP_EXTRA`` (``{"form-action": ["https://checkout.stripe.com"], "img-src": [...]}``);
when Stripe keys are set, Checkout's origin is added to ``form-action`` (a form POST that
redirects to Stripe is checked against it).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, request
from flask_babel import gettext as _

BASE_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
}

STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def build_csp(extra: dict[str, list[str]] | None = None) -> str:
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    for name, sources in (extra or {}).items():
        bucket = policy.setdefault(name, [])
        bucket.extend(s for s in sources if s not in bucket)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def init_security(app: Flask) -> None:
    extra = {k: list(v) for k, v in app.config.get("CSP_EXTRA", {}).items()}
    if app.config.get("STRIPE_SECRET_KEY"):
        extra.setdefault("form-action", []).append(STRIPE_CHECKOUT_ORIGIN)
    csp = build_csp(extra)
    production = app.config.get("SHOP_ENV") == "production"
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if production:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    defaults = [(name.lower(), name, value) for name, value in headers.items()]

    @app.after_request
    def _security_headers(response: Response) -> Response:
        """Add each header the view did not set itself (one pass over the headers)."""
        present = {name.lower() for name, _value in response.headers}
        response.headers.extend(
            [(name, value) for key, name, value in defaults if key not in present]
        )
        return response


def refuse_nul_bytes():
    """A NUL character in the path, the query string or a form is never meant: 400.

    PostgreSQL cannot store or even compare text containing NUL (the driver raises), so
    it is refused here, once, for every route and form.
    """
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values += [*request.form.keys(), *request.form.values()]
        values += [f.filename or "" for f in request.files.values()]
    if any("\x00" in value for value in values):
        abort(400, description=_("The request contained a NUL character; nothing was done."))


def request_origin_is_ours() -> bool | None:
    """Whether a POST was sent from one of this shop's own pages, by its ``Origin``
    header or, without one, its ``Referer``: True (same host), False (another site, or
    ``Origin: null``), None (the client sent neither, so this check cannot tell).

    Browsers send ``Origin`` with every POST, and a page of another site cannot forge
    it; this is the CSRF check of forms that must work before the visitor has a session.
    """
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    if not sent:
        return None
    parts = urlsplit(sent)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    if request.is_secure and parts.scheme != "https":
        return False
    return parts.netloc.lower() == request.host.lower()
