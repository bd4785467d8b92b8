"""Kept product cards (shop/catalog/fragments.py): the same bytes as cards rendered
afresh, and never older than the rows the page just read, with the page cache off."""

from __future__ import annotations

import pytest
from catalog_data import add_photo, small_shop
from factories import make_product

from shop.catalog import fragments, services
from shop.extensions import db
from shop.inventory.services import hold_stock
from shop.uow import unit_of_work


@pytest.fixture
def cards_kept(app):
    """The card cache on (as in production), empty before and after the test."""
    size = app.config["CATALOG_CARD_CACHE_SIZE"]
    app.config["CATALOG_CARD_CACHE_SIZE"] = 2000
    fragments.clear()
    yield
    app.config["CATALOG_CARD_CACHE_SIZE"] = size
    fragments.clear()


def _page(client, url: str, language: str = "id") -> str:
    client.set_cookie("lang", language)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _card(page: str, name: str) -> str:
    """The card of the product named ``name`` on a listing page."""
    before, after = page.split(f'class="card-title">{name}<', 1)
    return before.rsplit('<li class="product-card">', 1)[1] + after.split("</li>", 1)[0]


def test_pages_are_byte_identical_with_cards_kept_or_not(app, client, cards_kept):
    shop = small_shop()
    add_photo(shop["batik"], alt="Kain batik terlipat")
    db.session.commit()
    product = shop["batik"].slug
    paths = ("/", "/produk", "/produk?q=batik", f"/produk/{product}", "/fasilitas/lapas-banyuwangi")
    for language in ("id", "en"):
        app.config["CATALOG_CARD_CACHE_SIZE"] = 0
        rendered = [_page(client, path, language) for path in paths]
        app.config["CATALOG_CARD_CACHE_SIZE"] = 2000
        assert [_page(client, path, language) for path in paths] == rendered  # cards kept
        assert [_page(client, path, language) for path in paths] == rendered  # reused
    assert fragments._cards


def test_a_price_edit_shows_on_the_next_listing(client, cards_kept):
    product = make_product(name="Batik Kawung Sogan", price=150_000)
    db.session.commit()
    assert "Rp 150.000" in _card(_page(client, "/produk"), "Batik Kawung Sogan")

    product.price = 175_000
    db.session.commit()
    card = _card(_page(client, "/produk"), "Batik Kawung Sogan")
    assert "Rp 175.000" in card and "Rp 150.000" not in card


def test_a_new_main_photo_shows_on_the_next_listing(client, cards_kept):
    product = make_product(name="Tas Rotan Bundar")
    db.session.commit()
    assert 'class="placeholder"' in _card(_page(client, "/produk"), "Tas Rotan Bundar")

    photo = add_photo(product, alt="Tas rotan di meja")
    db.session.commit()
    card = _card(_page(client, "/produk"), "Tas Rotan Bundar")
    assert photo.content_hash in card and 'alt="Tas rotan di meja"' in card


def test_the_badge_follows_sales_and_a_sale_that_leaves_it_reuses_the_card(client, cards_kept):
    product = make_product(name="Kain Tenun Ikat Sumba", on_hand=3)
    db.session.commit()
    assert "badge-ok" in _card(_page(client, "/produk"), "Kain Tenun Ikat Sumba")
    kept = len(fragments._cards)

    with unit_of_work():  # one of three sold: still in stock, the same card
        hold_stock({product.id: 1}, {})
    assert "badge-ok" in _card(_page(client, "/produk"), "Kain Tenun Ikat Sumba")
    assert len(fragments._cards) == kept

    with unit_of_work():
        hold_stock({product.id: 1}, {})
    assert "badge-warn" in _card(_page(client, "/produk"), "Kain Tenun Ikat Sumba")

    with unit_of_work():
        hold_stock({product.id: 1}, {})
    assert "badge-bad" in _card(_page(client, "/produk"), "Kain Tenun Ikat Sumba")


def test_a_catalog_edit_empties_the_fragments(client, cards_kept, page_cache_on):
    product = make_product(name="Topi Pandan")
    db.session.commit()
    _page(client, "/produk")
    assert fragments._cards

    product.name = "Topi Pandan Anyam"
    db.session.commit()  # raises the catalog version: the next catalog request sees it
    page = _page(client, "/produk")
    assert "Topi Pandan Anyam" in page
    assert all(key[2] != "Topi Pandan" for key in fragments._cards)


def test_the_cards_kept_are_bounded(app, client, cards_kept):
    for n in range(5):
        make_product(name=f"Gelang Manik {n}")
    db.session.commit()
    app.config["CATALOG_CARD_CACHE_SIZE"] = 3
    page = _page(client, "/produk")
    assert all(f"Gelang Manik {n}" in page for n in range(5))
    assert len(fragments._cards) == 3


@pytest.fixture
def facets_kept(app):
    """The facet lists kept (as in production), so the filter sidebar is kept too."""
    app.config["CATALOG_FACET_TTL"] = 60
    services.clear_cache()
    fragments.clear()
    yield
    app.config["CATALOG_FACET_TTL"] = 0
    services.clear_cache()
    fragments.clear()


def _option(page: str, value: str) -> str:
    return page.split(f'<option value="{value}"', 1)[1].split("</option>", 1)[0]


def test_the_sidebar_is_kept_with_its_facet_lists_and_follows_them(client, facets_kept):
    shop = small_shop()
    db.session.commit()
    page = _page(client, "/produk?kategori=tenun")
    assert " selected>Tenun (" in _option(page, "tenun")
    [(key, kept)] = fragments._sidebars.items()
    assert _page(client, "/produk?kategori=tenun") == page
    assert fragments._sidebars[key] is kept  # reused, not rendered again
    assert _page(client, "/produk?kategori=tenun", "en") != page
    assert len(fragments._sidebars) == 2

    count = int(_option(page, "batik-tulis").rsplit("(", 1)[1].rstrip(")"))
    make_product(shop["facilities"][0], shop["categories"][0], name="Batik Baru")
    db.session.commit()  # a new version: facet lists and sidebars are forgotten
    assert f"({count + 1})" in _option(_page(client, "/produk?kategori=tenun"), "batik-tulis")


def test_no_sidebar_is_kept_while_the_facet_lists_are_not(client):
    small_shop()
    db.session.commit()
    fragments.clear()
    _page(client, "/produk")
    assert not fragments._sidebars
