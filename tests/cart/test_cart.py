from __future__ import annotations

import pytest
from csrf import csrf_token_from
from factories import make_product
from order_helpers import shop_with_products
from sqlalchemy import update

from shop.catalog.models import Product
from shop.extensions import db


@pytest.fixture
def token(client):
    return csrf_token_from(client.get("/pesanan/cari").get_data(as_text=True))


def add(client, token, product_id, quantity="1", **extra):
    data = {"csrf_token": token, "product_id": product_id, "quantity": quantity, **extra}
    return client.post("/keranjang/tambah", data=data, follow_redirects=True)


def cart_of(client) -> dict:
    with client.session_transaction() as session:
        return dict(session.get("cart", {}))


def test_add_change_remove_and_header_count(client, token):
    product, other = shop_with_products(on_hand=(5, 2), facilities=2)
    page = add(client, token, product.id, "2").get_data(as_text=True)
    assert product.name in page
    assert "Rp 300.000" in page
    assert cart_of(client) == {str(product.id): [2, 150_000]}
    add(client, token, other.id, "1")
    home = client.get("/keranjang").get_data(as_text=True)
    assert 'class="badge"' in home and ">3</span>" in home  # header count: 2 + 1 units

    client.post(f"/keranjang/{product.id}/ubah", data={"csrf_token": token, "quantity": "4"})
    assert cart_of(client)[str(product.id)][0] == 4
    client.post(f"/keranjang/{product.id}/hapus", data={"csrf_token": token})
    assert list(cart_of(client)) == [str(other.id)]


def test_header_count_costs_no_query(app, queries):
    from flask import render_template_string, session

    with app.test_request_context():
        session["cart"] = {"7": [3, 150_000], "8": [1, 90_000]}
        with queries() as counted:
            rendered = render_template_string('{% include "cart/_header_link.html" %}')
    assert ">4</span>" in rendered
    assert counted.count == 0


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "1.5", "", "1e3", "100", str(10**30)])
def test_bad_quantities_are_refused_with_a_message(client, token, quantity):
    (product,) = shop_with_products(on_hand=(500,))
    page = add(client, token, product.id, quantity).get_data(as_text=True)
    assert cart_of(client) == {}
    assert "bilangan bulat" in page or "whole number" in page


def test_more_than_available_is_refused(client, token):
    (product,) = shop_with_products(on_hand=(2,))
    page = add(client, token, product.id, "3").get_data(as_text=True)
    assert cart_of(client) == {}
    assert "2" in page and product.name in page


def test_one_of_a_kind_allows_only_one(client, token):
    (product,) = shop_with_products(on_hand=(1,), one_of_a_kind=True)
    add(client, token, product.id, "1")
    add(client, token, product.id, "1")
    assert cart_of(client) == {str(product.id): [1, 150_000]}


def test_tampered_product_ids_and_prices_are_ignored(client, token):
    (product,) = shop_with_products(on_hand=(3,))
    draft = make_product(status="draft", on_hand=3)
    db.session.commit()
    assert add(client, token, "999999").status_code == 200  # unknown product: refused
    assert add(client, token, draft.id).status_code == 200  # not for sale: refused
    assert cart_of(client) == {}
    bad = client.post(
        "/keranjang/tambah", data={"csrf_token": token, "product_id": "1 OR 1=1", "quantity": "1"}
    )
    assert bad.status_code == 400
    add(client, token, product.id, "1", price="1", unit_price="1")
    assert cart_of(client) == {str(product.id): [1, 150_000]}  # price from the database


def test_missing_csrf_is_rejected(client):
    (product,) = shop_with_products(on_hand=(3,))
    response = client.post("/keranjang/tambah", data={"product_id": product.id, "quantity": "1"})
    assert response.status_code == 400
    assert cart_of(client) == {}


def test_cart_says_plainly_when_price_changed_sold_out_or_archived(client, token):
    cheaper, sold, archived = shop_with_products(on_hand=(3, 1, 2), facilities=2)
    for product in (cheaper, sold, archived):
        add(client, token, product.id, "1")
    db.session.execute(update(Product).where(Product.id == cheaper.id).values(price=120_000))
    db.session.execute(
        update(Product).where(Product.id == sold.id).values(allocated=1)
    )  # someone else holds the only one
    db.session.execute(update(Product).where(Product.id == archived.id).values(status="archived"))
    db.session.commit()

    page = client.get("/keranjang").get_data(as_text=True)
    assert "Rp 150.000" in page and "Rp 120.000" in page  # old and new price named
    assert page.count("cart-line-blocked") == 2
    assert 'href="/checkout"' not in page  # cannot check out until fixed
    # The notice about the price is shown once; the cart now remembers today's price.
    assert cart_of(client)[str(cheaper.id)] == [1, 120_000]

    client.post(f"/keranjang/{sold.id}/hapus", data={"csrf_token": token})
    client.post(f"/keranjang/{archived.id}/hapus", data={"csrf_token": token})
    page = client.get("/keranjang").get_data(as_text=True)
    assert 'href="/checkout"' in page
    assert "Rp 120.000" in page


def test_cart_survives_a_new_app_instance_with_the_same_secret(app, client, token):
    (product,) = shop_with_products(on_hand=(3,))
    add(client, token, product.id, "2")
    cookie = client.get_cookie("session")
    assert cookie is not None
    from shop import create_app

    restarted = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    fresh = restarted.test_client()
    fresh.set_cookie("session", cookie.value)
    with restarted.app_context():
        page = fresh.get("/keranjang").get_data(as_text=True)
    assert product.name in page and "Rp 300.000" in page


def test_add_to_cart_partial(app):
    (product,) = shop_with_products(on_hand=(2,))
    sold = make_product(on_hand=1, allocated=1)
    unique = make_product(on_hand=1, one_of_a_kind=True)
    db.session.commit()
    from flask import render_template

    with app.test_request_context("/produk/x"):
        normal = render_template("cart/_add_to_cart.html", product=product)
        gone = render_template("cart/_add_to_cart.html", product=sold)
        single = render_template("cart/_add_to_cart.html", product=unique)
    assert 'name="csrf_token"' not in normal  # no session needed (checked by origin)
    assert 'max="2"' in normal and 'name="price"' not in normal
    assert "disabled" in gone and "Habis" in gone
    assert 'type="hidden" name="quantity" value="1"' in single
