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
