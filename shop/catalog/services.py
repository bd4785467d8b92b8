"""Public catalog queries and the money breakdown of a sale.

Every page is served by a small, constant number of statements: products come with
their facility and category joined and their photos in one ``selectinload``; the facet
lists (categories, facilities, provinces) are one grouped query each and may be cached
in-process for ``CATALOG_FACET_TTL`` seconds, then served stale while one rebuild runs
(they are not state that matters).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import (
    CTE,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from shop.catalog import page_cache
from shop.catalog.freshness import version_column
from shop.catalog.models import FACET_COLUMNS_INDEX, PRICE_BANDS, Category, Product
from shop.catalog.search import FTS_FACETS, Search, build_search, synonyms_stamp, tokenize
from shop.extensions import db
from shop.facilities.models import Facility
from shop.ledger.allocation import allocate
from shop.media.models import ProductPhoto
from shop.sqltypes import UTCDateTime, utcnow

if TYPE_CHECKING:
    from shop.facilities.services import Split

SORTS = ("relevan", "terbaru", "harga_naik", "harga_turun")
DEFAULT_SORT = "terbaru"
# A search counts its matches exactly up to this many; past it the page says "more than".
COUNT_BOUND = 1000


# --------------------------------------------------------------------------- money


@dataclass(frozen=True)
class MoneySplit:
    """Where the money of one sale goes; every amount in integer rupiah."""

    price: int
    material_cost: int
    profit: int
    premi: int
    pnbp: int
    capital: int
    premi_pct: int
    pnbp_pct: int
    capital_pct: int


def split_sale(
    price: int, material_cost: int, premi_pct: int, pnbp_pct: int, capital_pct: int
) -> MoneySplit:
    """Split the profit (price − material cost) by the facility's percentages.

    Shares are rounded down and the rupiah left over go to the largest remainders
    (ties in the order premi, PNBP, capital), so the three shares add up to the profit
    exactly. A material cost above the price leaves no profit to share.
    """
    if premi_pct + pnbp_pct + capital_pct != 100:
        raise ValueError("the three percentages must add up to 100")
    material = min(max(material_cost, 0), price)
    profit = price - material
    pcts = (premi_pct, pnbp_pct, capital_pct)
    shares = allocate(profit, pcts)
    return MoneySplit(price, material, profit, *shares, *pcts)


def split_today(facility_id: int, ttl: float = 0) -> Split:
    """The split in force for the facility now (kept ``ttl`` seconds per facility and
    Jakarta day; a split edit clears it with the catalog version)."""
    from shop.facilities.services import jakarta_date, split_now

    key = f"split:{facility_id}:{jakarta_date(utcnow())}"
    return _cached(key, ttl, lambda: split_now(facility_id))


def split_for(product: Product, ttl: float = 0) -> MoneySplit:
    """The breakdown of a sale of ``product`` today, by :func:`split_today`."""
    s = split_today(product.facility_id, ttl)
    return split_sale(product.price, product.material_cost, s.premi_pct, s.pnbp_pct, s.capital_pct)


# --------------------------------------------------------------------------- availability


def availability(product: Product) -> str:
    """``"in_stock"``, ``"last_one"`` or ``"sold_out"``."""
    available = product.available
    if available <= 0:
        return "sold_out"
    return "last_one" if available == 1 else "in_stock"


# --------------------------------------------------------------------------- facets (cached)


@dataclass(frozen=True)
class CategoryFacet:
    slug: str
    name_id: str
    name_en: str
    count: int

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id


@dataclass(frozen=True)
class FacilityFacet:
    slug: str
    name: str
    kind: str
    city: str
    province: str
    count: int


@dataclass(frozen=True)
class ProvinceFacet:
    name: str
    count: int


T = TypeVar("T")


def _kept_search(key: tuple, ttl: float, load: Callable[[], T]) -> T:
    """What a search looks up before its page is read, kept ``ttl`` seconds in the page
    cache's SEARCHES bucket (served stale for as long again while one rebuild runs after
    the response, forgotten with the catalog version, as kept pages are): the words
    checked and widened (:func:`build_search`), the count and facets, the ids of a plain
    page. A warm search then reads only its page's cards."""
    # Objects (word checks, counts, ids), kept per process: never shared through Redis.
    return page_cache.cached(key, ttl, load, page_cache.SEARCHES, shared=False)


def clear_cache() -> None:
    """Forget the facet lists, and every kept page and search (:mod:`page_cache`)."""
    page_cache.clear()


def _cached(key: str, ttl: float, load: Callable[[], T]) -> T:
    """A facet list (or a facility's split) kept ``ttl`` seconds in the page cache, as
    kept pages are: once expired it is served for as long again while one rebuild runs
    after the response, so no request waits for the counts over the whole catalog
    (20-60 ms at 100,000 products); forgotten with the catalog version."""
    # Objects, kept per process: never shared through Redis.
    return page_cache.cached(("facets", key), ttl, load, page_cache.PAGES, shared=False)


# For sale: published by its facility and not hidden by an administrator.
_ACTIVE = (Product.status == "active") & Product.hidden_at.is_(None)


def _active_counts(column) -> Subquery:
    """Active products per value of ``column`` (``key``, ``n``), counted on the
    ``(status, column)`` index alone; joined to the product table instead, PostgreSQL
    reads every row (50 ms per facet list at 50,000 products, 9 ms like this)."""
    return (
        select(column.label("key"), func.count().label("n"))
        .where(_ACTIVE)
        .group_by(column)
        .subquery()
    )


def category_facets(ttl: float = 0) -> list[CategoryFacet]:
    """Every category with its number of active products (one query)."""

    def load() -> list[CategoryFacet]:
        counts = _active_counts(Product.category_id)
        rows = db.session.execute(
            select(Category.slug, Category.name_id, Category.name_en, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.key == Category.id)
            .order_by(Category.position, Category.name_id)
        )
        return [CategoryFacet(*row) for row in rows]

    return _cached("categories", ttl, load)


def facility_facets(ttl: float = 0) -> list[FacilityFacet]:
    """Every facility with its number of active products (one query)."""

    def load() -> list[FacilityFacet]:
        counts = _active_counts(Product.facility_id)
        columns = (Facility.slug, Facility.name, Facility.kind, Facility.city, Facility.province)
        rows = db.session.execute(
            select(*columns, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.key == Facility.id)
            .where(Facility.active)
            .order_by(Facility.province, Facility.name)
        )
        return [FacilityFacet(*row) for row in rows]

    return _cached("facilities", ttl, load)


def province_facets(ttl: float = 0) -> list[ProvinceFacet]:
    """Provinces that have active products, with counts (one query)."""

    def load() -> list[ProvinceFacet]:
        counts = _active_counts(Product.facility_id)
        rows = db.session.execute(
            select(Facility.province, func.sum(counts.c.n))
            .join(counts, counts.c.key == Facility.id)
            .group_by(Facility.province)
            .order_by(Facility.province)
        )
        return [ProvinceFacet(province, int(n)) for province, n in rows]

    return _cached("provinces", ttl, load)


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class ListingQuery:
    """What the visitor asked the listing for (already validated)."""

    q: str = ""
    category: str = ""
    facility: str = ""
    province: str = ""
    price_min: int | None = None
    price_max: int | None = None
    in_stock: bool = False
    sort: str = ""
    page: int = 1
    # Search the words as typed: no correction of misspellings ("search instead for").
    exact: bool = False

    @property
    def effective_sort(self) -> str:
        if self.sort == "relevan" and not self.q:
            return DEFAULT_SORT
        return self.sort or ("relevan" if self.q else DEFAULT_SORT)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.category
            or self.facility
            or self.province
            or self.price_min is not None
            or self.price_max is not None
            or self.in_stock
        )


@dataclass(frozen=True)
class PriceFacet:
    low: int | None
    high: int | None
    count: int


@dataclass(frozen=True)
class SearchFacets:
    """What a search's matches hold, counted over at most ``COUNT_BOUND`` + 1 of them.

    Each list counts the matches under the other filters of the query (so choosing a
    category still shows how many the other categories have); ``exact`` is False when
    the search matched more than the bound: the counts, partial or not read at all, are
    then not shown (the page lists the options without numbers).
    """

    categories: dict[str, int]
    facilities: dict[str, int]
    prices: list[PriceFacet]
    exact: bool


@dataclass
class Page:
    items: list[ProductCard]
    page: int
    per_page: int
    total: int
    requested_page: int = 1
    searched_tokens: list[str] = field(default_factory=list)
    # A plain search reads one page at a time: ``more`` says matches follow this page
    # (only told when the count stopped at COUNT_BOUND).
    more: bool = False
    # A search: ``capped`` when more than COUNT_BOUND products match (``total`` is then
    # COUNT_BOUND + 1), misspelt words and the catalog words searched instead, words of
    # the catalog and the near words also searched (listed after), facets.
    capped: bool = False
    corrected: dict[str, str] = field(default_factory=dict)
    near: dict[str, tuple[str, ...]] = field(default_factory=dict)
    facets: SearchFacets | None = None

    @property
    def pages(self) -> int:
        exact = max(1, math.ceil(self.total / self.per_page))
        if self.capped:  # more than COUNT_BOUND: one page more is always offered
            return max(exact, self.page + 1)
        if self.more:
            return self.page + 1
        return exact

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, radius: int = 2) -> list[int | None]:
        """Page numbers to link: first, last and ``radius`` around the current; None = gap."""
        shown = sorted({1, self.pages, *range(self.page - radius, self.page + radius + 1)})
        numbers: list[int | None] = []
        for n in shown:
            if 1 <= n <= self.pages:
                if numbers and n - (numbers[-1] or 0) > 1:
                    numbers.append(None)
                numbers.append(n)
        if self.more:
            numbers.append(None)
        return numbers

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)


def _unfaceted(stmt: Select, query: ListingQuery) -> Select:
    """``stmt`` restricted by the filters of ``query`` that facets do not count
    (province, stock)."""
    if query.province:  # the product's copy, so that one index gives a page in order
        stmt = stmt.where(Product.province == query.province)
    if query.in_stock:
        stmt = stmt.where(Product.on_hand > Product.allocated)
    return stmt


def _filtered(stmt: Select, query: ListingQuery) -> Select:
    """``stmt`` restricted to active products matching the filters of ``query``."""
    stmt = _unfaceted(stmt.where(_ACTIVE), query)
    if query.category:
        stmt = stmt.where(
            Product.category_id
            == select(Category.id).where(Category.slug == query.category).scalar_subquery()
        )
    if query.facility:
        stmt = stmt.where(
            Product.facility_id
            == select(Facility.id).where(Facility.slug == query.facility).scalar_subquery()
        )
    return stmt.where(*_price_terms(query))


def _price_terms(query: ListingQuery) -> list[ColumnElement]:
    """The conditions of the query's price range.

    Newest first, with no other filter, a range inside one price band names the band, so
    that the band's index reads the page in order instead of skipping every product
    outside the range; the bounds that the band already implies are left out (a facet
    link is the band alone). Sorted by price, the price index reads just the range, in
    order; with a search, category, facility or province, their own index serves.
    """
    low, high = query.price_min, query.price_max
    by_price = query.sort in ("harga_naik", "harga_turun")
    narrowed = query.q or query.category or query.facility or query.province
    band = None if by_price or narrowed else price_band_holding(low, high)
    if band is None:
        return [
            *([Product.price >= low] if low is not None else []),
            *([Product.price <= high] if high is not None else []),
        ]
    band_low, band_high = PRICE_BANDS[band]
    # Written into the SQL: a prepared statement's generic plan would not know the range
    # is narrow and would take the price index, looking every row up for its band
    # (20 ms at 50,000 products on PostgreSQL).
    terms = [Product.price_band == _written_in(band)]
    if low is not None and low > (band_low or 1):
        terms.append(Product.price >= _written_in(low))
    if high is not None and (band_high is None or high < band_high - 1):
        terms.append(Product.price <= _written_in(high))
    return terms


def _written_in(number: int) -> ColumnElement:
    """``number`` rendered into the statement's text instead of bound (an int, so safe)."""
    return bindparam(None, int(number), type_=Integer, literal_execute=True)


def price_band_holding(price_min: int | None, price_max: int | None) -> int | None:
    """The one price band (PRICE_BANDS) the range ``price_min``–``price_max``, both
    included, lies in: a band's facet link, or any range inside one; None otherwise."""
    for i, (low, high) in enumerate(PRICE_BANDS):
        from_inside = low is None or (price_min is not None and price_min >= low)
        to_inside = high is None or (price_max is not None and price_max < high)
        if from_inside and to_inside:
            return i
    return None


def _order(sort: str, rank: tuple | None) -> tuple:
    if sort == "relevan" and rank is not None:
        return (*rank, Product.id.desc())
    if sort == "harga_naik":
        return (Product.price.asc(), Product.id.asc())
    if sort == "harga_turun":
        return (Product.price.desc(), Product.id.desc())
    return (Product.created_at.desc(), Product.id.desc())


def facet_total(
    query: ListingQuery, categories: list[CategoryFacet], facilities: list[FacilityFacet]
) -> int | None:
    """The number of products ``query`` lists, when the facet counts already say it.

    True for the whole catalog and for one category or one facility without a search or
    other filters: those are the facet counts the page shows anyway, so the listing need
    not count tens of thousands of rows again on every request (they may be as old as the
    facet cache, ``CATALOG_FACET_TTL``; the products and their stock are always fresh).
    """
    if query.q or query.province or query.in_stock:
        return None
    if query.price_min is not None or query.price_max is not None:
        return None
    if query.category and query.facility:
        return None
    if query.category:
        return next((c.count for c in categories if c.slug == query.category), 0)
    if query.facility:
        return next((f.count for f in facilities if f.slug == query.facility), 0)
    return sum(c.count for c in categories)


def _kind(letter: str) -> ColumnElement:
    """A constant column naming the branch of the facet statement (a fixed letter)."""
    return literal_column(f"'{letter}'")


def _facet_columns_of(ids, counted: CTE) -> Select:
    """The facet columns of the products ``ids``, on SQLite, read from the index holding
    them alone (``INDEXED BY``: SQLite would look each id up in the table, whose wide rows
    make a thousand lookups cost twice as much, 2.3 against 1.3 ms at 100,000 products).

    Read only when ``counted`` (the number of ``ids``, at most ``COUNT_BOUND`` + 1) is
    within the bound: past it the facets are shown without numbers, and counting the ids
    alone costs a tenth of looking a thousand of them up (0.05-0.17 against 0.8 ms at
    100,000 products). ``CROSS JOIN`` keeps the count outermost, so a search past the
    bound never reads a row."""
    return (
        select(
            literal_column("category_id"),
            literal_column("facility_id"),
            literal_column("price"),
            literal_column("price_band").label("band"),
        )
        .add_cte(counted)
        .select_from(text(f"{counted.name} CROSS JOIN product INDEXED BY {FACET_COLUMNS_INDEX}"))
        .where(literal_column(f"{counted.name}.n") <= COUNT_BOUND, literal_column("id").in_(ids))
    )


def search_facets(search: Search, query: ListingQuery) -> tuple[SearchFacets, int | None]:
    """Facets of a search and the number of products the whole query lists, in one
    statement over at most ``COUNT_BOUND`` + 1 matches (grouped in the database, a few
    dozen rows come back). The total is None when the search has more matches than the
    bound and the query also filters by category, facility or price: the caller counts
    those, again up to the bound.

    The matches are read under the filters that facets do not show (province, stock);
    each facet is counted under the query's other facet filters (choosing a category
    still shows how many the other categories have).
    """
    dialect = db.engine.dialect.name
    bound = COUNT_BOUND
    columns = select(
        Product.category_id, Product.facility_id, Product.price, Product.price_band.label("band")
    )
    counted = None  # on SQLite, the number of matches (up to the bound + 1), read first
    plain = not (query.province or query.in_stock)
    if dialect == "postgresql":
        # Any bound + 1 matches will do (past the bound the facets are not shown with
        # numbers), so no order: PostgreSQL reads the first matches it finds, in one pass
        # (a seq scan stopping at the bound for a common word, the GIN index for a rare
        # one) instead of walking the newest ids and looking each row up again (2-3×).
        matches = _unfaceted(search.restrict(columns.where(_ACTIVE), dialect), query)
        matches = matches.limit(bound + 1)
        if plain:
            expected, scanned = _planned(matches)
            if _surely_capped(search, query, expected):
                bands = [PriceFacet(low, high, 0) for low, high in PRICE_BANDS]
                return SearchFacets({}, {}, bands, exact=False), bound + 1
            if scanned or (len(search.tokens) > 1 and expected >= bound / 2):
                matches = _probed(search, matches)
    else:
        ids = search.match_ids(dialect, limit=bound + 1 if plain else None)
        # The matches are products for sale already: checking status here too would let
        # SQLite walk every active product by its status index (15 ms at 100,000)
        # instead of looking up the thousand ids.
        if plain:
            counted = (
                select(func.count().label("n"))
                .select_from(ids.subquery())
                .cte("matched")
                .prefix_with("MATERIALIZED")
            )
            matches = _facet_columns_of(ids, counted)
        else:
            matches = _unfaceted(columns.where(Product.id.in_(ids)), query).limit(bound + 1)
    m = matches.cte("matches").prefix_with("MATERIALIZED")
    by = {
        "category": (
            m.c.category_id
            == select(Category.id).where(Category.slug == query.category).scalar_subquery()
            if query.category
            else None
        ),
        "facility": (
            m.c.facility_id
            == select(Facility.id).where(Facility.slug == query.facility).scalar_subquery()
            if query.facility
            else None
        ),
        "price": and_(
            true(),
            *([m.c.price >= query.price_min] if query.price_min is not None else []),
            *([m.c.price <= query.price_max] if query.price_max is not None else []),
        ),
    }

    def others(leave_out: str) -> list[ColumnElement]:
        return [c for name, c in by.items() if name != leave_out and c is not None]

    if counted is None:
        counted = select(func.count().label("n")).select_from(m).cte("matched")
        counted = counted.prefix_with("MATERIALIZED")
    # Past the bound no facet is counted, as none is shown: grouping 1,001 rows three ways
    # costs PostgreSQL ~1 ms (SQLite's plain searches do not even read them,
    # :func:`_facet_columns_of`).
    within = select(counted.c.n).scalar_subquery() <= bound

    branches = [
        select(_kind("c"), Category.slug, func.count())
        .select_from(m)
        .join(Category, Category.id == m.c.category_id)
        .where(*others("category"), within)
        .group_by(Category.slug),
        select(_kind("f"), Facility.slug, func.count())
        .select_from(m)
        .join(Facility, Facility.id == m.c.facility_id)
        .where(*others("facility"), within)
        .group_by(Facility.slug),
        select(_kind("p"), cast(m.c.band, String), func.count())
        .select_from(m)
        .where(*others("price"), within)
        .group_by(m.c.band),
        select(_kind("t"), literal_column("''"), func.count()).select_from(m).where(*others("")),
        select(_kind("n"), literal_column("''"), counted.c.n),
    ]
    categories: dict[str, int] = {}
    facilities: dict[str, int] = {}
    prices = [0] * len(PRICE_BANDS)
    total = matched = 0
    for which, key, n in db.session.execute(union_all(*branches)):
        if which == "c":
            categories[key] = n
        elif which == "f":
            facilities[key] = n
        elif which == "p":
            prices[int(key)] = n
        elif which == "t":
            total = n
        else:
            matched = n
    exact = matched <= bound
    facets = SearchFacets(
        categories,
        facilities,
        [PriceFacet(low, high, n) for (low, high), n in zip(PRICE_BANDS, prices, strict=True)],
        exact,
    )
    narrowed = (
        query.category
        or query.facility
        or query.price_min is not None
        or query.price_max is not None
    )
    if not exact and narrowed:
        return facets, None
    return facets, (total if exact else bound + 1)


# A plain one-word search PostgreSQL's statistics expect this many times COUNT_BOUND
# matches for is "more than COUNT_BOUND" without reading them (:func:`_surely_capped`).
CAPPED_ESTIMATE = 5


# Where PostgreSQL would scan ``product`` for a search's matches, or expects at least
# half the bound of them for several words, they are first looked for among this many
# rows of their narrow copy (``search.FTS_FACETS``, :func:`_probed`).
PROBED_ROWS = 15_000


def _probed(search: Search, fallback: Select) -> Select:
    """The bound + 1 first matches of ``search`` among the first PROBED_ROWS rows of the
    products for sale's narrow copy, or all its matches when the copy is no longer; else
    (words that seldom meet) ``fallback``'s, read through ``product``'s GIN index.

    Scanning the copy finds the bound + 1 matches of words in one product of 15 or more
    2-3× sooner than scanning ``product`` (two common words at 100,000 products: 1,001
    matches ~4 ms instead of ~9), and sooner than the GIN index, whose bitmap of two
    common prefixed words alone takes 6-10 ms. It is bounded, so words that seldom meet,
    which the planner may think common, cost at most PROBED_ROWS rows more (~9 ms)."""
    bound = COUNT_BOUND
    probe = search.facet_rows(among=PROBED_ROWS).limit(bound + 1).cte("probe")
    probe = probe.prefix_with("MATERIALIZED")
    probed = select(literal_column("1")).select_from(FTS_FACETS).limit(PROBED_ROWS).subquery()
    settled = (
        select(
            (select(func.count()).select_from(probe).scalar_subquery() > bound)
            | (select(func.count()).select_from(probed).scalar_subquery() < PROBED_ROWS)
        )
        .cte("settled")
        .prefix_with("MATERIALIZED")
    )
    is_settled = select(settled).scalar_subquery()
    return union_all(select(probe).where(is_settled), fallback.where(~is_settled))


def _planned(matches: Select) -> tuple[float, bool]:
    """How many rows PostgreSQL's planner expects ``matches`` (a search's matches in
    ``product``, up to the bound) to find before the bound, and whether it would scan
    ``product`` for them (one EXPLAIN, no row read).

    The choice of where to look is made on ``product``: on the narrow copy the planner
    would count a row's word test as almost free and scan it for rarer words too, 2-5×
    slower there than the GIN index (5 % of products: 20,000 rows).
    """
    compiled = matches.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    plan = db.session.connection().exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}").scalar()
    (scan,) = plan[0]["Plan"]["Plans"]  # under the Limit
    return scan["Plan Rows"], scan["Node Type"] == "Seq Scan"


def _surely_capped(search: Search, query: ListingQuery, expected: float) -> bool:
    """Whether PostgreSQL's planner ``expected`` a plain search of one word to match more
    than CAPPED_ESTIMATE × COUNT_BOUND products for sale: then the page says "more than
    COUNT_BOUND" at the cost of planning one statement (facets past the bound are shown
    without numbers anyway), instead of reading COUNT_BOUND + 1 matches.

    One word only: its frequency comes from the statistics of the column's most common
    words and is close; for several words the planner multiplies their frequencies as if
    unrelated, which may promise thousands of matches for words that never meet
    ("kain kayu"), so those are counted.
    """
    if len(search.tokens) != 1 or search.widened or query.has_filters:
        return False
    return expected >= CAPPED_ESTIMATE * COUNT_BOUND


def cached_search(q: str, exact: bool, ttl: float) -> Search | None:
    """:func:`build_search` (its word check, corrections and near words), kept ``ttl``
    seconds per the visitor's words and synonyms file."""
    tokens = tuple(tokenize(q))
    key = ("search", tokens, exact, synonyms_stamp())
    return _kept_search(key, ttl, lambda: build_search(q, correct=not exact))


def cached_search_facets(
    search: Search, query: ListingQuery, ttl: float
) -> tuple[SearchFacets, int | None]:
    """:func:`search_facets`, kept ``ttl`` seconds per search and filters (not per page or
    sort). Reading up to COUNT_BOUND + 1 matches costs ~10 ms for a common word at
    100,000 products on PostgreSQL; a popular search pays it once per ``ttl``. The
    products listed are always read afresh; only the counts may be that old, as the
    listing's own total already may (:func:`facet_total`)."""
    key = (
        "facets",
        search.key,
        query.category,
        query.facility,
        query.province,
        query.price_min,
        query.price_max,
        query.in_stock,
    )
    return _kept_search(key, ttl, lambda: search_facets(search, query))


def list_products(
    query: ListingQuery, per_page: int, total: int | None = None, facet_ttl: float = 0
) -> Page:
    """One page of active products matching ``query`` (two statements plus photos;
    a search adds its word check and its facets).

    ``total``, when the caller knows it (:func:`facet_total`), spares the count.
    A page beyond the last one answers the last page (``requested_page`` keeps what was
    asked, so the view can say so). A search's total is exact up to ``COUNT_BOUND``
    (``capped`` past it), so no search reads every match to count them.
    """
    dialect = db.engine.dialect.name
    search = cached_search(query.q, query.exact, facet_ttl) if query.q else None
    facets = None
    if search:
        facets, total = cached_search_facets(search, query, facet_ttl)
    if search and not query.has_filters and query.effective_sort == "relevan":
        return _plain_search_page(search, query.page, per_page, facets, total, facet_ttl)

    if total is None:
        count_stmt = _filtered(select(Product.id), query)
        if search:
            count_stmt = search.restrict(count_stmt, dialect).limit(COUNT_BOUND + 1)
        total = db.session.scalar(select(func.count()).select_from(count_stmt.subquery())) or 0
    capped = bool(search) and total > COUNT_BOUND
    pages = max(1, math.ceil(total / per_page))
    if capped:
        pages = max(pages, query.page)
    page = min(max(query.page, 1), pages)
    offset = (page - 1) * per_page
    items: list[ProductCard] = []
    if total and search and query.effective_sort == "relevan":
        items_stmt, rank = search.apply(_filtered(card_select(), query), dialect)
        items = cards(items_stmt.order_by(*_order("relevan", rank)).limit(per_page).offset(offset))
    elif total:
        # Deferred join: the page's ids are found on the narrow index alone, then only
        # those rows are read with their facility (a deep page skipped 36,000 joined
        # rows: 58 ms at page 1,500 of 50,000 products on SQLite).
        order = _order(query.effective_sort, None)
        ids = _filtered(select(Product.id), query)
        if search:
            ids = search.restrict(ids, dialect)
        ids = ids.order_by(*order).limit(per_page).offset(offset)
        items = cards(card_select().where(Product.id.in_(ids)).order_by(*order))
    return Page(
        items=items,
        page=page,
        per_page=per_page,
        total=total,
        requested_page=query.page,
        searched_tokens=search.tokens if search else [],
        capped=capped,
        corrected=search.corrected if search else {},
        near=search.near if search else {},
        facets=facets,
    )


def _still_for_sale() -> ColumnElement:
    """Whether rows found by their ids are still for sale, written so that no index on
    ``status`` can be used: SQLite would walk every active product by one (20 ms at
    100,000) instead of looking the ids up."""
    return (func.coalesce(Product.status, "") == "active") & Product.hidden_at.is_(None)


def _plain_search_ids(
    search: Search, requested: int, per_page: int, matched: int
) -> tuple[int, list[int], bool]:
    """The page number shown, its ids and whether more follow (:func:`_plain_search_page`)."""
    dialect = db.engine.dialect.name
    page = max(requested, 1)
    ids, more = search.named_first_ids(dialect, (page - 1) * per_page, per_page)
    if not ids and page > 1:  # past the end: the last page, as the listing does
        total = matched if matched <= COUNT_BOUND else search.count(dialect)
        page = max(1, math.ceil(total / per_page))
        ids, more = search.named_first_ids(dialect, (page - 1) * per_page, per_page)
    return page, ids, more


def _plain_search_page(
    search: Search,
    requested: int,
    per_page: int,
    facets: SearchFacets,
    matched: int,
    ttl: float = 0,
) -> Page:
    """A search without filters, by relevance: products named with every word first
    (:meth:`Search.named_first_ids`). Only this page is read; ``matched`` (from the
    facets, exact up to COUNT_BOUND) says how many there are in all. The page's ids
    are kept ``ttl`` seconds like the counts; its cards are read afresh, for sale only (a
    product unpublished since is left out until the kept ids are forgotten)."""
    page, ids, more = _kept_search(
        ("page", search.key, requested, per_page),
        ttl,
        lambda: _plain_search_ids(search, requested, per_page, matched),
    )
    items: list[ProductCard] = []
    if ids:
        rows = cards(card_select().where(Product.id.in_(ids), _still_for_sale()))
        by_id = {card.id: card for card in rows}
        items = [by_id[i] for i in ids if i in by_id]
    if not more:  # the last page: the matches are counted to the end, whatever was kept
        matched = (page - 1) * per_page + len(items)
    capped = matched > COUNT_BOUND
    return Page(
        items=items,
        page=page,
        per_page=per_page,
        total=matched,
        requested_page=requested,
        searched_tokens=search.tokens,
        more=more and capped,
        capped=capped,
        corrected=search.corrected,
        near=search.near,
        facets=facets,
    )


# --------------------------------------------------------------------------- suggestions

SUGGESTIONS = 8


def suggestions(q: str, locale: str, limit: int = SUGGESTIONS) -> list[str]:
    """Completions of what the visitor is typing: category names (in ``locale``) with a
    word starting with the last typed word and holding the others, then names of products
    for sale that hold every word (the last as a prefix), newest first; two statements."""
    tokens = tokenize(q)
    if not tokens or len(tokens[-1]) < 2:
        return []
    found: list[str] = []
    for category in db.session.scalars(select(Category).order_by(Category.position)):
        name = category.name(locale)
        words = tokenize(name)
        if all(any(w.startswith(t) for w in words) for t in tokens):
            found.append(name)
    dialect = db.engine.dialect.name
    ids = Search(tokens)._ids(dialect, (False, True), offset=0, limit=limit * 2)
    if ids:
        names = db.session.scalars(
            select(Product.name).where(Product.id.in_(ids)).order_by(Product.id.desc())
        )
        for name in names:
            if name not in found:
                found.append(name)
    return found[:limit]


# --------------------------------------------------------------------------- pages


def featured_products(limit: int = 8) -> list[ProductCard]:
    """The newest active products that have a photo (newest of all when none has)."""
    has_photo = ProductPhoto.id.is_not(None)  # the main photo, outer-joined
    base = card_select().where(_ACTIVE)
    order = (Product.created_at.desc(), Product.id.desc())
    items = cards(base.where(has_photo).order_by(*order).limit(limit))
    if not items:
        items = cards(base.order_by(*order).limit(limit))
    return items


# Built once, as the stock read below: the loader options cost more to compose than the
# statement takes to run.
_PRODUCT_BY_SLUG = (
    select(Product)
    .where(Product.slug == bindparam("slug"))
    .options(
        joinedload(Product.facility, innerjoin=True),
        joinedload(Product.category, innerjoin=True),
        joinedload(Product.photos),
    )
)


def get_product(slug: str) -> Product | None:
    """A product by slug in any status, with what its page shows loaded: one statement
    (its few photos joined, rather than read by a second)."""
    return db.session.scalars(_PRODUCT_BY_SLUG, {"slug": slug}).unique().one_or_none()


@dataclass(frozen=True)
class ProductStock:
    """What the product page reads live on every request: which version of the product
    its kept body belongs to, the stock and buy box, and the catalog version."""

    id: int
    version: int
    status: str
    hidden: bool
    on_hand: int
    allocated: int
    one_of_a_kind: bool
    catalog_version: int

    @property
    def for_sale(self) -> bool:
        return self.status == "active" and not self.hidden

    @property
    def available(self) -> int:
        return max(self.on_hand - self.allocated, 0)


# Built once: composing the statement costs more than running it on a hot product page.
_STOCK_BY_SLUG = select(
    Product.id,
    Product.version,
    Product.status,
    Product.hidden_at,
    Product.on_hand,
    Product.allocated,
    Product.one_of_a_kind,
    version_column(),
).where(Product.slug == bindparam("slug"))


def product_stock(slug: str) -> ProductStock | None:
    """A product's live row by slug, with the catalog version: one small statement, on a
    pooled connection of its own (no ORM session is opened for a kept product page)."""
    with db.engine.connect() as connection:
        row = connection.execute(_STOCK_BY_SLUG, {"slug": slug}).first()
    if row is None:
        return None
    return ProductStock(
        row.id,
        row.version,
        row.status,
        row.hidden_at is not None,
        row.on_hand,
        row.allocated,
        row.one_of_a_kind,
        row.v or 0,
    )


@dataclass(frozen=True)
class CardPhoto:
    """The main photo of a product card: what ``picture()`` reads."""

    content_hash: str
    width: int
    height: int
    widths: tuple[int, ...]
    alt_text: str


@dataclass(frozen=True)
class CardFacility:
    name: str


@dataclass(frozen=True)
class ProductCard:
    """What a product card shows, read by one Core SELECT (no ORM objects, nothing to
    load later), so a list of them can be kept between requests."""

    id: int
    slug: str
    name: str
    price: int
    available: int
    facility: CardFacility
    main_photo: CardPhoto | None


def _main_photo_id() -> ColumnElement:
    return (
        select(ProductPhoto.id)
        .where(ProductPhoto.product_id == Product.id)
        .order_by(ProductPhoto.position, ProductPhoto.id)
        .limit(1)
        .correlate(Product)
        .scalar_subquery()
    )


def card_select() -> Select:
    """The columns of a product card, its facility's name and main photo joined: add
    a WHERE and an ORDER BY and read the rows with :func:`cards`."""
    return _CARD_SELECT


# Built once (statements are immutable): composing it cost a card page ~0.1 ms.
_CARD_SELECT = (
    select(
        Product.id,
        Product.slug,
        Product.name,
        Product.price,
        Product.on_hand,
        Product.allocated,
        Facility.name.label("facility_name"),
        ProductPhoto.content_hash,
        ProductPhoto.width,
        ProductPhoto.height,
        ProductPhoto.widths,
        ProductPhoto.alt_text,
    )
    .join(Facility, Facility.id == Product.facility_id)
    .outerjoin(ProductPhoto, ProductPhoto.id == _main_photo_id())
)


def cards(stmt: Select) -> list[ProductCard]:
    """The cards of a :func:`card_select` statement, in its order (read on the session's
    connection: rows, no ORM execution)."""
    return [
        ProductCard(
            id=row.id,
            slug=row.slug,
            name=row.name,
            price=row.price,
            available=max(row.on_hand - row.allocated, 0),
            facility=CardFacility(row.facility_name),
            main_photo=None
            if row.content_hash is None
            else CardPhoto(
                row.content_hash, row.width, row.height, tuple(row.widths), row.alt_text
            ),
        )
        for row in db.session.connection().execute(stmt)
    ]


def _card_rows(facility_id: int, category_id: int, limit: int) -> list[ProductCard]:
    """The newest ``limit`` products for sale of a facility, then of a category, as cards:
    one statement (the main photo joined by a correlated subquery)."""

    def branch(column, value):
        return (
            select(Product.id)
            .where(_ACTIVE, column == value)
            .order_by(Product.id.desc())
            .limit(limit)
        )

    candidates = union_all(
        branch(Product.facility_id, facility_id).subquery().select(),
        branch(Product.category_id, category_id).subquery().select(),
    ).subquery()
    return cards(
        card_select()
        .where(Product.id.in_(select(candidates.c.id)))
        .order_by((Product.facility_id == facility_id).desc(), Product.id.desc())
    )


def related_products(product: Product, limit: int = 4, ttl: float = 0) -> list[ProductCard]:
    """Other products for sale from the same facility, then the same category, newest
    first, as cards.

    The cards of a facility and category are kept for ``ttl`` seconds (the page cache's
    lifetime: like the listing's, their price and stock badge may lag a change by that
    long, and a facility change empties them with the page cache). One more than
    ``limit`` of each is kept, so leaving out the product itself still leaves enough.
    """
    cards = page_cache.cached(
        ("related", product.facility_id, product.category_id, limit),
        ttl,
        lambda: _card_rows(product.facility_id, product.category_id, limit + 1),
        shared=False,  # cards are objects; the product bodies holding them are shared
    )
    return [card for card in cards if card.id != product.id][:limit]


def get_facility(slug: str) -> Facility | None:
    """An active facility by slug (an inactive one has no public page)."""
    return db.session.scalar(select(Facility).where(Facility.slug == slug, Facility.active))


def facility_products(facility: Facility, page: int, per_page: int, facet_ttl: float = 0) -> Page:
    """A page of the facility's products; while the facet lists are kept (``facet_ttl``),
    their count of its products spares counting them again, as on the listing."""
    query = ListingQuery(facility=facility.slug, page=page)
    total = facet_total(query, [], facility_facets(facet_ttl)) if facet_ttl > 0 else None
    return list_products(query, per_page, total)


def whatsapp_link(number: str) -> str:
    """``0812-3456-789`` → ``https://wa.me/628123456789`` ('' when there is no number)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if not digits:
        return ""
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return f"https://wa.me/{digits}"


# --------------------------------------------------------------------------- sitemap


@dataclass(frozen=True)
class SitemapEntry:
    path_kind: str  # "product" or "facility"
    slug: str
    lastmod: datetime | None


def sitemap_entries() -> list[SitemapEntry]:
    """Every active product and every facility, with a last-modified time (two queries)."""
    products = db.session.execute(
        select(Product.slug, Product.updated_at).where(_ACTIVE).order_by(Product.id)
    )
    facility_lastmod = (
        select(
            Facility.slug,
            func.coalesce(func.max(Product.updated_at), Facility.created_at, type_=UTCDateTime),
        )
        .outerjoin(Product, (Product.facility_id == Facility.id) & _ACTIVE)
        .where(Facility.active)
        .group_by(Facility.id, Facility.slug, Facility.created_at)
        .order_by(Facility.id)
    )
    entries = [SitemapEntry("product", slug, lastmod) for slug, lastmod in products]
    entries += [
        SitemapEntry("facility", slug, lastmod)
        for slug, lastmod in db.session.execute(facility_lastmod)
    ]
    return entries
