"""A small per-process cache of rendered page parts, for a few seconds.

The catalog listing and search render the same HTML for everyone asking the same query
in the same language; keeping it for ``CATALOG_PAGE_CACHE_SECONDS`` spares the database
and the template work. Badges may lag a sale by that long; the product page, the cart
and checkout always read stock afresh. Bounded in entries, so odd queries cannot grow it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

MAX_ENTRIES = 512

_entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
_lock = threading.Lock()


def cached(key: Hashable, seconds: float, build: Callable[[], T]) -> T:
    """``build()``'s value for ``key``, rebuilt when older than ``seconds`` (0: always)."""
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
        _entries[key] = (now + seconds, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
