"""Flask's signed-cookie sessions, opened cheaply when the request carries no cookie and
re-signed at most once a day when nothing in them changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

# A permanent session's cookie is sent again (its expiry moved on) when it is older than
# this; Flask would re-sign and resend it on every request. Its expiry lags the last
# visit by a day at most: sign-in sessions end server-side (UserSession), not by expiry.
REFRESH_AFTER = timedelta(days=1)


class SignedSession(SecureCookieSession):
    """A cookie session that knows when its cookie was signed (None: no cookie)."""

    signed_at: datetime | None = None


class CookieSessionInterface(SecureCookieSessionInterface):
    """Most catalog visits carry no session cookie (browsing starts none): they get an
    empty session without building the cookie signer first. A shopper's unchanged
    session is not re-signed and resent on every page, only once a day."""

    session_class = SignedSession

    def open_session(self, app: Flask, request: Request) -> SignedSession | None:
        name = self.get_cookie_name(app)
        if app.secret_key and name not in request.cookies:
            return self.session_class()
        signer = self.get_signing_serializer(app)
        if signer is None:
            return None
        value = request.cookies.get(name)
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = signer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session: SecureCookieSession) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or datetime.now(UTC) - signed_at >= REFRESH_AFTER
