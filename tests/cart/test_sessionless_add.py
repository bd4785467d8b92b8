"""A visitor who only looks gets no session; the add-to-cart form still works without
one, and is still refused when posted from another site."""

from __future__ import annotations

import pytest
from order_helpers import shop_with_products

OURS = "http://localhost"


def _cart_cookie(response) -> str:
    return "".join(v for k, v in response.headers.items() if k == "Set-Cookie")


def test_browsing_sets_no_cookie(client):
    (product,) = shop_with_products(on_hand=(3,))
    for path in ("/", "/produk", f"/produk/{product.slug}", "/fasilitas"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
    page = client.get(f"/produk/{product.slug}").get_data(as_text=True)
    assert 'action="/keranjang/tambah"' in page and "csrf_token" not in page


@pytest.mark.parametrize(
    "headers",
    [{"Origin": OURS}, {"Referer": f"{OURS}/produk/x"}],
    ids=["origin", "referer"],
)
def test_adding_from_the_product_page_starts_the_session(client, headers):
    (product,) = shop_with_products(on_hand=(3,))
    client.get(f"/produk/{product.slug}")
    added = client.post(
        "/keranjang/tambah", data={"product_id": product.id, "quantity": "2"}, headers=headers
    )
    assert added.status_code == 303
    assert "session=" in _cart_cookie(added)
    with client.session_transaction() as session:
        assert session["cart"] == {str(product.id): [2, 150_000]}
    assert ">2</span>" in client.get("/keranjang").get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/shop"},
        {"Origin": "http://localhost.evil.example"},
        {},
    ],
    ids=["other-origin", "null-origin", "other-referer", "lookalike", "nothing"],
)
def test_a_cross_site_add_is_refused(client, headers):
    (product,) = shop_with_products(on_hand=(3,))
    response = client.post(
        "/keranjang/tambah", data={"product_id": product.id, "quantity": "1"}, headers=headers
    )
    assert response.status_code == 400
    assert "tidak berasal dari toko ini" in response.get_data(as_text=True)
    assert "session=" not in _cart_cookie(response)
    with client.session_transaction() as session:
        assert "cart" not in session


def test_another_origin_is_refused_even_with_a_valid_token(client):
    """A stolen token does not help a page of another site: its Origin gives it away."""
    from csrf import csrf_token_from

    (product,) = shop_with_products(on_hand=(3,))
    token = csrf_token_from(client.get("/pesanan/cari").get_data(as_text=True))
    response = client.post(
        "/keranjang/tambah",
        data={"csrf_token": token, "product_id": product.id, "quantity": "1"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "cart" not in session
