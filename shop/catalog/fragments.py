"""Parts of catalog pages rendered once per process and kept, whatever the page cache
does: product cards and the listing's filter sidebar. Both are emptied with the page
cache when the catalog version changes (shop/catalog/freshness.py).

A card's HTML depends on nothing but what it shows, so that is its key: the product's
id, slug, name and price, its facility's name, its main photo, its stock as the badge
shows it (in stock, last one, sold out: a sale that leaves the badge as it was keeps
the card), whether its photo loads lazily, the language and the script root. A changed
price, name, photo or facility name, or a sale that changes the badge, is another key,
so a kept card is never out of date: the cards on a page are exactly as fresh as the
rows the page just read. At most ``CATALOG_CARD_CACHE_SIZE`` cards (0: none).

The filter sidebar shows the query and the facet lists (categories, facilities,
provinces and a search's counts), which are kept for ``CATALOG_FACET_TTL``: a kept
sidebar is reused only with the very lists it was rendered from, so it is never older
than they are. Nothing is kept when the facet lists are not.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

from flask import current_app, request
from markupsafe import Markup

from shop.catalog.services import ListingQuery, Page, ProductCard, availability
from shop.i18n import current_locale

SIDEBARS_KEPT = 256  # ~6 KB each

_cards: OrderedDict[Hashable, Markup] = OrderedDict()
_sidebars: OrderedDict[Hashable, tuple[tuple, Markup]] = OrderedDict()
_lock = threading.Lock()


def _get(kept: OrderedDict, key: Hashable):
    with _lock:
        value = kept.get(key)
        if value is not None:
            kept.move_to_end(key)
        return value


def _put(kept: OrderedDict, key: Hashable, value, bound: int) -> None:
    with _lock:
        kept[key] = value
        while len(kept) > bound:
            kept.popitem(last=False)


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
        kept = _get(_cards, key)
        if kept is None:
            kept = render(card, lazy=lazy)
            _put(_cards, key, kept, size)
        html.append(kept)
    return Markup("").join(html)


def sidebar_html(
    query: ListingQuery, page: Page, facet_lists: tuple, render: Callable[[], str]
) -> Markup:
    """The listing's filter sidebar, ``render()``-ed from ``facet_lists`` (the category,
    facility and province lists) and the page's search facets; kept while those stay
    the very objects the facet caches hand out."""
    rendered_from = (*facet_lists, page.facets)
    if float(current_app.config["CATALOG_FACET_TTL"]) <= 0:
        return Markup(render())  # noqa: S704 (rendered by Jinja, escaped)
    key = (
        dataclasses.replace(query, page=1),
        bool(page.total),
        current_locale(),
        request.script_root,
    )
    kept = _get(_sidebars, key)
    if kept is not None and all(a is b for a, b in zip(kept[0], rendered_from, strict=True)):
        return kept[1]
    html = Markup(render())  # noqa: S704 (rendered by Jinja, escaped)
    _put(_sidebars, key, (rendered_from, html), SIDEBARS_KEPT)
    return html


def clear() -> None:
    """Forget every kept card and sidebar."""
    with _lock:
        _cards.clear()
        _sidebars.clear()
