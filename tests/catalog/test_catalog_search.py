import pytest
from catalog_data import small_shop

from shop.catalog.search import fts5_query, tokenize, tsquery
from shop.catalog.services import ListingQuery, list_products


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
        "\x00",
    ],
)
def test_operators_and_punctuation_never_error(app, client, query):
    small_shop()
    response = client.get("/produk", query_string={"q": query})
    assert response.status_code == 200
    assert "<h1" in response.get_data(as_text=True)


def test_relevance_puts_the_best_match_first(app):
    shop = small_shop()
    page = list_products(ListingQuery(q="tenun"), 24)
    assert page.items[0].id == shop["tenun"].id


def test_search_combines_with_filters(app):
    small_shop()
    assert names("batik", price_max=200_000) == {"Selendang Batik Parang"}
    assert names("kain", province="Bali") == {"Kain Tenun Ikat"}


def test_broad_plain_search_ranks_only_the_newest_matches(app, client, monkeypatch):
    from factories import make_category, make_facility, make_product

    from shop.catalog import services
    from shop.extensions import db

    monkeypatch.setattr(services, "RANKED_MATCHES", 3)
    facility, category = make_facility(), make_category()
    other = make_facility(name="Rutan Lain")
    made = [
        make_product(facility if n else other, category, name=f"Batik Kawung {n}") for n in range(5)
    ]
    make_product(facility, category, name="Batik Kawung draf", status="draft")
    db.session.commit()

    page = list_products(ListingQuery(q="batik"), 24)
    assert page.capped and page.total == 3
    # The window is the 4 newest matches (one is a draft): the 3 newest active ones.
    assert {p.name for p in page.items} == {p.name for p in made[2:]}

    # A filter or another sort makes it exact again: every match counted and listed.
    exact = list_products(ListingQuery(q="batik", sort="harga_naik"), 24)
    assert not exact.capped and exact.total == 5
    assert list_products(ListingQuery(q="batik", facility=other.slug), 24).items == [made[0]]

    html = client.get("/produk?q=batik", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "More than 3 products" in html


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
    assert len(page.items) == 3 and not page.capped
