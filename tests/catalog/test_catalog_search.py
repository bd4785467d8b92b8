import pytest
from catalog_data import small_shop
from sqlalchemy import text

from shop.catalog.search import fts5_query, tokenize, tsquery
from shop.catalog.services import ListingQuery, list_products
from shop.extensions import db
from shop.facilities.models import Facility


def names(query: str, **kw) -> set[str]:
    return {p.name for p in list_products(ListingQuery(q=query, **kw), 24).items}


def test_tokenize_keeps_only_words():
    assert tokenize('  "Batik"  TULIS* (AND) -rotan_kayu ') == [
        "batik",
        "tulis",
        "and",
        "rotan",
        "kayu",
    ]
    assert tokenize('"*()-:^') == []
    assert fts5_query(["batik", "tul"]) == '"batik"* "tul"*'
    assert tsquery(["batik", "tul"]) == "batik:* & tul:*"


def test_indonesian_phrases(app):
    small_shop()
    assert names("batik tulis") == {"Kain Batik Tulis Kawung", "Selendang Batik Parang"}
    assert names("tas rotan") == {"Tas Rotan Bundar"}
    assert names("kain tenun") == {"Kain Tenun Ikat"}


def test_prefix_and_every_field(app):
    small_shop()
    assert names("bat") == {"Kain Batik Tulis Kawung", "Selendang Batik Parang"}
    assert names("primisima") == {"Kain Batik Tulis Kawung"}  # materials
    assert names("cap") == {"Selendang Batik Parang"}  # technique
    assert names("kerobokan") == {"Tas Rotan Bundar", "Kain Tenun Ikat"}  # facility
    assert names("tradisional") == {"Kain Tenun Ikat"}  # description
    assert names("BATIK") == names("batik")


def test_only_active_products_are_found(app):
    small_shop()
    assert "Batik Draf" not in names("batik")
    assert "Batik Lama" not in names("batik")


def test_nonsense_finds_nothing(app):
    small_shop()
    assert names("zzxqwv") == set()
    assert names("batik zzxqwv") == set()


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"batik',
        "*",
        "batik*",
        "AND",
        "batik AND",
        "OR NOT",
        "-",
        "-batik",
        "(",
        "batik)",
        "NEAR(batik tulis)",
        "col:batik",
        "a' OR 1=1 --",
        "!&|:*",
        "ba\\tik",
        "100%",
    ],
)
def test_operators_and_punctuation_never_error(app, client, query):
    small_shop()
    response = client.get("/produk", query_string={"q": query})
    assert response.status_code == 200
    assert "<h1" in response.get_data(as_text=True)


def test_a_nul_character_in_the_search_is_refused_with_a_message(app, client):
    # No one types NUL; PostgreSQL cannot compare text holding one (see core's check).
    small_shop()
    response = client.get("/produk", query_string={"q": "batik\x00"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_relevance_puts_the_best_match_first(app):
    shop = small_shop()
    page = list_products(ListingQuery(q="tenun"), 24)
    assert page.items[0].id == shop["tenun"].id


def test_search_combines_with_filters(app):
    small_shop()
    assert names("batik", price_max=200_000) == {"Selendang Batik Parang"}
    assert names("kain", province="Bali") == {"Kain Tenun Ikat"}


def _named_and_other_matches():
    """Two products named with "batik", then three that only mention it (ids ascending)."""
    from factories import make_category, make_facility, make_product

    from shop.extensions import db

    facility, category = make_facility(), make_category()
    named = [make_product(facility, category, name=f"Batik Kawung {n}") for n in range(2)]
    others = [
        make_product(facility, category, name=f"Selendang {n}", description="Motif batik.")
        for n in range(3)
    ]
    make_product(facility, category, name="Batik Draf", status="draft")
    db.session.commit()
    return named, others


def test_plain_search_lists_named_products_first_then_the_rest_newest_first(app):
    named, others = _named_and_other_matches()
    pages = [list_products(ListingQuery(q="batik", page=n), 2) for n in (1, 2, 3)]

    assert [[card.id for card in p.items] for p in pages] == [
        [named[1].id, named[0].id],
        [others[2].id, others[1].id],
        [others[0].id],
    ]
    # The total is counted (up to COUNT_BOUND) on every page, not only once the end is read.
    assert [(p.page, p.pages, p.total, p.capped) for p in pages] == [
        (1, 3, 5, False),
        (2, 3, 5, False),
        (3, 3, 5, False),
    ]
    assert pages[2].first_index == 5


def test_plain_search_page_past_the_end_answers_the_last_page(app):
    named, others = _named_and_other_matches()
    page = list_products(ListingQuery(q="batik", page=9), 2)
    assert (page.page, page.requested_page, page.total, page.more) == (3, 9, 5, False)
    assert [card.id for card in page.items] == [others[0].id]


def test_a_page_the_named_products_fill_says_how_many_match(app, client):
    named, others = _named_and_other_matches()
    page = list_products(ListingQuery(q="batik kawung"), 1)
    assert (
        [card.id for card in page.items] == [named[1].id]
        and page.total == 2
        and page.window() == [1, 2]
    )

    app.config["CATALOG_PAGE_SIZE"] = 2
    try:
        html = client.get("/produk?q=batik", headers={"Accept-Language": "en"}).get_data(
            as_text=True
        )
    finally:
        app.config["CATALOG_PAGE_SIZE"] = 24
    assert "5 products · showing 1–2" in html
    assert 'rel="next" href="/produk?q=batik&amp;hal=2"' in html


def test_past_the_count_bound_the_page_says_more_than(app, client, monkeypatch):
    from shop.catalog import services

    named, others = _named_and_other_matches()
    monkeypatch.setattr(services, "COUNT_BOUND", 3)
    for query in (ListingQuery(q="batik"), ListingQuery(q="batik", sort="harga_naik")):
        page = list_products(query, 2)
        assert (page.total, page.capped, page.pages) == (4, True, 2)
        assert not page.facets.exact
    facility = db.session.get(Facility, named[0].facility_id).slug
    # Filtered past the bound: counted again, up to the bound.
    assert list_products(ListingQuery(q="batik", facility=facility), 2).capped
    html = client.get("/produk?q=batik", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "More than 3 products" in html


def test_filters_or_another_sort_keep_the_exact_count(app):
    named, others = _named_and_other_matches()
    exact = list_products(ListingQuery(q="batik", sort="harga_naik"), 2)
    assert exact.total == 5 and exact.pages == 3 and not exact.more
    facility = db.session.get(Facility, named[0].facility_id).slug
    assert list_products(ListingQuery(q="batik", facility=facility), 24).total == 5


def test_the_index_follows_status_name_and_deletion(app):
    """FTS5 holds active products only, fed by triggers on status, name and search text."""
    from factories import make_category, make_facility, make_product

    from shop.catalog.indexing import search_text_for
    from shop.extensions import db

    product = make_product(make_facility(), make_category(), name="Tas Pandan", status="draft")
    db.session.commit()
    assert names("pandan") == set()

    product.status = "active"
    db.session.commit()
    assert names("pandan") == {"Tas Pandan"}

    product.name = "Dompet Mendong"
    product.search_text = search_text_for(name=product.name)
    db.session.commit()
    assert names("pandan") == set() and names("mendong") == {"Dompet Mendong"}

    product.status = "archived"
    db.session.commit()
    assert names("mendong") == set()

    product.status = "active"
    db.session.commit()
    db.session.delete(product)
    db.session.commit()
    assert names("mendong") == set()


def test_plain_search_puts_products_named_with_the_words_first(app):
    from factories import make_category, make_facility, make_product

    from shop.extensions import db

    facility, category = make_facility(), make_category()
    named = make_product(facility, category, name="Tas Rotan Bundar")
    make_product(
        facility, category, name="Nampan Anyaman", description="Dari rotan, cocok untuk tas."
    )
    make_product(facility, category, name="Tas Kulit", description="Tali dari rotan.")
    db.session.commit()

    page = list_products(ListingQuery(q="tas rotan"), 24)
    assert page.items[0].id == named.id  # both words in the name beat newer partial matches
    assert len(page.items) == 3 and not page.more and page.total == 3


def test_search_words_are_written_into_the_sql_on_postgresql(app, queries):
    """A bound tsquery lets a prepared statement switch to a generic plan, which cannot
    tell a common word from a rare one (25-40 ms instead of ~1 ms at 100k products)."""
    from shop.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no prepared-statement plans to fall back to")
    _named_and_other_matches()
    with queries() as counted:
        list_products(ListingQuery(q="batik kawung"), 24)
        list_products(ListingQuery(q="batik", sort="harga_naik"), 24)
    searches = [s for s in counted.statements if "to_tsquery" in s]
    assert len(searches) >= 3  # named page, other matches, count and ranked page
    assert all("'batik:* & kawung:*'" in s or "'batik:*'" in s for s in searches)


def test_search_vectors_are_kept_in_the_product_row_on_postgresql(app):
    """Moved out of line (TOAST), a vector costs each row a search tests one by one a
    lookup in the TOAST index and table: twice the time of a common two-word search at
    100,000 products (migration 0027)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no search vector in the product row")
    storage = dict(
        db.session.execute(
            text(
                "SELECT attname, attstorage FROM pg_attribute "
                "WHERE attrelid = 'product'::regclass "
                "AND attname IN ('search_vector', 'name_vector', 'description')"
            )
        ).all()
    )
    # MAIN: moved out of line only when the row is still too long once the description
    # and the search text (EXTENDED) are.
    assert storage == {"search_vector": "m", "name_vector": "m", "description": "x"}


def test_a_search_reads_its_facets_from_the_facet_index_on_sqlite(app, monkeypatch):
    """SQLite would look each of up to 1,001 matches up in the table's wide rows; the
    facet statement names the index holding the facet columns, and the counts it gives
    are those of the matching products for sale. The matches are counted first, and
    their rows are read only within the bound: past it no number is shown."""
    from sqlalchemy import event

    from shop.catalog import services
    from shop.catalog.models import FACET_COLUMNS_INDEX
    from shop.catalog.search import build_search
    from shop.catalog.services import search_facets

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reads a search's matches with their columns")
    named, others = _named_and_other_matches()
    seen: list[tuple[str, tuple]] = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        if statement.startswith("WITH matched"):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        facets, total = search_facets(build_search("batik"), ListingQuery(q="batik"))
        monkeypatch.setattr(services, "COUNT_BOUND", 4)
        capped, capped_total = search_facets(build_search("batik"), ListingQuery(q="batik"))
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert total == len(named) + len(others) == 5  # the draft is not for sale
    assert sum(facets.categories.values()) == 5 and sum(facets.facilities.values()) == 5
    assert facets.exact and sum(band.count for band in facets.prices) == 5
    # Past the bound: "more than 4", and no counts, as none would be shown.
    assert capped_total == 5 and not capped.exact
    assert capped.categories == capped.facilities == {}
    assert [band.count for band in capped.prices] == [0] * len(capped.prices)
    (statement, parameters), _ = seen
    plan = [
        str(row[-1])
        for row in db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters
        )
    ]
    lookup = f"SEARCH product USING INDEX {FACET_COLUMNS_INDEX} (id=?)"
    assert lookup in plan
    # The count is the outer loop: a count past the bound ends it before any lookup.
    assert plan.index("SCAN matched") < plan.index(lookup)
