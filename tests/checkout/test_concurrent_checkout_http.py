"""Many buyers check out at once against a real multi-process server on one SQLite file.

gunicorn runs 3 worker processes (not threads of this test), mail is delivered right
after each request (``MAIL_DELIVER_AFTER_REQUEST``, mail written to the log), and the
database is a fresh SQLite file: every buyer's order must be placed with no 5xx, and each
order's mail must go out exactly once.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import flask_migrate
import pytest
from factories import make_category, make_facility, make_product
from live_gunicorn import Browser, GunicornServer
from sqlalchemy import select
from staff_helpers import PASSWORD, make_user

from shop import create_app
from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.orders.models import Order
from shop.shipping.services import ensure_default_rates
from tests.checkout.test_checkout_flow import DETAILS

BUYERS = 48
STAFF = 8  # staff signing in and out during the rush: their writes wait their turn too
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CONFIRM = re.compile(r'name="(csrf_token|idempotency_key|expected_total)"[^>]*value="([^"]*)"')
MAIL_LOGGED = "MAIL_SERVER is empty; mail written to the log"


@pytest.fixture
def sqlite_shop(tmp_path, database_url):
    """A migrated SQLite file with two products in stock; yields (url, product ids)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite locking under concurrent writers: the PostgreSQL run has no file")
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    other = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "UPLOAD_DIR": str(tmp_path)}
    )
    with other.app_context():
        flask_migrate.upgrade()
        ensure_default_rates()
        facility = make_facility(province="Jawa Timur")
        category = make_category()
        products = [make_product(facility, category, on_hand=BUYERS) for _ in range(2)]
        ids = [p.id for p in products]
        staff = [make_user(facility).email for _ in range(STAFF)]
        db.session.commit()
        db.session.remove()
    yield url, ids, other, staff


@pytest.fixture
def server(sqlite_shop, tmp_path):
    url, _ids, _app, _staff = sqlite_shop
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": "concurrency-test-key",
        "SHOP_ENV": "development",
        "MAIL_SERVER": "",
        "MAIL_DELIVER_AFTER_REQUEST": "1",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SITE_URL": "http://shop.test",
        "LOG_LEVEL": "INFO",
        "RATELIMIT_LOGIN": "1000 per minute",
    }
    gunicorn = GunicornServer(env, tmp_path / "gunicorn.log", workers=3)
    gunicorn.start()
    yield gunicorn
    gunicorn.stop()


def _tracebacks(log: str) -> str:
    return "\n".join(line for line in log.splitlines() if "Error" in line or "File" in line)[-6000:]


def _buy(base_url: str, n: int, product_id: int) -> dict:
    """One buyer's whole checkout; returns every status seen and where the order landed."""
    browser = Browser(base_url)
    seen = []

    def step(answer):
        seen.append(answer.status)
        return answer

    token = CSRF.search(step(browser.get("/pesanan/cari")).text).group(1)
    step(browser.post("/keranjang/tambah", {"csrf_token": token, "product_id": product_id}))
    token = CSRF.search(step(browser.get("/checkout")).text).group(1)
    email = f"buyer{n}@example.com"
    step(browser.post("/checkout", {**DETAILS, "csrf_token": token, "email": email}))
    fields = dict(CONFIRM.findall(step(browser.get("/checkout/ringkasan")).text))
    placed = step(browser.post("/checkout/pesan", {**fields, "payment_method": "bank_transfer"}))
    track = step(browser.get(placed.location)) if placed.location.startswith("/pesanan/") else None
    return {
        "email": email,
        "statuses": seen,
        "location": placed.location,
        "track_ok": track is not None and "Rp" in track.text,
    }


def _sign_in_and_out(base_url: str, email: str) -> dict:
    """A staff member signs in, opens the dashboard and signs out (each a write)."""
    browser = Browser(base_url)
    seen = []

    def step(answer):
        seen.append(answer.status)
        return answer

    token = CSRF.search(step(browser.get("/masuk")).text).group(1)
    form = {"csrf_token": token, "email": email, "password": PASSWORD}
    signed_in = step(browser.post("/masuk", form))
    dashboard = step(browser.get("/dasbor/"))
    token = CSRF.search(dashboard.text).group(1) if dashboard.status == 200 else ""
    signed_out = step(browser.post("/keluar", {"csrf_token": token}))
    where = (signed_in.location, dashboard.status, signed_out.location)
    return {"email": email, "statuses": seen, "ok": where == ("/dasbor/", 200, "/masuk")}


def test_buyers_checking_out_at_once_all_get_their_order_and_one_mail(sqlite_shop, server):
    _url, product_ids, other, staff = sqlite_shop
    with ThreadPoolExecutor(max_workers=BUYERS + STAFF) as pool:
        futures = [pool.submit(_buy, server.url, n, product_ids[n % 2]) for n in range(BUYERS)]
        staff_futures = [pool.submit(_sign_in_and_out, server.url, email) for email in staff]
        results = [f.result(timeout=120) for f in futures]
        staff_results = [f.result(timeout=120) for f in staff_futures]

    server.stop()  # every worker has finished its after-request mail
    log = server.log.read_text()
    errors = [
        (r["email"], r["statuses"])
        for r in results + staff_results
        if any(s >= 500 for s in r["statuses"])
    ]
    assert errors == [], _tracebacks(log)
    assert all(r["location"].startswith("/pesanan/") for r in results), results
    assert all(r["track_ok"] for r in results)
    assert all(r["ok"] for r in staff_results), staff_results

    with other.app_context():
        orders = {o.email: o for o in db.session.scalars(select(Order))}
        mail = list(db.session.scalars(select(OutboxMessage)))
        db.session.remove()
    assert sorted(orders) == sorted(r["email"] for r in results)
    assert len(mail) == BUYERS
    assert {m.status for m in mail} == {"sent"}
    assert sorted(m.to_addr for m in mail) == sorted(orders)
    # Each order's mail was written to the log exactly once.
    assert log.count(MAIL_LOGGED) == BUYERS
    for order in orders.values():
        assert len(re.findall(rf"^Subject: .*{order.number}\b", log, re.MULTILINE)) == 1, (
            order.number
        )
