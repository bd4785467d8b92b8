"""The page cache's second level, shared by every process: Redis, when ``CACHE_URL`` is set.

A page part one process renders is written here as well as kept in its own memory
(shop/catalog/page_cache.py), and a process that does not hold it reads it here before
building it: a worker that has just started, or one that never rendered that product,
serves what another rendered. Each entry's Redis key carries the catalog version the
process knew when it asked (shop/catalog/freshness.py), so once a process reads a new
version (as it forgets its own pages) no older entry is reachable to it; a sale raises
no version and changes nothing here. Entries expire with Redis's TTL: their lifetime
plus their stale window.

Only text crosses: strings, ``Markup`` (kept as ``Markup``, so nothing is escaped twice),
whole pages (``KeptPage``, with their ETag), and lists and string-keyed dicts of those,
as JSON (zlib-compressed above 1 KB; never pickle: whoever can write to Redis must not
be able to run code here; it can still change pages, so Redis is trusted like the
database). Anything else stays in the process that built it.

Redis must never break a page: it is given ``CACHE_TIMEOUT_MS`` (50 ms) to connect and
to answer; a failure is logged once, and for the next ``BACK_OFF`` seconds the process
asks nothing of it and builds its pages itself, then tries again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import zlib
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from flask import current_app, has_app_context
from markupsafe import Markup

from shop.http_cache import KeptPage

log = logging.getLogger(__name__)

BACK_OFF = 5.0  # seconds without Redis after it failed
COMPRESS_FROM = 1024  # bytes of JSON; larger values are stored compressed
_JSON, _ZLIB = b"j", b"z"

_clients: dict[tuple[str, float], Any] = {}
_down_until = float("-inf")  # time.monotonic() until which Redis is left alone
_failing = False  # a failure has been logged and no success since
_lock = threading.Lock()


class NotShareable(TypeError):
    """A value that is not text, or lists and dicts of text."""


@dataclass(frozen=True)
class Slot:
    """Where one page cache entry is kept in Redis: its key within a catalog version
    (named by the key's ``repr``, the same in every process for keys of strings, bytes
    and numbers, as the page cache's are)."""

    url: str
    timeout: float  # seconds to connect, and to wait for an answer
    namespace: str
    version: int
    key: Hashable

    @cached_property
    def name(self) -> str:
        digest = hashlib.blake2b(repr(self.key).encode(), digest_size=16).hexdigest()
        return f"page:{self.namespace}:{self.version}:{digest}"


@dataclass(frozen=True)
class Found:
    fresh_for: float  # seconds from now; 0 or less: stale
    servable_for: float  # seconds from now, stale window included
    value: Any


def slot(key: Hashable, version: int | None) -> Slot | None:
    """Where ``key`` of catalog ``version`` is kept; None when there is no shared level
    (no ``CACHE_URL``, no version seen yet, or Redis backing off after a failure)."""
    if version is None or not has_app_context():
        return None
    config = current_app.config
    url = config.get("CACHE_URL")
    if not url or _backing_off():
        return None
    timeout = float(config["CACHE_TIMEOUT_MS"]) / 1000
    return Slot(url, timeout, _namespace(config["SQLALCHEMY_DATABASE_URI"]), version, key)


@lru_cache(maxsize=8)
def _namespace(database_url: str) -> str:
    """Shops on different databases (staging beside production) never share entries."""
    return hashlib.blake2b(database_url.encode(), digest_size=6).hexdigest()


def get(where: Slot) -> Found | None:
    """The entry kept at ``where``, or None (missing, expired, or Redis failing)."""
    if _backing_off():
        return None
    try:
        blob = _client(where).get(where.name)
    except Exception as error:  # Redis down, slow or refusing: build locally
        _failed(error)
        return None
    _answered()
    if blob is None:
        return None
    try:
        data = zlib.decompress(blob[1:]) if blob[:1] == _ZLIB else blob[1:]
        fresh_until, stale_until, encoded = json.loads(data)
        value = _decode(encoded)
    except (ValueError, TypeError, KeyError, zlib.error):
        log.exception("the shared page cache's entry %s is unreadable; built again", where.name)
        return None
    now = time.time()
    if now >= stale_until:
        return None
    return Found(fresh_until - now, stale_until - now, value)


def put(where: Slot, value: object, fresh_for: float, stale_for: float) -> None:
    """Keep ``value`` at ``where`` for ``fresh_for`` seconds, then ``stale_for`` more."""
    if _backing_off():
        return
    try:
        encoded = _encode(value)
    except NotShareable:
        log.debug("%r is not shared: its value is not text", where.key)
        return
    now = time.time()
    data = json.dumps([now + fresh_for, now + fresh_for + stale_for, encoded]).encode()
    blob = _ZLIB + zlib.compress(data, 1) if len(data) > COMPRESS_FROM else _JSON + data
    try:
        _client(where).set(where.name, blob, px=max(1, int((fresh_for + stale_for) * 1000)))
    except Exception as error:
        _failed(error)
        return
    _answered()


def _backing_off() -> bool:
    return time.monotonic() < _down_until


def _client(where: Slot):
    client = _clients.get((where.url, where.timeout))
    if client is None:
        import redis  # only in processes that use it

        client = redis.Redis.from_url(
            where.url, socket_connect_timeout=where.timeout, socket_timeout=where.timeout
        )
        client = _clients.setdefault((where.url, where.timeout), client)
    return client


def _failed(error: Exception) -> None:
    global _down_until, _failing
    with _lock:
        _down_until = time.monotonic() + BACK_OFF
        first, _failing = not _failing, True
    if first:
        log.warning(
            "the shared page cache (CACHE_URL) failed (%s); pages are built in each "
            "process, and Redis is tried again every %.0f s",
            error,
            BACK_OFF,
        )


def _answered() -> None:
    global _failing
    if _failing:
        _failing = False
        log.warning("the shared page cache (CACHE_URL) answers again")


def reset() -> None:
    """Forget clients and failures (tests; a process that changed ``CACHE_URL``)."""
    global _down_until, _failing
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
        _down_until, _failing = float("-inf"), False


def _encode(value: object) -> object:
    if isinstance(value, KeptPage):
        return {"p": [value.body.decode(), value.etag]}
    if isinstance(value, Markup):
        return {"m": str(value)}
    if value is None or type(value) is str:
        return value
    if type(value) is list:
        return [_encode(item) for item in value]
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return {"d": {k: _encode(v) for k, v in value.items()}}
    raise NotShareable(type(value).__name__)


def _decode(encoded: object) -> Any:
    if isinstance(encoded, list):
        return [_decode(item) for item in encoded]
    if isinstance(encoded, dict):
        if "m" in encoded:
            return Markup(encoded["m"])  # noqa: S704 - HTML this shop rendered (_encode)
        if "p" in encoded:
            body, etag = encoded["p"]
            return KeptPage(body.encode(), etag)
        return {k: _decode(v) for k, v in encoded["d"].items()}
    return encoded
