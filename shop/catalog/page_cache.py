"""A small per-process cache of rendered page parts, for a few seconds.

The catalog listing, search, home and facility pages render the same HTML for everyone
asking the same query in the same language, and a product page's body (all but its
stock and buy box) the same for every visitor of one version of it (the whole page, for
one stock level and cart count; the product's row is read on every request); keeping them for
``CATALOG_PAGE_CACHE_SECONDS`` spares the database and the template work. Bounded in
entries (product bodies in their own, larger bucket, so a crawl through products never
pushes the listings out; what searches looked up in a third, kept for the search counts'
TTL: shop/catalog/services.py), so odd queries cannot grow it.

How long a kept page may be out of date. An edit by staff or an administrator (price,
name, text, photo, publish or hide, stock set by hand, a category, a facility) raises
the catalog version (shop/catalog/freshness.py) and every process forgets all it kept:
at once in the process that made it and on product pages, within
``CATALOG_VERSION_CHECK_SECONDS`` on other processes' listings. A sale raises nothing:
a listing's or related card's stock badge may lag it by up to twice
``CATALOG_PAGE_CACHE_SECONDS`` (fresh, then stale while it is rebuilt: 20 s by
default), while the product page, the cart and checkout read stock live.

Each entry lives a random 80–100% of that time: pages kept at the same moment (after a
restart, a deploy or a crawl) would otherwise all expire together and be rebuilt in one
burst, with every request of the moment queued behind it.

Stale while revalidate: an entry past its time is still served for up to ``seconds``
more (``STALE_FOR``), and rebuilt once: inside a request, once that request's response
has been sent, by the process's one rebuild thread (:func:`run_deferred_rebuilds`,
handed over by ``response.call_on_close``), so a sync worker goes straight back to its
next request and the rebuild's waits on the database overlap with serving it; outside
a request, by the one caller that claims it while any other thread is served the stale
copy. A rebuild that fails keeps the stale copy and is logged. Past the stale
bound the entry is rebuilt before it is served. :func:`clear` forgets every entry at
once, and a rebuild that started before a clear never stores what it built.

Shared between processes: with ``CACHE_URL`` set (Redis), what one process builds is also
kept there, under the catalog version it knew, for its lifetime plus its stale window;
a process that does not hold an entry reads it there before building it, and a rebuild
first looks there for a fresh copy another process made (shop/catalog/shared_cache.py).
Each process still keeps its own copies in memory, so a kept page costs no round trip.
Redis down or slow only means each process builds its own pages, as without it.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, g, has_request_context, request

from shop.catalog import freshness, shared_cache

T = TypeVar("T")

log = logging.getLogger(__name__)

MAX_ENTRIES = 512
MAX_PRODUCT_ENTRIES = 1024  # product bodies: ~10-20 KB each in one language
MAX_SEARCH_ENTRIES = 3 * 2000  # a search's word check, its counts, its pages' ids
# Buckets of entries, each with its own bound.
PAGES, PRODUCTS, SEARCHES = "pages", "products", "searches"
SHORTEST_LIFETIME = 0.8  # of ``seconds``
STALE_FOR = 1.0  # of ``seconds``: how long past its time an entry may still be served


@dataclass(frozen=True)
class _Entry:
    fresh_until: float
    stale_until: float
    value: Any


_entries: OrderedDict[Hashable, _Entry] = OrderedDict()
_product_entries: OrderedDict[Hashable, _Entry] = OrderedDict()
_search_entries: OrderedDict[Hashable, _Entry] = OrderedDict()
_buckets = {PAGES: _entries, PRODUCTS: _product_entries, SEARCHES: _search_entries}
_bounds = {PAGES: MAX_ENTRIES, PRODUCTS: MAX_PRODUCT_ENTRIES, SEARCHES: MAX_SEARCH_ENTRIES}
_rebuilding: set[Hashable] = set()  # keys whose rebuild is claimed (deferred or running)
_generation = 0  # bumped by clear(): a rebuild begun before it is thrown away
_rebuilder: tuple[int, ThreadPoolExecutor] | None = None  # (pid, executor)
_lock = threading.Lock()


def cached(
    key: Hashable,
    seconds: float,
    build: Callable[[], T],
    bucket: str = PAGES,
    shared: bool = True,
) -> T:
    """``build()``'s value for ``key``, kept ``seconds`` (0: always built); served stale
    for up to ``seconds`` more while one rebuild runs. ``bucket``: PAGES, PRODUCTS
    (product bodies) or SEARCHES (what a search looked up), each bounded on its own.
    ``shared``: also kept in Redis when ``CACHE_URL`` is set (text values only;
    shop/catalog/shared_cache.py)."""
    if seconds <= 0:
        return build()
    now = time.monotonic()
    entries = _buckets[bucket]
    before = _generation  # read before the version: a clear in between keeps nothing read
    where = shared_cache.slot(key, freshness.known()) if shared else None
    if where is not None and not _servable(entries.get(key), now):
        found = shared_cache.get(where)  # not held here: perhaps another process has it
        if found is not None:
            _keep(key, found.fresh_for, found.servable_for, found.value, before, bucket)
            now = time.monotonic()
    with _lock:
        hit = entries.get(key)
        if hit and now < hit.stale_until:
            entries.move_to_end(key)
            if now < hit.fresh_until or key in _rebuilding:
                return hit.value
            _rebuilding.add(key)
            generation = _generation
            if _defer(lambda: _rebuild(key, seconds, build, generation, where, bucket=bucket)):
                return hit.value
        else:
            _rebuilding.discard(key)  # a claimed rebuild that never ran
            generation = _generation
            hit = None
    if hit is not None:  # no request to wait for: this caller rebuilds, others get it stale
        return _rebuild(key, seconds, build, generation, where, stale=hit.value, bucket=bucket)
    value = build()
    _store(key, seconds, value, generation, where, bucket)
    return value


def _servable(entry: _Entry | None, now: float) -> bool:
    return entry is not None and now < entry.stale_until


def _store(
    key: Hashable,
    seconds: float,
    value: object,
    generation: int,
    where: shared_cache.Slot | None = None,
    bucket: str = PAGES,
) -> None:
    """Keep a value just built, here and (``where`` given) in Redis."""
    lifetime = seconds * random.uniform(SHORTEST_LIFETIME, 1.0)
    stale_for = seconds * STALE_FOR
    kept = _keep(key, lifetime, lifetime + stale_for, value, generation, bucket)
    if kept and where is not None:
        shared_cache.put(where, value, lifetime, stale_for)


def _keep(
    key: Hashable,
    fresh_for: float,
    servable_for: float,
    value: object,
    generation: int,
    bucket: str,
) -> bool:
    """Keep ``value`` in this process; False when a clear came since ``generation``."""
    entries, bound = _buckets[bucket], _bounds[bucket]
    with _lock:
        if generation != _generation:
            return False  # cleared while it was being built: it may hold what was cleared
        now = time.monotonic()
        entries[key] = _Entry(now + fresh_for, now + servable_for, value)
        entries.move_to_end(key)
        while len(entries) > bound:
            entries.popitem(last=False)
    return True


def _rebuild(
    key,
    seconds: float,
    build: Callable[[], T],
    generation: int,
    where: shared_cache.Slot | None = None,
    stale=None,
    bucket: str = PAGES,
):
    """Build ``key`` again and keep it, unless another process already kept a fresh copy
    in Redis; on failure log and keep the stale copy."""
    try:
        found = shared_cache.get(where) if where is not None else None
        if found is not None and found.fresh_for > 0:
            _keep(key, found.fresh_for, found.servable_for, found.value, generation, bucket)
            return found.value
        value = build()
    except Exception:
        log.exception("rebuilding the cached page part %r failed; the stale copy stays", key)
        return stale
    finally:
        with _lock:
            _rebuilding.discard(key)
    _store(key, seconds, value, generation, where, bucket)
    return value


def _defer(rebuild: Callable[[], object]) -> bool:
    """Queue ``rebuild`` to run after this request's response is sent; False outside a
    request."""
    if not has_request_context() or g.get("_page_cache_after_response"):
        return False
    pending = g.get("_page_cache_rebuilds")
    if pending is None:
        pending = g._page_cache_rebuilds = []
    pending.append(rebuild)
    return True


def schedule_deferred_rebuilds(response):
    """``after_request``: hand this request's deferred rebuilds to the rebuild thread once
    its response has been sent (the WSGI server closes it after writing), to run in a
    request context like its own."""
    pending = g.pop("_page_cache_rebuilds", None)
    if pending:
        app, environ = current_app._get_current_object(), dict(request.environ)
        response.call_on_close(lambda: _hand_over(app, environ, pending))
    return response


def _hand_over(app, environ: dict, pending: list[Callable[[], object]]) -> None:
    _rebuild_thread().submit(run_deferred_rebuilds, app, environ, pending)


def _rebuild_thread() -> ThreadPoolExecutor:
    """This process's rebuild thread (made after a fork, never inherited from the master)."""
    global _rebuilder
    with _lock:
        if _rebuilder is None or _rebuilder[0] != os.getpid():
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-rebuild")
            _rebuilder = (os.getpid(), executor)
        return _rebuilder[1]


def wait_for_rebuilds(timeout: float | None = None) -> None:
    """Return once every rebuild handed over so far has run (tests): the one thread runs
    them in turn, so a no-op handed over now runs after all of them."""
    with _lock:
        rebuilder = _rebuilder
    if rebuilder is not None and rebuilder[0] == os.getpid():
        rebuilder[1].submit(lambda: None).result(timeout)


def stop_rebuild_thread() -> None:
    """Let the rebuilds handed over run, then end the thread (before the master forks its
    workers: each starts its own)."""
    global _rebuilder
    with _lock:
        rebuilder, _rebuilder = _rebuilder, None
    if rebuilder is not None:
        rebuilder[1].shutdown(wait=True)


def run_deferred_rebuilds(app, environ: dict, pending: list[Callable[[], object]]) -> None:
    with app.request_context(environ):
        g._page_cache_after_response = True  # nested entries are rebuilt here, inline
        for rebuild in pending:
            rebuild()  # logs and keeps the stale copy itself when it fails


def clear() -> None:
    """Forget every entry now; rebuilds already running keep nothing."""
    global _generation
    with _lock:
        for entries in _buckets.values():
            entries.clear()
        _rebuilding.clear()
        _generation += 1
