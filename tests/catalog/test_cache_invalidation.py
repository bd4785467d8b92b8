"""Kept pages follow the catalog: an edit shows on the next request, a sale does not
throw the kept pages away, and a product's own page reads its stock live."""

from __future__ import annotations

import pytest
from catalog_data import add_photo
from factories import make_facility, make_product
from sqlalchemy import text

from shop.catalog import freshness
from shop.extensions import db
from shop.inventory import stock_services
from shop.inventory.services import hold_stock
from shop.uow import unit_of_work


def _buy_box(page: str) -> str:
    return page.split('class="add-to-cart"', 1)[1].split("</form>", 1)[0]


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_price_name_stock_and_photo_edits_show_on_the_next_request(client, page_cache_on):
    product = make_product(name="Batik Kawung Sogan", price=150_000, on_hand=3)
    db.session.commit()
    url = f"/produk/{product.slug}"
    facility = "/fasilitas/" + db.session.scalar(
        text("SELECT slug FROM facility WHERE id = :id"), {"id": product.facility_id}
    )
    listings = ("/", "/produk", facility)
    for path in (*listings, url):  # every page kept
        assert "Batik Kawung Sogan" in _page(client, path)

    product.name, product.price = "Batik Parang Rusak", 175_000
    db.session.commit()
    for path in (*listings, url):
        page = _page(client, path)
        assert "Batik Parang Rusak" in page and "Batik Kawung Sogan" not in page, path
        assert "Rp 175.000" in page, path

    with unit_of_work():  # stock counted again by staff: every listing shows it sold out
        stock_services.adjust_stock(product.facility_id, product.id, "damaged", -3, "", "Staf uji")
    for path in listings:
        assert "badge-bad" in _page(client, path), path
    assert "disabled" in _buy_box(_page(client, url))

    add_photo(product, alt="Kain batik terlipat")
    db.session.commit()
    for path in (*listings, url):
        assert "Kain batik terlipat" in _page(client, path), path


def test_unpublishing_takes_the_product_off_the_kept_listing(client, page_cache_on):
    product = make_product(name="Tas Rotan Bundar")
    db.session.commit()
    assert "Tas Rotan Bundar" in _page(client, "/produk")
    product.status = "archived"
    db.session.commit()
    assert "Tas Rotan Bundar" not in _page(client, "/produk")
    assert client.get(f"/produk/{product.slug}").status_code == 404


def test_a_sale_keeps_the_listing_but_the_product_page_is_live(client, queries, page_cache_on):
    product = make_product(name="Kain Tenun Ikat Sumba", on_hand=2)
    db.session.commit()
    url = f"/produk/{product.slug}"
    assert 'name="go"' in _buy_box(_page(client, url))
    assert "badge-ok" in _page(client, "/produk")
    before = freshness.current_version()

    with unit_of_work():  # checkout holds the last two pieces
        hold_stock({product.id: 2}, {})
    assert freshness.current_version() == before  # a sale raises no version
    with queries() as counted:
        listing = _page(client, "/produk")
    assert counted.count == 0 and "badge-ok" in listing  # kept: the badge may lag a sale

    # Its own page never offers to buy what is gone.
    page = _page(client, url)
    assert "disabled" in _buy_box(page) and 'name="go"' not in _buy_box(page)
    assert "badge-bad" in page.split('class="product-price"', 1)[1][:300]


def test_a_product_page_with_its_body_kept_costs_one_statement(client, queries, page_cache_on):
    facility = make_facility()
    product = make_product(facility=facility, name="Selendang Parang", on_hand=4)
    add_photo(product, alt="Selendang terbentang")
    make_product(facility=facility)
    db.session.commit()
    url = f"/produk/{product.slug}"
    with queries() as first:
        _page(client, url)
    # its live row (with the catalog version), the product with its photos, related
    # cards, the split
    assert first.count == 4, first
    with queries() as again:
        page = _page(client, url)
    assert again.count == 1, again  # the live row only: the body was kept
    assert "Selendang terbentang" in page and "4 tersedia" in _buy_box(page)

    en = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "4 available" in _buy_box(en) and "You may also like" in en


def test_another_process_s_edit_shows_within_the_check_interval(app, client, page_cache_on):
    product = make_product(name="Tikar Pandan", on_hand=3)
    db.session.commit()
    url = f"/produk/{product.slug}"
    assert "Tikar Pandan" in _page(client, "/produk")
    assert "Tikar Pandan" in _page(client, url)

    # Another worker renames it: its own transaction, not this process's session.
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE product SET name = 'Tikar Mendong' WHERE id = :id"), {"id": product.id}
        )
        conn.execute(text("UPDATE catalog_version SET version = version + 1 WHERE id = 1"))
    db.session.remove()  # as each request has its own session, nothing read before stays
    app.config["CATALOG_VERSION_CHECK_SECONDS"] = 3600
    assert "Tikar Pandan" in _page(client, "/produk")  # not read again yet …
    assert "Tikar Mendong" in _page(client, url)  # … but the product page reads it with its row
    assert "Tikar Mendong" in _page(client, "/produk")  # which told this process

    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE product SET name = 'Tikar Purun' WHERE id = :id"), {"id": product.id}
        )
        conn.execute(text("UPDATE catalog_version SET version = version + 1 WHERE id = 1"))
    db.session.remove()  # as each request has its own session, nothing read before stays
    assert "Tikar Mendong" in _page(client, "/produk")
    app.config["CATALOG_VERSION_CHECK_SECONDS"] = 0  # the check falls due
    assert "Tikar Purun" in _page(client, "/produk")


@pytest.mark.parametrize("page", ["home", "facility"])
def test_the_home_and_facility_pages_are_kept_without_the_database(
    client, queries, page_cache_on, page
):
    product = make_product(name="Keranjang Rotan")
    db.session.commit()
    url = "/"
    if page == "facility":
        slug = db.session.scalar(
            text("SELECT slug FROM facility WHERE id = :id"), {"id": product.facility_id}
        )
        url = f"/fasilitas/{slug}"
        assert client.get("/fasilitas/tidak-ada").status_code == 404  # not kept
        assert client.get("/fasilitas/tidak-ada").status_code == 404
    assert "Keranjang Rotan" in _page(client, url)
    with queries() as counted:
        assert "Keranjang Rotan" in _page(client, url)
    assert counted.count == 0, counted


def test_a_kept_product_page_shows_each_shopper_their_own_cart(app, page_cache_on):
    product = make_product(name="Dompet Kulit", on_hand=9)
    db.session.commit()
    url = f"/produk/{product.slug}"
    newcomer, shopper = app.test_client(), app.test_client()
    header = _page(newcomer, url).split('class="cart-link"', 1)[1][:300]
    assert 'class="badge"' not in header
    shopper.post(
        "/keranjang/tambah",
        data={"product_id": product.id, "quantity": "2"},
        headers={"Origin": "http://localhost"},
    )
    page = _page(shopper, url)
    assert ">2</span>" in page.split('class="cart-link"', 1)[1][:300]
    assert "9 tersedia" in _buy_box(page)  # nothing held yet: a cart holds no stock
    again = _page(newcomer, url).split('class="cart-link"', 1)[1][:300]
    assert 'class="badge"' not in again
