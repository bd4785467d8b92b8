import re

import pytest
from catalog_data import small_shop
from factories import make_category, make_facility, make_product

from shop.catalog.forms import parse_listing_args
from shop.extensions import db

TITLE = re.compile(r'class="card-title">([^<]+)<')


def titles(client, **params) -> list[str]:
    response = client.get("/produk", query_string=params)
    assert response.status_code == 200
    return TITLE.findall(response.get_data(as_text=True))


def test_listing_shows_only_active_products_newest_first(client):
    small_shop()
    assert titles(client) == [
        "Kain Tenun Ikat",
        "Tas Rotan Bundar",
        "Selendang Batik Parang",
        "Kain Batik Tulis Kawung",
    ]


def test_each_filter(client):
    small_shop()
    assert set(titles(client, kategori="batik-tulis")) == {
        "Selendang Batik Parang",
        "Kain Batik Tulis Kawung",
    }
    assert set(titles(client, fasilitas="lapas-kerobokan")) == {
        "Tas Rotan Bundar",
        "Kain Tenun Ikat",
    }
    assert set(titles(client, provinsi="Jawa Timur")) == {
        "Selendang Batik Parang",
        "Kain Batik Tulis Kawung",
    }
    assert set(titles(client, harga_min="250000")) == {
        "Tas Rotan Bundar",
        "Kain Tenun Ikat",
        "Kain Batik Tulis Kawung",
    }
    assert set(titles(client, harga_max="Rp 250.000")) == {
        "Tas Rotan Bundar",
        "Selendang Batik Parang",
    }
    assert "Tas Rotan Bundar" not in titles(client, tersedia="1")
    assert len(titles(client, tersedia="1")) == 3
    assert titles(client, kategori="tidak-ada") == []


def test_filters_combine(client):
    small_shop()
    assert titles(client, provinsi="Bali", harga_max="500000") == ["Tas Rotan Bundar"]
    assert titles(client, provinsi="Bali", harga_max="500000", tersedia="1") == []
    assert titles(client, kategori="batik-tulis", tersedia="1", harga_min="200000") == [
        "Kain Batik Tulis Kawung"
    ]


def test_sorting(client):
    small_shop()
    assert titles(client, urut="harga_naik") == [
        "Selendang Batik Parang",
        "Tas Rotan Bundar",
        "Kain Batik Tulis Kawung",
        "Kain Tenun Ikat",
    ]
    assert titles(client, urut="harga_turun")[0] == "Kain Tenun Ikat"
    # relevance without a search falls back to newest
    assert titles(client, urut="relevan")[0] == "Kain Tenun Ikat"


def test_prices_and_badges_in_cards(client):
    small_shop()
    html = client.get("/produk").get_data(as_text=True)
    assert "Rp 450.000" in html and "Rp 900.000" in html
    assert ">Habis<" in html and ">Tinggal 1<" in html and ">Tersedia<" in html


def test_pagination_bounds_and_links_keep_filters(app, client):
    facility = make_facility(province="Bali")
    category = make_category(slug="kayu")
    for n in range(30):
        make_product(facility, category, name=f"Patung Kayu {n:02d}", price=100_000 + n)
    db.session.commit()
    app.config["CATALOG_PAGE_SIZE"] = 12
    try:
        html = client.get("/produk?kategori=kayu&urut=harga_naik").get_data(as_text=True)
        assert TITLE.findall(html)[0] == "Patung Kayu 00"
        assert 'rel="next" href="/produk?kategori=kayu&amp;urut=harga_naik&amp;hal=2"' in html
        assert 'aria-current="page"' in html

        html = client.get("/produk?kategori=kayu&urut=harga_naik&hal=3").get_data(as_text=True)
        assert TITLE.findall(html) == [f"Patung Kayu {n:02d}" for n in range(24, 30)]
        assert 'rel="prev" href="/produk?kategori=kayu&amp;urut=harga_naik&amp;hal=2"' in html
        assert 'rel="next"' not in html

        html = client.get("/produk?kategori=kayu&urut=harga_naik&hal=99").get_data(as_text=True)
        assert "Halaman 99 tidak ada" in html
        assert TITLE.findall(html)[0] == "Patung Kayu 24"

        for bad in ("-1", "0", "abc", "1e9", "99999999999"):
            response = client.get(f"/produk?hal={bad}")
            assert response.status_code == 200
            assert TITLE.findall(response.get_data(as_text=True))[0] == "Patung Kayu 29"
    finally:
        app.config["CATALOG_PAGE_SIZE"] = 24


def test_invalid_parameters_give_messages_not_errors(client):
    small_shop()
    response = client.get("/produk?harga_min=abc&harga_max=xyz&urut=acak&hal=-1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "&#34;abc&#34; bukan jumlah rupiah" in html or '"abc" bukan jumlah rupiah' in html
    assert "Urutan tidak dikenal" in html
    assert len(TITLE.findall(html)) == 4


def test_parse_swaps_min_and_max():
    query, messages = parse_listing_args({"harga_min": "500.000", "harga_max": "100000"})
    assert (query.price_min, query.price_max) == (100_000, 500_000)
    assert len(messages) == 1


def test_empty_result_says_so_and_suggests(client):
    small_shop()
    html = client.get("/produk?q=batik+zzzz&provinsi=Bali").get_data(as_text=True)
    assert "Tidak ada yang cocok dengan “batik zzzz”" in html
    assert "Hapus semua filter" in html
    assert 'href="/produk?q=batik&amp;provinsi=Bali"' in html  # one word at a time
    assert 'href="/produk?kategori=batik-tulis"' in html  # popular category


def test_filter_form_reflects_the_url(client):
    small_shop()
    html = client.get("/produk?kategori=tenun&tersedia=1&harga_min=1000").get_data(as_text=True)
    assert '<option value="tenun" selected>' in html
    assert 'name="tersedia" value="1" checked' in html
    assert 'value="1000"' in html
    for control in ("f-q", "f-kategori", "f-fasilitas", "f-provinsi", "f-min", "f-max", "f-urut"):
        assert f'for="{control}"' in html


def test_paging_through_every_sort_lists_each_active_product_once_in_order(app):
    """Pages find their ids on the index first (a deferred join): walking them all must
    give the same order as sorting everything at once, ties broken by id."""
    from shop.catalog.services import ListingQuery, list_products

    facility, category = make_facility(), make_category()
    prices = [90_000, 150_000, 150_000, 40_000, 150_000, 75_000, 40_000]
    made = [
        make_product(facility, category, price=p, name=f"Tas {n}") for n, p in enumerate(prices)
    ]
    make_product(facility, category, name="Tas Draf", status="draft")
    db.session.commit()

    def walk(sort: str) -> list[int]:
        first = list_products(ListingQuery(sort=sort), 3)
        pages = [first, *(list_products(ListingQuery(sort=sort, page=n), 3) for n in (2, 3))]
        assert first.pages == 3 and [len(p.items) for p in pages] == [3, 3, 1]
        return [product.id for page in pages for product in page.items]

    assert walk("harga_naik") == [p.id for p in sorted(made, key=lambda p: (p.price, p.id))]
    assert walk("harga_turun") == [
        p.id for p in sorted(made, key=lambda p: (p.price, p.id), reverse=True)
    ]
    newest = sorted(made, key=lambda p: (p.created_at, p.id), reverse=True)
    assert walk("terbaru") == [p.id for p in newest]


def test_deep_pages_of_filtered_sorted_listings_keep_the_order_of_sorting_all(app):
    """Every filter the listing indexes serve (category, facility, province, price band,
    category with a band) under every sort: walking the pages one by one gives each
    matching active product once, in the order of sorting them all, ties by id; hidden
    and draft products never appear."""
    import datetime as dt

    from shop.catalog.services import ListingQuery, list_products

    east = make_facility(province="Jawa Timur")
    bali = make_facility(province="Bali")
    batik, rotan = make_category(), make_category()
    made = []
    for n in range(17):
        facility = (east, bali)[n % 2]
        category = (batik, rotan)[n % 3 == 0]
        price = (90_000, 100_000, 150_000, 249_999, 250_000, 400_000)[n % 6]
        made.append(make_product(facility, category, price=price, name=f"Barang {n}"))
    make_product(
        east, batik, name="Disembunyikan", price=150_000, hidden_at=dt.datetime.now(dt.UTC)
    )
    make_product(east, batik, name="Draf", price=150_000, status="draft")
    db.session.commit()

    filters = {
        "category": (dict(category=batik.slug), lambda p: p.category_id == batik.id),
        "facility": (dict(facility=bali.slug), lambda p: p.facility_id == bali.id),
        "province": (dict(province="Jawa Timur"), lambda p: p.facility_id == east.id),
        "band": (
            dict(price_min=100_000, price_max=250_000),
            lambda p: 100_000 <= p.price <= 250_000,
        ),
        "category + band": (
            dict(category=batik.slug, price_min=100_000, price_max=250_000),
            lambda p: p.category_id == batik.id and 100_000 <= p.price <= 250_000,
        ),
        # Ranges inside one band are read by the band too (price_band_holding).
        "one band (its facet link)": (
            dict(price_min=100_000, price_max=249_999),
            lambda p: 100_000 <= p.price <= 249_999,
        ),
        "inside one band": (
            dict(price_min=140_000, price_max=160_000),
            lambda p: 140_000 <= p.price <= 160_000,
        ),
        "the lowest band, open below": (dict(price_max=99_999), lambda p: p.price <= 99_999),
        "category + one band": (
            dict(category=batik.slug, price_min=100_000, price_max=249_999),
            lambda p: p.category_id == batik.id and 100_000 <= p.price <= 249_999,
        ),
    }
    orders = {
        "harga_naik": (lambda p: (p.price, p.id), False),
        "harga_turun": (lambda p: (p.price, p.id), True),
        "terbaru": (lambda p: (p.created_at, p.id), True),
    }
    for name, (args, keep) in filters.items():
        wanted = [p for p in made if keep(p)]
        for sort, (key, reverse) in orders.items():
            expected = [p.id for p in sorted(wanted, key=key, reverse=reverse)]
            first = list_products(ListingQuery(sort=sort, **args), 2)
            walked = [
                product.id
                for n in range(1, first.pages + 1)
                for product in list_products(ListingQuery(sort=sort, page=n, **args), 2).items
            ]
            assert first.total == len(expected) > 2, (name, sort)
            assert walked == expected, (name, sort)


def test_price_filters_echo_the_visitors_text_escaped_never_as_markup(app, client):
    small_shop()
    markup = "<a href=//x>KLIK</a>"
    returning = app.test_client()  # with a session cookie: the page is not the cached one
    returning.set_cookie(app.config["SESSION_COOKIE_NAME"], "x")
    for key in ("harga_min", "harga_max"):
        for visitor in (client, returning):
            html = visitor.get("/produk", query_string={key: markup}).get_data(as_text=True)
            assert markup not in html, key
            assert "KLIK" in html and "&lt;a href=//x&gt;KLIK" in html, key


@pytest.mark.parametrize("raw", ["²", "٣", "99999999999999999999", "-1"])
def test_unicode_and_huge_numbers_in_the_listing_are_messages(client, raw):
    small_shop()
    response = client.get("/produk", query_string={"harga_min": raw, "harga_max": raw, "hal": raw})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "bukan jumlah rupiah" in html
    assert "Nomor halaman itu tidak ada" in html
    assert len(TITLE.findall(html)) == 4


def test_a_price_range_inside_one_band_names_that_band():
    from shop.catalog.services import price_band_holding

    assert price_band_holding(None, 99_999) == 0
    assert price_band_holding(100_000, 249_999) == 1
    assert price_band_holding(140_000, 160_000) == 1
    assert price_band_holding(500_000, None) == 3
    assert price_band_holding(600_000, 900_000) == 3
    for across in [(None, None), (None, 100_000), (100_000, 250_000), (90_000, 120_000)]:
        assert price_band_holding(*across) is None, across
    assert price_band_holding(100_000, None) is None  # bands 1, 2 and 3


def test_a_price_change_moves_the_product_to_its_new_band(app):
    """The band is computed by the database from the price: an UPDATE of the price alone
    (as every write path does) moves the product between band listings."""
    from shop.catalog.services import ListingQuery, list_products

    facility, category = make_facility(), make_category()
    product = make_product(facility, category, price=150_000)
    db.session.commit()

    def in_band(low: int, high: int) -> list[int]:
        query = ListingQuery(price_min=low, price_max=high)
        return [p.id for p in list_products(query, 24).items]

    assert in_band(100_000, 249_999) == [product.id]
    assert in_band(250_000, 499_999) == []
    product.price = 300_000
    db.session.commit()
    assert product.price_band == 2
    assert in_band(100_000, 249_999) == []
    assert in_band(250_000, 499_999) == [product.id]


def test_the_database_puts_each_price_in_the_band_price_bands_names(app):
    """``price_band`` is computed by the database from the expression migration 0025
    wrote: it must agree with PRICE_BANDS on every edge (a change of the bands without
    a migration would file products under the wrong band link)."""
    from shop.catalog.models import PRICE_BANDS

    def band_of(price: int) -> int:
        return next(
            i
            for i, (low, high) in enumerate(PRICE_BANDS)
            if (low is None or price >= low) and (high is None or price < high)
        )

    edges = sorted({1} | {e + d for band in PRICE_BANDS for e in band if e for d in (-1, 0)})
    facility, category = make_facility(), make_category()
    made = [make_product(facility, category, price=price) for price in edges]
    db.session.commit()
    assert [p.price_band for p in made] == [band_of(p.price) for p in made]
    assert {p.price_band for p in made} == set(range(len(PRICE_BANDS)))
