"""Public catalog pages read in autocommit on PostgreSQL (shop/database.py): no BEGIN and
no ROLLBACK around their statements, and nothing of it outlives the page.

SQLite keeps its own transaction handling (the test is PostgreSQL's): there BEGIN and
ROLLBACK cost no round trip.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select

from shop.catalog.models import Category
from shop.extensions import db
from tests.factories import make_category, make_product


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("autocommit reads are PostgreSQL's")


@pytest.fixture
def autocommit_seen() -> Iterator[list[bool]]:
    """For each statement sent, whether its connection was in autocommit."""
    seen: list[bool] = []

    def record(connection, *_args) -> None:
        seen.append(connection.connection.dbapi_connection.autocommit)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def product() -> dict:
    """The product's id and slug, read before the commit: reading them after it would
    begin the test's own transaction, which its requests then share."""
    item = make_product(name="Tas Rotan Anyam")
    values = {"id": item.id, "slug": item.slug}
    db.session.commit()
    return values


@pytest.mark.parametrize("path", ["/", "/produk", "/produk?q=rotan", "/fasilitas"])
def test_catalog_pages_read_in_autocommit(client, product, autocommit_seen, path):
    response = client.get(path)
    assert response.status_code == 200
    assert autocommit_seen, "the page read nothing"
    assert all(autocommit_seen), autocommit_seen


def test_product_page_reads_its_stock_and_body_in_autocommit(client, product, autocommit_seen):
    response = client.get(f"/produk/{product['slug']}")
    assert "Tas Rotan Anyam" in response.get_data(as_text=True)
    assert len(autocommit_seen) >= 2  # the live stock, then the body
    assert all(autocommit_seen), autocommit_seen


def test_nothing_after_the_page_writes_in_autocommit(client, product, autocommit_seen):
    """The connection goes back to the pool in transactions as before: a write after a
    catalog page, rolled back, leaves nothing."""
    client.get("/produk")
    autocommit_seen.clear()
    make_category(slug="tidak-disimpan")
    db.session.rollback()
    assert autocommit_seen == [False]  # the INSERT, inside a transaction
    assert db.session.scalar(select(Category).filter_by(slug="tidak-disimpan")) is None


def test_adding_to_the_cart_is_not_read_in_autocommit(client, product, autocommit_seen):
    client.get(f"/produk/{product['slug']}")
    autocommit_seen.clear()
    response = client.post(
        "/keranjang/tambah",
        data={"product_id": product["id"], "quantity": "1"},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code in (302, 303)
    assert autocommit_seen and not any(autocommit_seen), autocommit_seen
