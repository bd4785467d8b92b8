"""The listing's rendered parts are kept briefly per query and language."""

from __future__ import annotations

import pytest
from factories import make_product

from shop.catalog import page_cache
from shop.extensions import db


@pytest.fixture
def page_cache_on(app):
    page_cache.clear()
    app.config["CATALOG_PAGE_CACHE_SECONDS"] = 60
    yield
    app.config["CATALOG_PAGE_CACHE_SECONDS"] = 0
    page_cache.clear()


def test_same_query_and_language_is_served_without_the_database(client, queries, page_cache_on):
    product = make_product(name="Batik Kawung Sogan")
    db.session.commit()
    assert "Batik Kawung Sogan" in client.get("/produk").get_data(as_text=True)

    product.name = "Batik Parang Rusak"
    db.session.commit()
    with queries() as counted:
        again = client.get("/produk").get_data(as_text=True)
    assert "Batik Kawung Sogan" in again  # the kept rendering …
    assert counted.count == 0, counted  # … with no SQL at all

    # Another query or another language is rendered afresh.
    assert "Batik Parang Rusak" in client.get("/produk?urut=harga_naik").get_data(as_text=True)
    english = client.get("/produk", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Batik Parang Rusak" in english and "All products" in english


def test_visitor_parts_of_the_page_are_not_shared(client, app, page_cache_on):
    make_product(name="Tas Rotan Bundar")
    db.session.commit()
    first = client.get("/produk").get_data(as_text=True)
    assert '<html lang="id">' in first
    # The language switch link points back at the page asked for, not a cached one.
    other = app.test_client().get("/produk?hal=1").get_data(as_text=True)
    assert "next=/produk?hal%3D1" in other or "next=/produk?hal=1" in other


def test_bounded_in_entries(page_cache_on):
    for n in range(page_cache.MAX_ENTRIES + 50):
        page_cache.cached(("k", n), 60, lambda n=n: n)
    assert len(page_cache._entries) == page_cache.MAX_ENTRIES
    assert page_cache.cached(("k", 0), 60, lambda: "rebuilt") == "rebuilt"  # oldest evicted


def test_a_visitor_with_a_cart_never_gets_the_first_visit_page(app, page_cache_on):
    product = make_product(name="Kain Tenun Ikat Sumba", on_hand=3)
    db.session.commit()
    newcomer = app.test_client()
    first = newcomer.get("/produk")
    assert "Set-Cookie" not in first.headers  # browsing starts no session
    assert 'class="cart-link"' in first.get_data(as_text=True)
    assert 'class="badge"' not in first.get_data(as_text=True).split("cart-link", 1)[1][:200]

    shopper = app.test_client()
    assert "Set-Cookie" not in shopper.get(f"/produk/{product.slug}").headers
    added = shopper.post(
        "/keranjang/tambah",
        data={"product_id": product.id, "quantity": "2"},
        headers={"Origin": "http://localhost"},
    )
    assert added.status_code == 303
    page = shopper.get("/produk").get_data(as_text=True)
    header = page.split('class="cart-link"', 1)[1][:300]
    assert ">2</span>" in header  # their own cart count, not the shared page's
    # … and the shared first-visit page is still the one without a cart.
    again = newcomer.get("/produk").get_data(as_text=True)
    assert ">2</span>" not in again.split('class="cart-link"', 1)[1][:300]


def test_entries_kept_together_expire_apart_and_never_late(page_cache_on, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    builds: list[int] = []

    def build(n):
        builds.append(n)
        return n

    for n in range(50):
        page_cache.cached(("page", n), 10, lambda n=n: build(n))
    lifetimes = sorted(expires - 1000.0 for expires, _ in page_cache._entries.values())
    assert lifetimes[0] >= 8.0 and lifetimes[-1] <= 10.0
    assert lifetimes[-1] - lifetimes[0] > 0.5  # spread out, not one burst

    clock[0] += 10.0  # no entry outlives the configured time
    builds.clear()
    for n in range(50):
        page_cache.cached(("page", n), 10, lambda n=n: build(n))
    assert builds == list(range(50))
