"""Gunicorn settings for Karya Binaan: ``gunicorn --config gunicorn.conf.py`` (``make serve``).

Every value can be changed from the environment; the defaults suit one small server
behind a reverse proxy that terminates TLS.

The timeout is the hard stop for one request: a worker still busy after it is killed and
its request answered with an error. The shop keeps its slowest request, a photo upload,
well inside it: no new photo is started after ``PHOTO_UPLOAD_SECONDS`` (20 s by default)
and one request takes at most ``PHOTO_UPLOAD_MEGAPIXELS`` (see shop/dashboard/photos.py).
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "shop:create_app()"
bind = os.environ.get("BIND") or f"127.0.0.1:{_int('PORT', 8000)}"

# WEB_CONCURRENCY is the usual name (Heroku, Render, gunicorn's own default). Each worker
# may decode a 40-megapixel photo (~250 MB at its peak), so the default stops at 8.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # to finish requests on restart
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# A worker is replaced after this many requests (with jitter so they do not all restart
# at once): memory held by the photo decoder is given back now and then.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

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
