"""SQL statements per page stay few and constant: not growing with products or page size."""

import pytest
from catalog_data import add_photo
from factories import make_category, make_facility, make_product

from shop.extensions import db


def build(n_products: int) -> str:
    facilities = [make_facility(province=p) for p in ("Bali", "Jawa Timur", "Papua")]
    categories = [make_category() for _ in range(3)]
    first = None
    for i in range(n_products):
        product = make_product(
            facilities[i % 3], categories[i % 3], name=f"Kain Batik {i}", technique="batik tulis"
        )
        add_photo(product, 0)
        add_photo(product, 1)
        first = first or product.slug
    db.session.commit()
    return first


def count(client, queries, url: str) -> int:
    client.get(url)  # warm-up: flask-login, babel and template caches
    with queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


URLS = [
    "/",
    "/produk",
    "/produk?q=batik+tul",
    "/produk?q=kain&kategori={cat}&tersedia=1&harga_min=1000&urut=harga_naik",
    "/produk/{slug}",
    "/fasilitas",
    "/fasilitas/{facility}",
]


def measure(app, client, queries, n_products: int, page_size: int) -> dict[str, int]:
    slug = build(n_products)
    from shop.catalog.models import Product

    product = db.session.scalars(db.select(Product).where(Product.slug == slug)).one()
    cat = db.session.get(type(product).category.property.mapper.class_, product.category_id).slug
    facility = db.session.get(
        type(product).facility.property.mapper.class_, product.facility_id
    ).slug
    db.session.remove()
    app.config["CATALOG_PAGE_SIZE"] = page_size
    try:
        return {
            url: count(client, queries, url.format(slug=slug, cat=cat, facility=facility))
            for url in URLS
        }
    finally:
        app.config["CATALOG_PAGE_SIZE"] = 24


@pytest.mark.parametrize(("n_products", "page_size"), [(40, 12), (5, 48), (40, 48)])
def test_statement_counts_are_constant(app, client, queries, n_products, page_size):
    counts = measure(app, client, queries, n_products, page_size)
    expected = {
        "/": 3,  # featured cards (main photo joined), categories, facilities
        "/produk": 4,  # the page's cards (main photo joined), 3 facet lists (the total is
        # their sum)
        # which words the catalog holds (misspellings) with the catalog words near
        # "batik" (none one edit away here, so no counts of them), the search's count
        # and facets (up to COUNT_BOUND), named-first page, the other matches (no name
        # holds "tul"), the cards and 3 facet lists; a page the named products fill
        # needs no second list; on PostgreSQL first the planner's estimate of the matches
        # (which decides where they are read, shop/catalog/services.py)
        "/produk?q=batik+tul": 9 if db.engine.dialect.name == "postgresql" else 8,
        # ("kain" has synonyms, so no word check) the search's count and facets, which
        # also give the total, the page's cards, 3 facet lists
        "/produk?q=kain&kategori={cat}&tersedia=1&harga_min=1000&urut=harga_naik": 5,
        # its live row, the product with its photos, related cards (one Core SELECT), split
        "/produk/{slug}": 4,
        "/fasilitas": 1,
        "/fasilitas/{facility}": 4,  # facility, count, the page's cards, the split today
    }
    assert counts == expected


def test_a_search_kept_warm_reads_only_its_cards_like_the_catalog(app, client, queries):
    """With the facet lists and search counts kept (production), a search seen before
    costs what the catalog page costs: its page's cards."""
    build(40)
    db.session.remove()
    app.config["CATALOG_FACET_TTL"] = 60
    try:
        warm = {url: count(client, queries, url) for url in ("/produk", "/produk?q=batik+tul")}
    finally:
        app.config["CATALOG_FACET_TTL"] = 0
        from shop.catalog import services

        services.clear_cache()
    assert warm == {"/produk": 1, "/produk?q=batik+tul": 1}


def test_a_facility_page_takes_its_count_and_split_from_the_kept_facet_lists(app, client, queries):
    from shop.catalog import services

    slug = build(30)  # ten products in each of three facilities
    facility = db.session.scalar(
        db.text(
            "SELECT f.slug FROM facility f JOIN product p ON p.facility_id = f.id "
            "WHERE p.slug = :slug"
        ),
        {"slug": slug},
    )
    app.config["CATALOG_FACET_TTL"] = 60
    services.clear_cache()
    try:
        # the facility and the page's cards: no count, the split today kept
        assert count(client, queries, f"/fasilitas/{facility}") == 2
        page = client.get(f"/fasilitas/{facility}").get_data(as_text=True)
        assert '<span class="muted">(10)</span>' in page
    finally:
        app.config["CATALOG_FACET_TTL"] = 0
        services.clear_cache()
