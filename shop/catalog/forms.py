"""Reading the listing's query string into a :class:`ListingQuery`, forgivingly.

The listing is a GET form: nothing here can fail. A value that makes no sense is
dropped, with a message for the visitor saying what was ignored.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from shop.catalog.services import SORTS, ListingQuery
from shop.parsing import MAX_PAGE, parse_int, parse_rupiah

# Long enough for any real search; longer text is cut before it is used or shown.
MAX_QUERY_LENGTH = 100


def parse_listing_args(args: Mapping[str, str]) -> tuple[ListingQuery, list[str]]:
    """The listing query and messages (plain text, translated now) about ignored values.

    The messages quote what the visitor typed, so they are translated with ``gettext``
    (a ``str``, escaped by the template) and never lazily: a lazy string counts as safe
    markup in Jinja and would put the visitor's text into the page as HTML.
    """
    messages: list[str] = []
    q = " ".join(args.get("q", "")[: MAX_QUERY_LENGTH * 4].split())[:MAX_QUERY_LENGTH].strip()

    prices: dict[str, int | None] = {}
    for key in ("harga_min", "harga_max"):
        raw = args.get(key, "").strip()
        prices[key] = parse_rupiah(raw) if raw else None
        if raw and prices[key] is None:
            messages.append(
                _('"%(value)s" is not an amount in rupiah, so it was ignored.', value=raw[:30])
            )
    price_min, price_max = prices["harga_min"], prices["harga_max"]
    if price_min is not None and price_max is not None and price_min > price_max:
        price_min, price_max = price_max, price_min
        messages.append(_("The minimum price was above the maximum; we swapped them."))

    sort = args.get("urut", "").strip()
    if sort and sort not in SORTS:
        messages.append(_("Unknown sort order; showing the default order."))
        sort = ""

    raw_page = args.get("hal", "").strip()
    page = 1
    if raw_page:
        parsed = parse_int(raw_page, 1, MAX_PAGE)
        if parsed is not None:
            page = parsed
        else:
            messages.append(_("That page number does not exist; showing the first page."))

    query = ListingQuery(
        q=q,
        category=args.get("kategori", "").strip()[:80],
        facility=args.get("fasilitas", "").strip()[:120],
        province=args.get("provinsi", "").strip()[:80],
        price_min=price_min,
        price_max=price_max,
        in_stock=args.get("tersedia", "") in {"1", "on", "true"},
        sort=sort,
        page=page,
        exact=args.get("persis", "") == "1",
    )
    return query, messages


def query_args(query: ListingQuery, **changes) -> dict[str, str | int]:
    """The URL parameters of ``query`` (only those set), with ``changes`` applied.

    A change to ``None`` or ``""`` removes that parameter; used for pagination links,
    sort links and "remove this filter" links so every filter stays in the URL.
    """
    args: dict[str, str | int | None] = {
        "q": query.q,
        "kategori": query.category,
        "fasilitas": query.facility,
        "provinsi": query.province,
        "harga_min": query.price_min,
        "harga_max": query.price_max,
        "tersedia": 1 if query.in_stock else None,
        "urut": query.sort,
        "hal": query.page if query.page > 1 else None,
        "persis": 1 if query.exact else None,
    }
    args.update(changes)
    return {key: value for key, value in args.items() if value not in (None, "")}
