"""Gunicorn settings for Karya Binaan: ``gunicorn --config gunicorn.conf.py`` (``make serve``).

Every value can be changed from the environment; the defaults suit one small server
behind a reverse proxy that terminates TLS.

The timeout is the hard stop for one request: a worker still busy after it is killed and
its request answered with an error. The shop keeps its slowest request, a photo upload,
well inside it: no new photo is started after ``PHOTO_UPLOAD_SECONDS`` (20 s by default)
and one request takes at most ``PHOTO_UPLOAD_MEGAPIXELS`` (see shop/dashboard/photos.py).

The app is loaded once, in the master, and every worker is forked from it warm (see
shop/workers.py); a change of code needs a restart of the master (``SIGHUP`` reloads
settings and workers, not code), or ``GUNICORN_PRELOAD=0``.
"""

from __future__ import annotations

import gc
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value not in ("0", "false", "no", "off")


wsgi_app = "shop:create_app()"
bind = os.environ.get("BIND") or f"127.0.0.1:{_int('PORT', 8000)}"

# WEB_CONCURRENCY is the usual name (Heroku, Render, gunicorn's own default). Each worker
# may decode a 40-megapixel photo (~250 MB at its peak), so the default stops at 8.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # to finish requests on restart
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Import and create the app in the master; workers fork from it with the imports done and
# the visitor's templates compiled (a replaced worker answers its first request as fast
# as any other), sharing those pages until one of them writes to them.
preload_app = _bool("GUNICORN_PRELOAD", True)
# A worker is replaced after its request when its peak resident memory (RSS) has grown past
# this (a large photo decoded: ~250 MB at 40 megapixels, not always given back); a worker
# serving pages stays near 100 MB. 0 turns it off.
_MAX_WORKER_MB = _int("GUNICORN_MAX_WORKER_MB", 250)
# And after this many requests whatever its memory (with jitter, so they do not all
# restart at once): a safety net only, as a new worker starts with an empty page cache
# (its own: with CACHE_URL it reads the pages other workers kept in Redis).
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)

# Requests the shop never needs: a long request line (the longest URL is a search with
# filters, well under 2 KB), or many or large headers, are refused with 400 before
# reaching the app. Bodies are limited by the app itself (MAX_REQUEST_MB).
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 4094)
limit_request_fields = _int("GUNICORN_LIMIT_REQUEST_FIELDS", 50)
limit_request_field_size = _int("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", 8190)

# Logs go to stdout/stderr for the process manager (systemd, Docker) to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# The proxy in front sets X-Forwarded-For/-Proto; trust it only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def _shop(server):
    """The preloaded shop app; None without preload_app, or when this configuration
    serves another app (bench/floor_app.py, which has no database)."""
    app = server.app.callable
    return app if "sqlalchemy" in getattr(app, "extensions", {}) else None


def when_ready(server) -> None:
    """In the master, before the first worker forks: compile the visitor's templates and
    serve a few pages (shop/workers.py), then move everything loaded so far out of the
    garbage collector's reach (``gc.freeze``), so a worker's collections do not copy the
    pages it shares with the master."""
    app = _shop(server)
    if app is None:
        return
    from shop.workers import warm_up

    server.log.info("App loaded in the master; %s", ", ".join(warm_up(app)))
    gc.freeze()


def post_fork(server, worker) -> None:
    """In each new worker: database connections of its own."""
    app = _shop(server)
    if app is not None:
        from shop.workers import after_fork

        after_fork(app)


def post_request(worker, req, environ, resp) -> None:
    """Replace this worker after its request once its peak memory passed ``_MAX_WORKER_MB``."""
    if not _MAX_WORKER_MB or not worker.alive:
        return
    from shop.workers import peak_resident_mb

    peak = peak_resident_mb()
    if peak > _MAX_WORKER_MB:
        worker.log.info(
            "Worker %s reached %.0f MB (over %d MB): replaced", worker.pid, peak, _MAX_WORKER_MB
        )
        worker.alive = False
