"""Issue 14: corrections, index upkeep (rename, synonym, unpublish), counts and facets,
input limits and search-box completions."""

from datetime import UTC, datetime

from factories import make_product
from search_relevance_data import relevance_shop

from shop.catalog.models import Product
from shop.catalog.services import ListingQuery, list_products
from shop.extensions import db


def keys(query: str, ids: dict[str, int], **kw) -> list[str]:
    key_of = {v: k for k, v in ids.items()}
    return [key_of.get(p.id, "?") for p in list_products(ListingQuery(q=query, **kw), 24).items]


def english(client, url: str) -> str:
    return client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_misspelt_word_shows_what_was_searched_instead(app, client):
    relevance_shop()
    html = english(client, "/produk?q=battik")
    assert "Showing results for" in html and "<em>batik</em>" in html
    assert "search instead for" in html and "<em>battik</em>" in html
    assert 'href="/produk?q=battik&amp;persis=1"' in html
    assert "Kain Batik Tulis Kawung" in html
    # As typed: no correction, nothing found.
    exact = english(client, "/produk?q=battik&persis=1")
    assert "Showing results for" not in exact and "No products found" in exact
    indonesian = client.get("/produk?q=battik").get_data(as_text=True)
    assert "Menampilkan hasil untuk" in indonesian


def test_words_of_the_catalog_are_not_corrected(app):
    relevance_shop()
    page = list_products(ListingQuery(q="batik"), 24)
    assert page.corrected == {}
    assert list_products(ListingQuery(q="zzxqwv"), 24).items == []


def test_renaming_a_product_is_found_by_the_next_search(app):
    from shop.catalog.indexing import search_text_for

    ids = relevance_shop()
    product = db.session.get(Product, ids["tikar"])
    product.name = "Lampit Mendong"
    product.search_text = search_text_for(name=product.name, materials="mendong")
    db.session.commit()
    assert keys("lampit", ids) == ["tikar"]
    assert keys("lampt", ids) == ["tikar"]  # the new word is in the vocabulary at once
    assert "tikar" not in keys("tikar", ids)


def test_a_synonym_added_to_the_file_is_used_by_the_next_search(app, tmp_path):
    from shop.catalog.search import SYNONYMS_FILE

    ids = relevance_shop()
    assert keys("purse", ids) == ["dompet"]
    assert keys("rug", ids) == []
    path = tmp_path / "synonyms.txt"
    with open(SYNONYMS_FILE, encoding="utf-8") as reviewed:
        path.write_text(reviewed.read() + "\nrug, tikar\n")
    app.config["SEARCH_SYNONYMS_FILE"] = str(path)
    try:
        assert keys("rug", ids) == ["tikar"]
        assert keys("tikar", ids) == ["tikar"]  # both ways
    finally:
        app.config["SEARCH_SYNONYMS_FILE"] = ""


def test_searches_kept_between_requests_follow_a_rename_a_synonym_and_unpublishing(
    app, client, tmp_path
):
    """With search counts, words and pages kept (production), each change shows on the
    next search: the catalog version forgets them, a new synonyms file is another key."""
    from shop.catalog import services
    from shop.catalog.indexing import search_text_for
    from shop.catalog.search import SYNONYMS_FILE

    def found(q: str) -> str:
        return client.get("/produk?q=" + q).get_data(as_text=True)

    ids = relevance_shop()
    services.clear_cache()
    app.config["CATALOG_FACET_TTL"] = 60
    path = tmp_path / "synonyms.txt"
    try:
        assert "Tikar Anyam Mendong" in found("tikar") and "Lampit" not in found("lampit")
        assert "Tikar Anyam Mendong" not in found("rug")
        assert "Dompet Kulit Sapi" in found("dompet")
        with open(SYNONYMS_FILE, encoding="utf-8") as reviewed:
            path.write_text(reviewed.read() + "\nrug, tikar\n")
        app.config["SEARCH_SYNONYMS_FILE"] = str(path)
        assert "Tikar Anyam Mendong" in found("rug")
        product = db.session.get(Product, ids["tikar"])
        product.name = "Lampit Mendong"
        product.search_text = search_text_for(name=product.name, materials="mendong")
        db.session.commit()
        assert "Lampit Mendong" in found("lampit") and "Lampit Mendong" in found("lampt")
        db.session.get(Product, ids["dompet"]).status = "archived"
        db.session.commit()
        assert "Dompet Kulit Sapi" not in found("dompet")
    finally:
        app.config["CATALOG_FACET_TTL"] = 0
        app.config["SEARCH_SYNONYMS_FILE"] = ""
        services.clear_cache()


def test_synonyms_work_both_ways(app):
    ids = relevance_shop()
    product = db.session.get(Product, ids["kopi"])
    from shop.catalog.indexing import search_text_for

    product.name = "Coffee Beans Gayo"
    product.search_text = search_text_for(name=product.name)
    db.session.commit()
    assert keys("kopi", ids) == ["kopi"]  # Indonesian finds the English name
    assert set(keys("bag", ids)) == {"tas_pandan", "tas_rotan", "tas_kulit", "tas_rajut"}


def test_unpublished_and_hidden_products_leave_the_next_search(app):
    ids = relevance_shop()
    assert keys("dompet", ids) == ["dompet"]
    product = db.session.get(Product, ids["dompet"])
    product.status = "archived"
    db.session.commit()
    assert keys("dompet", ids) == []
    assert keys("wallet", ids) == []
    other = db.session.get(Product, ids["sepatu"])
    other.hidden_at = datetime.now(UTC)
    db.session.commit()
    assert keys("sepatu", ids) == []


def test_every_search_page_counts_and_facets_for_the_query(app, client):
    relevance_shop()
    page = list_products(ListingQuery(q="anyaman"), 24)
    assert page.total == 8 and not page.capped and page.facets.exact
    assert page.facets.categories == {"anyaman": 6, "mebel": 1, "kulit": 1}
    assert sum(page.facets.facilities.values()) == 8
    assert sum(b.count for b in page.facets.prices) == 8
    # Choosing a category keeps the other categories' counts (a facet leaves itself out).
    narrowed = list_products(ListingQuery(q="anyaman", category="mebel"), 24)
    assert narrowed.total == 1 and narrowed.facets.categories["anyaman"] == 6
    html = english(client, "/produk?q=anyaman")
    assert "8 products" in html
    assert ">Weaving (6)</option>" in html and ">Furniture (1)</option>" in html
    assert ">Batik (" not in html  # a category without matches is not offered
    assert "Price of these results" in html


def test_long_queries_are_cut_and_the_heading_stays_on_one_line(app, client):
    relevance_shop()
    long = "batik " + "x" * 500
    html = english(client, "/produk?" + "q=" + long.replace(" ", "+"))
    assert 'value="batik ' + "x" * 94 + '"' in html  # cut to 100 characters
    heading = html.split('<h1 id="results-title">')[1].split("</h1>")[0]
    assert len(heading) <= 80 and heading.endswith("…”")  # 60 characters of the query
    assert "No products found" in html and "Price of these results" not in html
    for blank in ("", "   ", "!!!", "“”"):
        response = client.get(
            "/produk", query_string={"q": blank}, headers={"Accept-Language": "en"}
        )
        page = response.get_data(as_text=True)
        assert "All products" in page and "Tas Rajut Benang" in page, blank


def test_suggestions_complete_names_and_categories(app, client):
    relevance_shop()
    response = client.get("/produk/saran?q=ker", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.cache_control.max_age == 300
    assert set(response.json["suggestions"]) == {
        "Keranjang Bambu Kecil",
        "Keranjang Rotan Besar",
        "Taplak Meja Bordir Kerawang",
    }
    assert client.get("/produk/saran?q=keranjang+rot").json["suggestions"] == [
        "Keranjang Rotan Besar"
    ]
    assert (
        client.get("/produk/saran?q=weav", headers={"Accept-Language": "en"}).json["suggestions"][0]
        == "Weaving"
    )
    assert client.get("/produk/saran?q=anyaman").json["suggestions"][0] == "Anyaman"
    assert client.get('/produk/saran?q="*(').json["suggestions"] == []
    assert client.get("/produk/saran").json["suggestions"] == []


def test_reindexing_adds_roots_and_rebuilds_the_vocabulary(app):
    from sqlalchemy import select

    from shop.catalog.models import SearchTerm

    ids = relevance_shop()
    product = db.session.get(Product, ids["tikar"])
    product.search_text = "Tikar Mendong dianyam"  # as written before roots were indexed
    db.session.execute(SearchTerm.__table__.delete().where(SearchTerm.term == "mendong"))
    db.session.commit()
    assert "mendong" not in set(db.session.scalars(select(SearchTerm.term)))

    result = app.test_cli_runner().invoke(args=["search-reindex"])
    assert result.exit_code == 0 and "reindexed 34 products" in result.output
    db.session.expire_all()
    text = db.session.get(Product, ids["tikar"]).search_text
    assert text.startswith("Tikar Anyam Mendong") and "anyam" in text
    assert "mendong" in set(db.session.scalars(select(SearchTerm.term)))
    assert "tersembunyi" not in set(db.session.scalars(select(SearchTerm.term)))  # hidden


def test_a_short_word_of_the_catalog_is_not_a_prefix(app):
    ids = relevance_shop()
    # "tas" is a word here, so products of Lapas Tasikmalaya are not bags.
    assert set(keys("tas", ids)) == {"tas_pandan", "tas_rotan", "tas_kulit", "tas_rajut"}
    assert set(keys("kop", ids)) == {"kopi"}  # not a word: still a prefix


def test_synonym_lines_become_groups_both_ways():
    from shop.catalog.search import parse_synonyms

    table = parse_synonyms(
        ["# a comment", "bag, tas", "", "scarf, syal, selendang  # shawls too", "two words, x"]
    )
    assert table["bag"] == ("tas",) and table["tas"] == ("bag",)
    assert table["scarf"] == ("syal", "selendang") and table["selendang"] == ("scarf", "syal")
    assert "two" not in table and table["x"] == ()


def test_search_counts_may_be_kept_like_the_facet_lists_but_items_are_fresh(app, monkeypatch):
    from shop.catalog import services

    ids = relevance_shop()
    services.clear_cache()
    first = list_products(ListingQuery(q="batik"), 2, facet_ttl=60)
    assert first.total == 4
    assert list_products(ListingQuery(q="kain batik"), 24, facet_ttl=60).total == 2
    product = db.session.get(Product, ids["batik_kawung"])
    product.status = "archived"
    db.session.commit()
    kept = list_products(ListingQuery(q="batik"), 2, facet_ttl=60)
    assert kept.total == 4 and product.id not in {
        card.id for card in kept.items
    }  # the count is as old as the cache
    assert list_products(ListingQuery(q="batik"), 2).total == 3  # uncached: fresh
    last = list_products(ListingQuery(q="batik", page=2), 2, facet_ttl=60)
    assert last.total == 3  # the last page counts to the end itself
    # All on one page: the count is what the page holds.
    assert list_products(ListingQuery(q="kain batik"), 24, facet_ttl=60).total == 1

    from shop.catalog import page_cache

    monkeypatch.setitem(page_cache._bounds, page_cache.SEARCHES, 3)
    for word in ("batik", "tenun", "rotan", "kulit", "kayu"):
        list_products(ListingQuery(q=word), 24, facet_ttl=60)
    assert len(page_cache._search_entries) == 3
    services.clear_cache()


def _with_a_batok(ids: dict[str, int]) -> dict[str, int]:
    """The relevance shop plus one coconut-shell ladle: "batok" is a word of the catalog
    (one product), one edit from "batik" (four products)."""
    from factories import make_category, make_facility

    other = make_category(slug="batok", name_id="Lainnya Lagi", name_en="More")
    facility = make_facility(slug="lapas-ambon", name="Lapas Kelas IIA Ambon", city="Ambon")
    ids["batok"] = make_product(facility, other, name="Gayung Batok Kelapa", price=40_000).id
    db.session.commit()
    return ids


def test_a_word_of_the_catalog_near_a_commoner_one_lists_its_own_matches_first(app, client):
    ids = _with_a_batok(relevance_shop())
    page = list_products(ListingQuery(q="batok"), 24)
    assert page.near == {"batok": ("batik",)} and page.corrected == {}
    found = keys("batok", ids)
    assert found[0] == "batok" and set(found[1:]) == {
        "batik_kawung",
        "batik_parang",
        "selendang_batik",
        "kemeja_batik",
    }
    assert page.total == 5 and page.facets.categories["batok"] == 1
    # Page by page, the near word's matches follow the exact one.
    one_each = [
        [p.id for p in list_products(ListingQuery(q="batok", page=n), 1).items] for n in (1, 2, 5)
    ]
    assert one_each[0] == [ids["batok"]] and one_each[1][0] != ids["batok"]
    assert len(one_each[2]) == 1 and one_each[2][0] in [ids[k] for k in found[1:]]
    # Ranked with a filter too (bm25 / ts_rank): the word as typed first.
    assert keys("batok", ids, price_min=0)[0] == "batok"
    # As typed: only the word itself; the common word is never widened to the rare one.
    assert keys("batok", ids, exact=True) == ["batok"]
    assert list_products(ListingQuery(q="batik"), 24).near == {}
    assert "batok" not in keys("batik", ids)

    html = english(client, "/produk?q=batok")
    assert "Also showing results for" in html and "<em>batik</em>" in html
    assert 'href="/produk?q=batok&amp;persis=1"' in html and "Showing results for" not in html
    assert html.index("Gayung Batok Kelapa") < html.index("Kain Batik Tulis Kawung")
    indonesian = client.get("/produk?q=batok").get_data(as_text=True)
    assert "Juga menampilkan hasil untuk" in indonesian


def test_postgresql_says_more_than_the_bound_from_its_statistics_for_one_word(app, monkeypatch):
    import pytest

    from shop.catalog import services

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite counts the matches of FTS5 (cheap at the bound)")
    relevance_shop()
    db.session.execute(db.text("ANALYZE product"))
    facets, total = services.search_facets(build("batik"), ListingQuery(q="batik"))
    assert total == 4 and facets.exact  # counted: the planner expects a few
    # As if the catalog were thousands of times larger: the planner's estimate decides.
    monkeypatch.setattr(services, "CAPPED_ESTIMATE", 1 / services.COUNT_BOUND)
    facets, total = services.search_facets(build("batik"), ListingQuery(q="batik"))
    assert total == services.COUNT_BOUND + 1 and not facets.exact and facets.categories == {}
    # The last page still counts what it holds.
    page = list_products(ListingQuery(q="batik"), 24)
    assert page.total == 4 and not page.capped
    # Two words, a filter or near words: counted, never estimated.
    for query in (ListingQuery(q="kain batik"), ListingQuery(q="batik", category="batik")):
        assert not services._surely_capped(build(query.q), query, expected=10**9)
    assert list_products(ListingQuery(q="kain batik"), 24).facets.exact


def test_postgresql_counts_common_words_in_its_narrow_copy_as_in_product_after_every_write(
    app, queries
):
    """Words the planner would scan ``product`` for are counted and faceted in
    ``product_fts_facets`` (the products for sale, kept by a trigger: migration 0028),
    others through ``product``'s GIN index. After every kind of write the two give the same
    answer, and a stock change leaves the copy alone."""
    import pytest

    from shop.catalog import services
    from shop.catalog.indexing import search_text_for
    from shop.catalog.models import Category

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's FTS5 table is its only copy")
    ids = relevance_shop()

    def facets(q: str, **filters):
        """The facets and total of ``q``, from the copy (the planner told to scan) and from
        ``product`` (told to use the GIN index)."""
        query = ListingQuery(q=q, **filters)
        found = {}
        for path, planner in (
            ("copy", "enable_bitmapscan = off, enable_indexscan = off"),
            ("product", "enable_seqscan = off"),
        ):
            for setting in planner.split(", "):
                db.session.execute(db.text(f"SET LOCAL {setting}"))
            with queries() as counted:
                found[path] = services.search_facets(build(q), query)
            db.session.rollback()  # the settings end with the transaction
            read = [s for s in counted.statements if "UNION ALL SELECT 't'" in s.replace("\n", " ")]
            assert len(read) == 1 and ("product_fts_facets" in read[0]) == (path == "copy")
        assert found["copy"] == found["product"]
        return found["copy"]

    anyaman, total = facets("anyaman")
    assert total == 8 and anyaman.categories == {"anyaman": 6, "mebel": 1, "kulit": 1}

    product = db.session.get(Product, ids["tikar"])  # renamed
    product.name = "Lampit Mendong"
    product.search_text = search_text_for(name=product.name, materials="mendong")
    db.session.commit()
    assert facets("lampit")[1] == 1 and facets("tikar")[1] == 0

    product.price = 900_000  # repriced
    db.session.commit()
    assert [band.count for band in facets("lampit")[0].prices] == [0, 0, 0, 1]
    product.category_id = db.session.scalar(db.select(Category.id).where(Category.slug == "kulit"))
    db.session.commit()  # moved to another category
    assert facets("lampit")[0].categories == {"kulit": 1}

    stocked = db.session.get(Product, ids["dompet"])
    row_version = "SELECT xmin::text FROM product_fts_facets WHERE product_id = :id"
    before = db.session.scalar(db.text(row_version), {"id": stocked.id})
    stocked.on_hand += 5  # a stock change does not rewrite the copy
    db.session.commit()
    assert db.session.scalar(db.text(row_version), {"id": stocked.id}) == before

    stocked.status = "archived"  # unpublished, then published again
    db.session.commit()
    assert facets("dompet")[1] == 0
    stocked.status = "active"
    db.session.commit()
    assert facets("dompet")[1] == 1
    stocked.hidden_at = datetime.now(UTC)  # hidden by an administrator
    db.session.commit()
    assert facets("dompet")[1] == 0

    new = make_product(name="Lampit Rotan", search_text="lampit rotan")  # added, then deleted
    db.session.commit()
    assert facets("lampit")[1] == 2
    db.session.delete(new)
    db.session.commit()
    assert facets("lampit")[1] == 1
    assert facets("anyaman", category="mebel")[1] == 1  # a filtered count, from the copy too


def test_postgresql_asks_the_index_when_the_first_rows_of_its_copy_do_not_settle_a_count(
    app, monkeypatch
):
    """The narrow copy is searched among its first PROBED_ROWS rows only. Its answer
    stands when it found more than the bound (the facets then go uncounted, as on
    SQLite) or read the whole copy; otherwise the count is ``product``'s, in full."""
    import pytest

    from shop.catalog import services

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's FTS5 table is its only copy")
    relevance_shop()
    for setting in ("enable_bitmapscan", "enable_indexscan"):  # the planner would scan
        db.session.execute(db.text(f"SET LOCAL {setting} = off"))
    anyaman = {"anyaman": 6, "mebel": 1, "kulit": 1}

    facets, total = services.search_facets(build("anyaman"), ListingQuery(q="anyaman"))
    assert total == 8 and facets.exact and facets.categories == anyaman  # the whole copy

    monkeypatch.setattr(services, "PROBED_ROWS", 3)  # a few of its matches, if any
    facets, total = services.search_facets(build("anyaman"), ListingQuery(q="anyaman"))
    assert total == 8 and facets.exact and facets.categories == anyaman  # product's

    monkeypatch.setattr(services, "PROBED_ROWS", 10_000)
    monkeypatch.setattr(services, "COUNT_BOUND", 2)  # more than the bound in the copy
    facets, total = services.search_facets(build("anyaman"), ListingQuery(q="anyaman"))
    assert total == 3 and not facets.exact
    assert facets.categories == facets.facilities == {}
    assert [band.count for band in facets.prices] == [0] * len(facets.prices)


def build(q: str):
    from shop.catalog.search import build_search

    return build_search(q)
