"""Flask's signed-cookie sessions, opened cheaply when the request carries no cookie or
one already verified, and re-signed at most once a day when nothing in them changed."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

# A permanent session's cookie is sent again (its expiry moved on) when it is older than
# this; Flask would re-sign and resend it on every request. Its expiry lags the last
# visit by a day at most: sign-in sessions end server-side (UserSession), not by expiry.
REFRESH_AFTER = timedelta(days=1)

# Cookie values this process has verified, kept so that a shopper's next page (the same
# cookie, unchanged until the session changes) skips the signature check and the tagged
# JSON parse: the cost that made a cookie visitor's cached page 1.5x a new visitor's.
VERIFIED_COOKIES = 4096


class VerifiedCookies:
    """A bounded map from a verified cookie value to its data and signing time.

    The key is the whole signed value, so only a byte-for-byte copy of a cookie whose
    signature was checked is found; its age is checked again on every use. Each request
    gets its own copy of the data, so no request sees another's changes.
    """

    def __init__(self, size: int = VERIFIED_COOKIES) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[dict, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, value: str, max_age: timedelta) -> tuple[dict, datetime] | None:
        with self._lock:
            entry = self._entries.get(value)
            if entry is not None:
                self._entries.move_to_end(value)
        if entry is None or datetime.now(UTC) - entry[1] > max_age:
            return None
        return copy.deepcopy(entry[0]), entry[1]

    def put(self, value: str, data: dict, signed_at: datetime) -> None:
        kept = copy.deepcopy(data)
        with self._lock:
            self._entries[value] = (kept, signed_at)
            self._entries.move_to_end(value)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class SignedSession(SecureCookieSession):
    """A cookie session that knows when its cookie was signed (None: no cookie)."""

    signed_at: datetime | None = None


class CookieSessionInterface(SecureCookieSessionInterface):
    """Most catalog visits carry no session cookie (browsing starts none): they get an
    empty session without building the cookie signer first. A cookie seen before opens
    from :class:`VerifiedCookies`. A shopper's unchanged session is not re-signed and
    resent on every page, only once a day."""

    session_class = SignedSession

    def __init__(self) -> None:
        self.verified = VerifiedCookies()

    def open_session(self, app: Flask, request: Request) -> SignedSession | None:
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        known = self.verified.get(value, app.permanent_session_lifetime)
        if known is None:
            signer = self.get_signing_serializer(app)
            max_age = int(app.permanent_session_lifetime.total_seconds())
            try:
                data, signed_at = signer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            self.verified.put(value, data, signed_at)
        else:
            data, signed_at = known
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
