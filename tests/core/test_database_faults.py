"""The database stops or freezes under a running shop (a PostgreSQL of the test's own).

Visitors, signed-in staff and a buyer placing an order each get the "shop is busy" page
(503) within seconds, in their language, with no database needed to draw it; /healthz
says 503; and once the database is back nothing was half-written and the same order
form places the order once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace

import flask_migrate
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from staff_helpers import make_user, sign_in
from throwaway_postgres import ThrowawayPostgres, postgres_bin

from shop import create_app
from shop.catalog.models import Product
from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.orders.models import Order
from tests.checkout.test_checkout_flow import confirm_form, fill_cart, submit_details

ANSWER_TIMEOUT = 1.5  # seconds a request waits for an answer from the database
CONNECT_TIMEOUT = 2  # libpq's minimum
WITHIN = 10  # a request against a dead or frozen database ends within this (s)
BUSY_ID = "Toko sedang sibuk"
BUSY_EN = "The shop is busy"


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    if postgres_bin() is None:
        pytest.skip("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/pg_ctl)")
    server = ThrowawayPostgres()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="module")
def pg_app(postgres, tmp_path_factory):
    """The shop as in production (errors answered by its pages) on the throwaway server."""
    shop = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": postgres.url,
            "SECRET_KEY": "fault-test-key",
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "SITE_URL": "http://shop.test",
            "MAIL_DELIVER_AFTER_REQUEST": False,
            "CATALOG_FACET_TTL": 0,
            "CATALOG_PAGE_CACHE_SECONDS": 0,
            "DB_CONNECT_TIMEOUT": CONNECT_TIMEOUT,
            "DB_STATEMENT_TIMEOUT": 1,
            "DB_ANSWER_TIMEOUT": ANSWER_TIMEOUT,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    with shop.app_context():
        flask_migrate.upgrade()
        db.session.remove()
    return shop


@pytest.fixture
def shop_data(pg_app):
    """A product (3 in stock) and a staff member, committed; every table emptied after."""
    from order_helpers import shop_with_products

    with pg_app.app_context():
        (product,) = shop_with_products(on_hand=(3,))
        staff = make_user()
        db.session.commit()
        data = SimpleNamespace(product_id=product.id, staff_email=staff.email)
        db.session.remove()
    yield data
    with pg_app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


def _timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


def _await_healthy(client, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if client.get("/healthz").status_code == 200:
            return
        time.sleep(0.2)  # polling with a deadline
    raise AssertionError(f"/healthz not 200 within {within}s after the database came back")


def _state(pg_app, product_id: int) -> tuple:
    with pg_app.app_context():
        row = db.session.execute(
            select(Product.on_hand, Product.allocated).where(Product.id == product_id)
        ).one()
        orders = db.session.scalar(select(func.count()).select_from(Order))
        mail = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        db.session.remove()
    return tuple(row), orders, mail


def _people(pg_app, data):
    """A visitor, a signed-in staff member and a buyer about to confirm, all warmed up."""
    visitor, staff, buyer = pg_app.test_client(), pg_app.test_client(), pg_app.test_client()
    assert visitor.get("/").status_code == 200
    assert sign_in(staff, data.staff_email).status_code == 303
    assert staff.get("/dasbor/").status_code == 200
    fill_cart(buyer, (SimpleNamespace(id=data.product_id), 1))
    assert submit_details(buyer).status_code == 303
    return visitor, staff, buyer, confirm_form(buyer)


def _assert_busy_pages(visitor, staff, buyer, order_form) -> None:
    page, took = _timed(visitor.get, "/")
    assert (page.status_code, took < WITHIN) == (503, True), took
    html = page.get_data(as_text=True)
    assert BUSY_ID in html and 'lang="id"' in html
    assert "Silakan coba lagi beberapa saat lagi." in html
    assert "pesanan yang sama" not in html  # the order reassurance is for buyers only
    assert page.headers["Retry-After"] == "30"

    english, took = _timed(visitor.get, "/produk", headers={"Accept-Language": "en"})
    assert (english.status_code, took < WITHIN) == (503, True), took
    assert BUSY_EN in english.get_data(as_text=True)

    dashboard, took = _timed(staff.get, "/dasbor/")
    assert (dashboard.status_code, took < WITHIN) == (503, True), took
    html = dashboard.get_data(as_text=True)
    assert BUSY_ID in html and "Internal Server Error" not in html

    placed, took = _timed(buyer.post, "/checkout/pesan", data=order_form)
    assert (placed.status_code, took < WITHIN) == (503, True), took
    html = placed.get_data(as_text=True)
    assert BUSY_ID in html and "Aman untuk mencoba lagi" in html

    health, took = _timed(visitor.get, "/healthz")
    assert (health.status_code, took < WITHIN) == (503, True), took
    assert health.get_json() == {"status": "unavailable", "database": "unreachable"}


def _assert_recovered(pg_app, data, visitor, staff, buyer, order_form) -> None:
    _await_healthy(visitor)
    # Nothing was half-written: no order, stock untouched, no mail.
    assert _state(pg_app, data.product_id) == ((3, 0), 0, 0)
    # The buyer's same form now places the order, once.
    placed = buyer.post("/checkout/pesan", data=order_form)
    assert placed.status_code == 303 and placed.location.startswith("/pesanan/")
    assert buyer.post("/checkout/pesan", data=order_form).location == placed.location
    assert _state(pg_app, data.product_id) == ((3, 1), 1, 1)
    assert staff.get("/dasbor/").status_code == 200  # the staff session carried on
    assert visitor.get("/").status_code == 200


def test_database_stopped(pg_app, postgres, shop_data):
    people = _people(pg_app, shop_data)
    postgres.stop()
    try:
        _assert_busy_pages(*people)
    finally:
        postgres.start()
    _assert_recovered(pg_app, shop_data, *people)


def test_database_frozen(pg_app, postgres, shop_data):
    people = _people(pg_app, shop_data)
    postgres.freeze()  # SIGSTOP: connections stay open, the server answers nothing
    try:
        _assert_busy_pages(*people)
    finally:
        postgres.thaw()
    _assert_recovered(pg_app, shop_data, *people)


def test_a_slow_statement_is_cancelled_by_the_server(pg_app, shop_data):
    with pg_app.app_context():
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"):
            db.session.execute(text("SELECT pg_sleep(10)"))
        assert time.monotonic() - started < 3
        db.session.rollback()
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        db.session.remove()
