"""What a browser or a proxy may keep: anonymous visitors' public pages are public with
an ETag (304 when unchanged); anything personal is ``private, no-store``."""

from __future__ import annotations

import pytest
from factories import make_facility, make_product
from staff_helpers import make_user, sign_in

from shop.extensions import db

PUBLIC = "public, max-age=10, stale-while-revalidate=10"
PRIVATE = "private, no-store"


@pytest.fixture
def shop_items():
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi")
    product = make_product(facility=facility, name="Batik Gajah Oling", on_hand=5)
    db.session.commit()
    return facility, product


def _add_to_cart(client, product, **extra):
    return client.post(
        "/keranjang/tambah",
        data={"product_id": product.id, "quantity": "1", **extra},
        headers={"Origin": "http://localhost"},
        follow_redirects=True,
    )


def test_anonymous_public_pages_may_be_kept_by_a_proxy(app, shop_items):
    facility, _product = shop_items
    for path in ("/", "/produk", "/produk?q=batik", "/fasilitas", f"/fasilitas/{facility.slug}"):
        response = app.test_client().get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == PUBLIC, path
        assert response.headers["ETag"].startswith('"'), path
        assert {"Cookie", "Accept-Language"} <= set(response.vary), path
        assert "Set-Cookie" not in response.headers, path
    assert "Batik Gajah Oling" in app.test_client().get("/produk?q=batik").get_data(as_text=True)


def test_an_unchanged_page_is_answered_304_without_a_body(app, shop_items):
    visitor = app.test_client()
    first = visitor.get("/produk")
    etag = first.headers["ETag"]
    again = visitor.get("/produk", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag


def test_a_page_that_differs_is_never_answered_304(app, shop_items):
    _facility, product = shop_items
    visitor = app.test_client()
    etag = visitor.get("/produk").headers["ETag"]

    english = visitor.get("/produk", headers={"If-None-Match": etag, "Accept-Language": "en"})
    assert english.status_code == 200 and "All products" in english.get_data(as_text=True)

    product.name = "Batik Parang Rusak"
    db.session.commit()
    changed = visitor.get("/produk", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Batik Parang Rusak" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag


def test_a_shopper_with_a_session_gets_private_pages(app, shop_items):
    _facility, product = shop_items
    shopper = app.test_client()
    shown = _add_to_cart(shopper, product, next="/produk")
    assert "Ditambahkan ke keranjang." in shown.get_data(as_text=True)  # a flashed message
    assert shown.headers["Cache-Control"] == PRIVATE
    for path in ("/", "/produk", "/fasilitas", "/keranjang", "/checkout"):
        response = shopper.get(path)
        assert response.headers["Cache-Control"] == PRIVATE, path
        assert "ETag" not in response.headers, path
    etag = app.test_client().get("/produk").headers["ETag"]  # the public copy's tag …
    mine = shopper.get("/produk", headers={"If-None-Match": etag})
    assert mine.status_code == 200  # … never answers a shopper's own page with 304
    assert ">1</span>" in mine.get_data(as_text=True).split('class="cart-link"', 1)[1][:300]


def test_posts_forms_and_private_areas_are_never_kept(app, shop_items):
    _facility, product = shop_items
    added = app.test_client().post(
        "/keranjang/tambah",
        data={"product_id": product.id, "quantity": "1"},
        headers={"Origin": "http://localhost"},
    )
    assert added.status_code == 303 and added.headers["Cache-Control"] == PRIVATE

    newcomer = app.test_client()
    for path in ("/keranjang", "/masuk"):  # the cart; a form with a CSRF token
        response = newcomer.get(path)
        assert response.headers["Cache-Control"] == PRIVATE, path
        assert "ETag" not in response.headers, path
    assert 'name="csrf_token"' in newcomer.get("/masuk").get_data(as_text=True)

    make_user(role="admin", email="ada@lapas.test")
    db.session.commit()
    admin = app.test_client()
    assert sign_in(admin, "ada@lapas.test").headers["Cache-Control"] == PRIVATE
    for path in ("/produk", "/admin/", "/dasbor/"):
        response = admin.get(path)
        assert response.headers["Cache-Control"] == PRIVATE, path


def test_a_view_that_sets_its_own_caching_keeps_it(app, shop_items):
    _facility, product = shop_items
    suggestions = app.test_client().get("/produk/saran?q=bat")
    assert "max-age=300" in suggestions.headers["Cache-Control"]
    assert "Batik Gajah Oling" in suggestions.get_data(as_text=True)
    page = app.test_client().get(f"/produk/{product.slug}")  # stock is live: not public
    assert "Batik Gajah Oling" in page.get_data(as_text=True)
    assert "public" not in page.headers.get("Cache-Control", "")


def test_kept_pages_carry_the_etag_of_their_bytes_and_only_to_the_public(
    app, shop_items, page_cache_on
):
    from werkzeug.http import generate_etag

    facility, product = shop_items
    for path in ("/", "/produk", "/produk?q=batik", f"/fasilitas/{facility.slug}"):
        first = app.test_client().get(path)  # rendered and kept
        kept = app.test_client().get(path)  # served from the page cache
        assert kept.get_data() == first.get_data(), path
        assert kept.headers["ETag"] == first.headers["ETag"], path
        assert kept.headers["ETag"] == f'"{generate_etag(kept.get_data())}"', path
        assert kept.headers["Cache-Control"] == PUBLIC, path
        again = app.test_client().get(path, headers={"If-None-Match": kept.headers["ETag"]})
        assert (again.status_code, again.get_data()) == (304, b""), path

    shopper = app.test_client()
    _add_to_cart(shopper, product, next="/keranjang")  # the cart page drops the message
    for path in ("/", "/produk", f"/fasilitas/{facility.slug}"):
        mine = shopper.get(path, headers={"If-None-Match": kept.headers["ETag"]})
        assert mine.status_code == 200, path
        assert mine.headers["Cache-Control"] == PRIVATE, path
        assert "ETag" not in mine.headers, path
