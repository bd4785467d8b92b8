"""Product cards rendered once per process and kept, whatever the page cache does.

A card's HTML depends on nothing but what it shows, so that is its key: the product's
id, slug, name and price, its facility's name, its main photo, its stock as the badge
shows it (in stock, last one, sold out: a sale that leaves the badge as it was keeps
the card), whether its photo loads lazily, the language and the script root. A changed
price, name, photo or facility name, or a sale that changes the badge, is another key,
so a kept card is never out of date; the cards on a page are exactly as fresh as the
rows the page just read.

Bounded to ``CATALOG_CARD_CACHE_SIZE`` cards (least recently used dropped first; 0:
off) and emptied with the page cache when the catalog version changes
(shop/catalog/freshness.py), so cards of edited products do not wait to be pushed out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

from flask import current_app, request
from markupsafe import Markup

from shop.catalog.services import ProductCard, availability
from shop.i18n import current_locale

_cards: OrderedDict[Hashable, Markup] = OrderedDict()
_lock = threading.Lock()


def cards_html(cards: Iterable[ProductCard], eager: int, render: Callable[..., Markup]) -> Markup:
    """The cards one after another, as ``render(card, lazy=…)`` (the template's card
    macro) renders them, the first ``eager`` photos not lazy; kept cards reused."""
    size = int(current_app.config["CATALOG_CARD_CACHE_SIZE"])
    if size <= 0:
        return Markup("").join(render(c, lazy=i > eager) for i, c in enumerate(cards, 1))
    where = (current_locale(), request.script_root)
    html = []
    for i, card in enumerate(cards, 1):
        lazy = i > eager
        key = (
            card.id,
            card.slug,
            card.name,
            card.price,
            availability(card),
            card.facility,
            card.main_photo,
            lazy,
            where,
        )
        with _lock:
            kept = _cards.get(key)
            if kept is not None:
                _cards.move_to_end(key)
        if kept is None:
            kept = render(card, lazy=lazy)
            with _lock:
                _cards[key] = kept
                while len(_cards) > size:
                    _cards.popitem(last=False)
        html.append(kept)
    return Markup("").join(html)


def clear() -> None:
    """Forget every kept card."""
    with _lock:
        _cards.clear()
