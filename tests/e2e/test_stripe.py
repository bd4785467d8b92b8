"""A buyer pays by card through the fake Stripe's hosted page and lands on a paid order."""

from __future__ import annotations

import re
import threading

import pytest
from e2e_helpers import fill_buyer_details
from factories import make_category, make_facility, make_product
from fake_stripe.fixtures import fake_stripe  # noqa: F401
from sqlalchemy import select
from werkzeug.serving import make_server

from shop import create_app
from shop.catalog.models import Product
from shop.extensions import db
from shop.orders.models import Order
from shop.payments.stripe.models import StripeEvent
from shop.shipping.services import ensure_default_rates


@pytest.fixture
def card_server(app, fake_stripe):  # noqa: F811 - the fixture imported above
    """The shop with Stripe keys, served on 127.0.0.1: its own app (same database), since
    the Content-Security-Policy, built at start, must allow the form POST that redirects
    to the fake Stripe's origin (``form-action``), as it allows checkout.stripe.com."""
    card_app = create_app(
        {
            **{
                key: app.config[key]
                for key in (
                    "TESTING",
                    "SECRET_KEY",
                    "UPLOAD_DIR",
                    "SQLALCHEMY_DATABASE_URI",
                    "SITE_URL",
                )
            },
            "SERVER_NAME": None,
            "STRIPE_SECRET_KEY": fake_stripe.api_key,
            "STRIPE_WEBHOOK_SECRET": fake_stripe.webhook_secret,
            "STRIPE_API_BASE": fake_stripe.url,
            "STRIPE_TIMEOUT": 5.0,
            "STRIPE_MAX_NETWORK_RETRIES": 0,
            "CSP_EXTRA": {"form-action": [fake_stripe.url]},
        }
    )
    server = make_server("127.0.0.1", 0, card_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    fake_stripe.webhook_url = f"{url}/payments/stripe/webhook"
    yield url
    server.shutdown()
    thread.join(timeout=10)
    with card_app.app_context():
        from shop.extensions import db as card_db

        card_db.engine.dispose()


@pytest.fixture
def card_shop():
    ensure_default_rates()
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi", province="Jawa Timur")
    batik = make_product(
        facility,
        make_category(name_id="Kain", name_en="Cloth"),
        slug="batik-tulis-kartu",
        name="Batik Tulis Kawung",
        price=450_000,
        on_hand=1,
        one_of_a_kind=True,
        weight_grams=400,
    )
    db.session.commit()
    return batik


def test_buyer_pays_by_card_and_lands_on_a_paid_order(page, fake_stripe, card_server, card_shop):  # noqa: F811
    batik = card_shop
    page.goto(f"{card_server}/produk/{batik.slug}")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.wait_for_url("**/keranjang")
    page.get_by_role("link", name="Checkout", exact=True).last.click()
    page.wait_for_url("**/checkout")
    fill_buyer_details(page)
    page.get_by_role("button", name="Lanjut ke ringkasan").click()
    page.wait_for_url("**/checkout/ringkasan")

    page.get_by_label("Kartu (Visa, Mastercard, JCB) melalui Stripe").check()
    fake_stripe.hold_webhooks = True  # Stripe's webhook may come after the buyer is back
    page.get_by_role("button", name="Buat pesanan").click()

    # On Stripe's (fake) hosted page.
    page.wait_for_url(f"{fake_stripe.url}/pay/*")
    assert "IDR" in page.locator("#total").inner_text()
    page.locator("#pay").click()

    # Back at the shop: the order is not paid until the verified webhook arrives.
    page.wait_for_url(re.compile(r".*/bayar/kartu/[\w-]+/selesai\?session_id=cs_test_\w+$"))
    assert page.locator(".order-status").inner_text() == "Mengonfirmasi pembayaran"
    db.session.commit()
    order = db.session.execute(select(Order)).scalar_one()
    assert order.status == "awaiting_payment"

    assert fake_stripe.deliver_held() == [200]
    # The page refreshes itself and shows the order paid.
    page.wait_for_selector('.order-status[data-status="paid"]')
    assert page.locator("#paid").is_visible()
    db.session.commit()
    order = db.session.execute(select(Order)).scalar_one()
    assert order.status == "paid"
    assert db.session.execute(select(StripeEvent.type)).scalar_one() == (
        "checkout.session.completed"
    )
    product = db.session.get(Product, batik.id, populate_existing=True)
    assert (product.on_hand, product.allocated) == (0, 0)

    page.locator("#order-link").click()
    page.wait_for_url(f"**/pesanan/{order.public_token}")
    assert page.locator(".order-status").get_attribute("data-status") == "paid"
