"""What the production server's hooks (``gunicorn.conf.py``) do with the shop.

With ``preload_app`` the app is imported and created once, in gunicorn's master, and
every worker is a fork of it: :func:`warm_up` compiles the templates there and serves a
few pages (translations loaded, statements compiled, facet counts and the pages kept for
their usual lifetime), so a new worker (also one replacing a recycled worker) starts with
little left to load; :func:`after_fork` gives each worker database connections of its
own. A worker whose memory grew past a limit (a large photo decoded) is replaced after
its request (:func:`peak_resident_mb`), instead of every worker after a fixed number of
requests.
"""

from __future__ import annotations

import logging
import resource

from flask import Flask

from shop.catalog import page_cache
from shop.extensions import db

log = logging.getLogger(__name__)

# Templates only staff, administrators and the e-mail queue render: left for the worker
# that needs them, so that a visitor-only worker does not carry them.
_NOT_WARMED = ("admin/", "dashboard/", "reconciliation/", "settlements/", "emails/")
# Served once in each language before the workers fork: GETs, which write nothing.
WARM_PAGES = ("/", "/produk", "/produk?q=batik")


def warm_up(app: Flask) -> list[str]:
    """Compile every template a visitor's page may use and serve :data:`WARM_PAGES`
    in both languages; then close the connections they used (workers open their own).

    Returns what was done, for the log. A page that fails (the database not up yet) is
    logged and left for the workers: the master starts either way.
    """
    names = [
        name
        for name in app.jinja_env.list_templates(extensions=["html"])
        if not name.startswith(_NOT_WARMED)
    ]
    for name in names:
        app.jinja_env.get_template(name)
    done = [f"{len(names)} templates compiled"]
    client = app.test_client(use_cookies=False)
    base_url = app.config.get("SITE_URL") or "http://localhost"
    for language in ("id", "en"):
        for path in WARM_PAGES:
            try:
                response = client.get(
                    path, base_url=base_url, headers={"Accept-Language": language}
                )
                response.close()  # hands what the page cache left to its rebuild thread
                done.append(f"{path} ({language}) {response.status_code}")
            except Exception:
                log.exception("warming %s up in the master failed", path)
                done.append(f"{path} ({language}) failed")
    page_cache.stop_rebuild_thread()  # no thread of the master's outlives the fork
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    return done


def after_fork(app: Flask) -> None:
    """In a new worker: forget the connections of the pool inherited from the master.

    ``close=False`` leaves them open for the process that made them (closing a shared
    socket here would end the master's session); the worker opens its own on first use.
    """
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def peak_resident_mb() -> float:
    """This process's peak resident memory (RSS, Linux's ``VmHWM``) so far, in MB.

    One system call (~1 µs), cheap enough after every request; reading /proc/self/statm
    for the current RSS costs ~100 times that.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
