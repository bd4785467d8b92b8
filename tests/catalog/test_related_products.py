"""The product page's "You may also like": cards from one Core SELECT, kept per facility
and category, never the product itself."""

from __future__ import annotations

from catalog_data import add_photo
from factories import make_category, make_facility, make_product

from shop.catalog import page_cache, services
from shop.extensions import db


def _related(html: str) -> str:
    return html.split('id="related-title"', 1)[1]


def test_same_facility_first_then_same_category_never_itself(queries):
    facility, category = make_facility(), make_category()
    shown = make_product(facility=facility, category=category, name="Kain Pokok")
    elsewhere = make_product(category=category, name="Kain Kategori Sama")
    sibling = make_product(facility=facility, name="Tas Fasilitas Sama", on_hand=1)
    add_photo(sibling, position=1, alt="kedua")
    add_photo(sibling, position=0, alt="utama")
    make_product(name="Tidak Terkait")
    make_product(facility=facility, name="Draf", status="draft")
    db.session.commit()
    assert shown.facility_id == facility.id  # loaded again after the commit, not counted

    with queries() as counted:
        cards = services.related_products(shown, 4)
    assert counted.count == 1
    assert [c.name for c in cards] == ["Tas Fasilitas Sama", "Kain Kategori Sama"]
    assert cards[0].main_photo.alt_text == "utama" and cards[1].main_photo is None
    assert services.availability(cards[0]) == "last_one"
    assert cards[0].facility.name == facility.name
    assert [c.name for c in services.related_products(sibling, 4)] == ["Kain Pokok"]
    assert elsewhere.id in {c.id for c in services.related_products(shown, 4)}


def test_at_most_limit_cards_even_when_the_product_is_among_the_newest():
    facility = make_facility()
    products = [make_product(facility=facility) for _ in range(6)]
    db.session.commit()
    newest = products[-1]
    cards = services.related_products(newest, 4)
    assert [c.id for c in cards] == [p.id for p in reversed(products[1:5])]


def test_the_product_page_keeps_the_related_cards(client, queries, page_cache_on):
    facility = make_facility()
    shown = make_product(facility=facility, name="Kain Pokok")
    other = make_product(facility=facility, name="Selendang Parang", on_hand=3)
    db.session.commit()
    page = client.get(f"/produk/{shown.slug}").get_data(as_text=True)
    assert "Selendang Parang" in _related(page)

    with queries() as counted:
        again = client.get(f"/produk/{shown.slug}").get_data(as_text=True)
    assert "Selendang Parang" in _related(again)
    assert counted.count == 1, counted  # the live row: the body and its related were kept

    page_cache._product_entries.clear()  # the body rebuilt, the related cards still kept
    with queries() as counted:
        rebuilt = client.get(f"/produk/{shown.slug}").get_data(as_text=True)
    assert "Selendang Parang" in _related(rebuilt)
    assert counted.count == 3, counted  # live row, the product with its photos, the split

    # The product's own page is always live: its stock and price show at once.
    other.on_hand, other.price = 0, 175_000
    db.session.commit()
    own = client.get(f"/produk/{other.slug}").get_data(as_text=True)
    assert "Rp 175.000" in own and "disabled" in own.split('class="add-to-cart"', 1)[1]
