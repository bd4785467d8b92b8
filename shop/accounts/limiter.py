"""Rate limits (Flask-Limiter): in memory locally, Redis when ``RATELIMIT_STORAGE_URI`` is set.

In-memory counters belong to one process; with several app processes set
``RATELIMIT_STORAGE_URI=redis://…`` so every process counts against the same limit.
Behind a reverse proxy, wrap the app in ``werkzeug.middleware.proxy_fix.ProxyFix`` so
``remote_addr`` is the visitor's address, not the proxy's.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])

DEFAULT_LOGIN_LIMIT = "10 per minute; 100 per hour"


def login_limit() -> str:
    from flask import current_app

    return current_app.config["RATELIMIT_LOGIN"]


def init_limiter(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_LOGIN", DEFAULT_LOGIN_LIMIT)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    # Only decorated views are limited here, and the decorator checks its own limit; the
    # extension's before-request check would only cost every other request (a sixth of a
    # cached catalog page) to find nothing. Keep it as soon as app-wide limits exist.
    app_wide = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")
    if not any(app.config.get(name) for name in app_wide):
        app.before_request_funcs[None].remove(limiter._check_request_limit)
