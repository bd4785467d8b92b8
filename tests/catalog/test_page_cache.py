"""The listing's rendered parts are kept briefly per query and language."""

from __future__ import annotations

from factories import make_product

from shop.catalog import page_cache
from shop.extensions import db
from shop.inventory.services import hold_stock
from shop.uow import unit_of_work


def test_same_query_and_language_is_served_without_the_database(client, queries, page_cache_on):
    product = make_product(name="Batik Kawung Sogan", on_hand=1)
    db.session.commit()
    assert "badge-warn" in client.get("/produk").get_data(as_text=True)  # the last one

    with unit_of_work():  # sold: a sale leaves the kept pages alone (an edit would not)
        hold_stock({product.id: 1}, {})
    with queries() as counted:
        again = client.get("/produk").get_data(as_text=True)
    assert "badge-warn" in again  # the kept rendering …
    assert counted.count == 0, counted  # … with no SQL at all

    # Another query or another language is rendered afresh.
    assert "badge-bad" in client.get("/produk?urut=harga_naik").get_data(as_text=True)
    english = client.get("/produk", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "badge-bad" in english and "All products" in english


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


def test_searches_are_bounded_in_their_own_bucket(page_cache_on, monkeypatch):
    """Endless distinct searches never push kept pages out, nor grow without bound."""
    monkeypatch.setitem(page_cache._bounds, page_cache.SEARCHES, 10)
    page_cache.cached(("page",), 60, lambda: "kept page")
    for n in range(30):
        page_cache.cached(("search", n), 60, lambda n=n: n, page_cache.SEARCHES)
    assert len(page_cache._search_entries) == 10
    assert page_cache.cached(("page",), 60, lambda: "rebuilt") == "kept page"


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


def test_entries_kept_together_expire_apart(page_cache_on, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    builds: list[int] = []

    def build(n):
        builds.append(n)
        return n

    for n in range(50):
        page_cache.cached(("page", n), 10, lambda n=n: build(n))
    lifetimes = sorted(entry.fresh_until - 1000.0 for entry in page_cache._entries.values())
    assert lifetimes[0] >= 8.0 and lifetimes[-1] <= 10.0
    assert lifetimes[-1] - lifetimes[0] > 0.5  # spread out, not one burst

    clock[0] += 10.0  # outside a request, an expired entry is rebuilt by its caller
    builds.clear()
    for n in range(50):
        page_cache.cached(("page", n), 10, lambda n=n: build(n))
    assert builds == list(range(50))


def _header(page: str) -> str:
    return page.split('class="cart-link"', 1)[1][:300]


def _add(client, product, quantity: str, **extra):
    return client.post(
        "/keranjang/tambah",
        data={"product_id": product.id, "quantity": quantity, **extra},
        headers={"Origin": "http://localhost"},
        follow_redirects=True,
    )


def test_shoppers_get_the_kept_page_of_their_own_cart_count(
    app, queries, monkeypatch, page_cache_on
):
    from shop.catalog import views

    product = make_product(name="Kain Tenun Ikat Sumba", on_hand=9)
    db.session.commit()
    newcomer, two, one = app.test_client(), app.test_client(), app.test_client()
    assert 'class="badge"' not in _header(newcomer.get("/produk").get_data(as_text=True))
    _add(two, product, "2")
    _add(one, product, "1")

    assert ">2</span>" in _header(two.get("/produk").get_data(as_text=True))
    rendered: list[int] = []
    render = views._render_listing
    monkeypatch.setattr(views, "_render_listing", lambda *a: rendered.append(1) or render(*a))
    with queries() as counted:
        again = two.get("/produk").get_data(as_text=True)
    assert ">2</span>" in _header(again)
    assert counted.count == 0 and rendered == []  # the shopper's whole page was kept
    assert ">1</span>" in _header(one.get("/produk").get_data(as_text=True))
    assert 'class="badge"' not in _header(newcomer.get("/produk").get_data(as_text=True))

    two.get("/lang/en?next=/produk")
    english = two.get("/produk").get_data(as_text=True)
    assert '<html lang="en">' in english and "All products" in english
    assert ">2</span>" in _header(english)
    assert '<html lang="id">' in one.get("/produk").get_data(as_text=True)


def test_a_message_for_the_shopper_is_shown_not_a_kept_page(app, page_cache_on):
    product = make_product(name="Kain Tenun Ikat Sumba", on_hand=9)
    db.session.commit()
    shopper = app.test_client()
    _add(shopper, product, "1")
    assert ">1</span>" in _header(shopper.get("/produk").get_data(as_text=True))  # kept
    shown = _add(shopper, product, "1", next="/produk").get_data(as_text=True)
    assert "Ditambahkan ke keranjang." in shown and ">2</span>" in _header(shown)
    assert "Ditambahkan ke keranjang." not in shopper.get("/produk").get_data(as_text=True)


def test_signed_in_staff_are_never_served_a_kept_page(app, monkeypatch, page_cache_on):
    from staff_helpers import make_user, sign_in

    make_product(name="Kain Tenun Ikat Sumba")
    make_user(email="ada@lapas.test")
    db.session.commit()
    keys: list[tuple] = []
    original = page_cache.cached
    monkeypatch.setattr(
        page_cache, "cached", lambda key, *a, **k: keys.append(key) or original(key, *a, **k)
    )
    app.test_client().get("/produk")  # the shared page, now kept
    assert any("page" in key for key in keys)

    staff = app.test_client()
    assert sign_in(staff, "ada@lapas.test").status_code in (302, 303)
    keys.clear()
    page = staff.get("/produk").get_data(as_text=True)
    assert "Kain Tenun Ikat Sumba" in page
    assert keys and not any("page" in key for key in keys), keys  # parts only
