"""A small per-process cache of rendered page parts, for a few seconds.

The catalog listing and search render the same HTML for everyone asking the same query
in the same language; keeping it for ``CATALOG_PAGE_CACHE_SECONDS`` spares the database
and the template work. Badges may lag a sale by that long; the product page, the cart
and checkout always read stock afresh. Bounded in entries, so odd queries cannot grow it.

Each entry lives a random 80–100% of that time: pages kept at the same moment (after a
restart, a deploy or a crawl) would otherwise all expire together and be rebuilt in one
burst, with every request of the moment queued behind it.
"""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

MAX_ENTRIES = 512
SHORTEST_LIFETIME = 0.8  # of ``seconds``

_entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
_lock = threading.Lock()


def cached(key: Hashable, seconds: float, build: Callable[[], T]) -> T:
    """``build()``'s value for ``key``, rebuilt once older than ``seconds`` at most
    (0: always)."""
    if seconds <= 0:
        return build()
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
        if hit and hit[0] > now:
            _entries.move_to_end(key)
            return hit[1]  # type: ignore[return-value]
    value = build()
    with _lock:
        lifetime = seconds * random.uniform(SHORTEST_LIFETIME, 1.0)
        _entries[key] = (now + lifetime, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
