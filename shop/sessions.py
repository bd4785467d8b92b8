"""Flask's signed-cookie sessions, opened cheaply when the request carries no cookie."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    """Most catalog visits carry no session cookie (browsing starts none): they get an
    empty session without building the cookie signer first. With a cookie, or when the
    session is saved, Flask's own code runs unchanged."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
