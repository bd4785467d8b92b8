"""Checkout by card through the views, with the fake Stripe up, down or slow."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from csrf import csrf_token_from
from faults import SilentServer
from order_helpers import shop_with_products, stock
from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import Order
from shop.payments.models import Payment
from shop.payments.stripe.models import StripeCheckout
from shop.sqltypes import utcnow

DETAILS = {
    "name": "Siti Rahma",
    "email": "siti@example.com",
    "phone": "0812-3456-7890",
    "street": "Jl. Melati No. 5",
    "province": "DKI Jakarta",
    "city": "Jakarta Selatan",
    "district": "Tebet",
    "postal_code": "12810",
    "note": "",
    "courier": "jne",
}


def to_summary(client, product):
    token = csrf_token_from(client.get("/pesanan/cari").get_data(as_text=True))
    client.post(
        "/keranjang/tambah", data={"csrf_token": token, "product_id": product.id, "quantity": "1"}
    )
    token = csrf_token_from(client.get("/checkout").get_data(as_text=True))
    assert client.post("/checkout", data={"csrf_token": token, **DETAILS}).status_code == 303
    return client.get("/checkout/ringkasan").get_data(as_text=True)


def place_by(client, product, method):
    html = to_summary(client, product)
    fields = dict(
        re.findall(r'name="(csrf_token|idempotency_key|expected_total)"[^>]*value="([^"]*)"', html)
    )
    return client.post("/checkout/pesan", data={**fields, "payment_method": method})


def the_order() -> Order:
    db.session.commit()
    return db.session.execute(select(Order)).scalar_one()


def attempts(order) -> list[StripeCheckout]:
    db.session.commit()
    return list(
        db.session.execute(
            select(StripeCheckout)
            .where(StripeCheckout.order_id == order.id)
            .order_by(StripeCheckout.id)
        ).scalars()
    )


@pytest.fixture
def product(app):
    (product,) = shop_with_products(on_hand=(1,))
    return product


def test_card_is_not_offered_without_stripe_keys(client, product):
    html = to_summary(client, product)
    assert 'value="bank_transfer"' in html
    assert 'value="card"' not in html
    assert "Kartu: Anda membayar di halaman aman Stripe" not in html
    response = place_by(client, product, "card")
    assert response.status_code == 303
    assert db.session.execute(select(Order)).first() is None  # refused, nothing placed


def test_card_order_redirects_to_stripe_with_303(client, stripe_app, fake_stripe, product):
    summary = to_summary(client, product)
    assert 'value="card"' in summary
    assert "barang disimpan untuk Anda selama 30 menit" in summary
    response = place_by(client, product, "card")

    assert response.status_code == 303
    order = the_order()
    (attempt,) = attempts(order)
    assert response.location == f"{fake_stripe.url}/pay/{attempt.session_id}"
    assert order.payment_method == "card" and order.unique_code == 0
    assert order.amount_due == order.total
    session = fake_stripe.sessions[attempt.session_id]
    # The session expires with the order's hold; the hold is the card deadline (~30 min).
    assert session["expires_at"] == int(order.payment_deadline.timestamp())
    minutes = (order.payment_deadline - order.placed_at).total_seconds() / 60
    assert 30 < minutes <= 31.5
    assert session["amount_total"] == order.total * 100
    assert session["client_reference_id"] == order.number
    assert session["success_url"].endswith(
        f"/bayar/kartu/{order.public_token}/selesai?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert stock(product.id) == (1, 1)
    payment = db.session.get(Payment, attempt.payment_id)
    assert (payment.provider, payment.status, payment.amount) == ("stripe", "pending", order.total)


@pytest.mark.parametrize("trouble", ["down", "slow", "silent"])
def test_stripe_down_or_slow_during_checkout(client, stripe_app, fake_stripe, product, trouble):
    silent = SilentServer()  # accepts connections, never answers a byte
    if trouble == "down":
        fake_stripe.down()
    elif trouble == "slow":
        stripe_app.config["STRIPE_TIMEOUT"] = 0.3
        fake_stripe.delay = 5
    else:
        stripe_app.config["STRIPE_TIMEOUT"] = 0.5
        stripe_app.config["STRIPE_API_BASE"] = silent.url
    with silent:
        started = time.monotonic()
        response = place_by(client, product, "card")
        elapsed = time.monotonic() - started

    assert elapsed < 5  # STRIPE_TIMEOUT bounds the wait, whatever Stripe does
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert 'id="card-error"' in html
    assert "Layanan pembayaran kartu sedang tidak merespons" in html  # Indonesian by default
    assert 'id="pay-by-card"' in html and 'id="switch-to-transfer"' in html
    order = the_order()
    assert order.status == "awaiting_payment" and attempts(order) == []
    assert stock(product.id) == (1, 1)  # the order keeps its item, nothing else changed

    # Stripe is back: "try again" opens the session.
    if trouble == "down":
        fake_stripe.up()
    fake_stripe.delay = 0
    stripe_app.config["STRIPE_API_BASE"] = fake_stripe.url
    token = csrf_token_from(html)
    retry = client.post(f"/bayar/kartu/{order.public_token}", data={"csrf_token": token})
    assert retry.status_code == 303
    (attempt,) = attempts(order)
    assert retry.location.endswith(f"/pay/{attempt.session_id}")


def test_switch_to_bank_transfer_after_stripe_failed(client, stripe_app, fake_stripe, product):
    fake_stripe.down()
    html = place_by(client, product, "card").get_data(as_text=True)
    order = the_order()
    response = client.post(
        f"/bayar/kartu/{order.public_token}/transfer", data={"csrf_token": csrf_token_from(html)}
    )
    assert response.status_code == 303
    order = the_order()
    assert order.payment_method == "bank_transfer"
    assert 1 <= order.unique_code <= 999 and order.amount_due == order.total + order.unique_code
    hours = (order.payment_deadline - order.placed_at).total_seconds() / 3600
    assert 23.9 < hours <= 24.1
    page = client.get(response.location).get_data(as_text=True)
    assert 'id="amount-due"' in page and 'id="pay-by-card"' not in page
    assert stock(product.id) == (1, 1)


def test_cancel_returns_to_the_order_with_pay_again(client, stripe_app, fake_stripe, product):
    place_by(client, product, "card")
    order = the_order()
    (first,) = attempts(order)

    back = client.get(f"/bayar/kartu/{order.public_token}/batal")
    assert back.status_code == 303
    # A GET writes nothing: the old session is closed when the buyer pays again.
    assert fake_stripe.sessions[first.session_id]["status"] == "open"
    assert not fake_stripe.calls("POST", f"/v1/checkout/sessions/{first.session_id}/expire")
    page = client.get(back.location).get_data(as_text=True)
    assert 'id="card-cancelled"' in page and 'id="pay-by-card"' in page
    assert the_order().status == "awaiting_payment"
    assert stock(product.id) == (1, 1)

    again = client.post(
        f"/bayar/kartu/{order.public_token}", data={"csrf_token": csrf_token_from(page)}
    )
    assert again.status_code == 303
    old, new = attempts(order)
    assert old.session_status == "expired" and new.session_status == "open"
    assert fake_stripe.sessions[first.session_id]["status"] == "expired"  # through the API
    assert again.location.endswith(f"/pay/{new.session_id}")
    keys = [c.idempotency_key for c in fake_stripe.calls("POST", "/v1/checkout/sessions")]
    assert keys[0].startswith(f"kb-order-{order.id}-card-1-")
    assert keys[1].startswith(f"kb-order-{order.id}-card-2-")


def test_new_attempt_expires_the_previous_session(client, stripe_app, fake_stripe, product):
    place_by(client, product, "card")
    order = the_order()
    page = client.get(f"/pesanan/{order.public_token}").get_data(as_text=True)
    client.post(f"/bayar/kartu/{order.public_token}", data={"csrf_token": csrf_token_from(page)})
    old, new = attempts(order)
    assert fake_stripe.sessions[old.session_id]["status"] == "expired"
    assert fake_stripe.sessions[new.session_id]["status"] == "open"
    assert db.session.get(Payment, old.payment_id).status == "expired"


def test_retries_cannot_hold_the_items_for_ever(client, stripe_app, fake_stripe, product):
    place_by(client, product, "card")
    order = the_order()
    # Two hours later the buyer tries again with only minutes of the hold left.
    order.placed_at -= timedelta(hours=2)
    order.payment_deadline = utcnow() + timedelta(minutes=5)
    db.session.commit()
    deadline = order.payment_deadline
    page = client.get(f"/pesanan/{order.public_token}").get_data(as_text=True)
    retry = client.post(
        f"/bayar/kartu/{order.public_token}", data={"csrf_token": csrf_token_from(page)}
    )
    assert retry.status_code == 303 and retry.location.endswith(f"/pesanan/{order.public_token}")
    followed = client.get(retry.location).get_data(as_text=True)
    assert "Pembayaran kartu tidak dapat lagi menahan barang ini" in followed
    db.session.expire_all()
    assert the_order().payment_deadline == deadline  # not extended
    assert len(attempts(order)) == 1  # no new session opened
    assert stock(product.id) == (1, 1)  # still held until the old deadline


def test_success_page_confirms_then_shows_paid(client, stripe_app, fake_stripe, product):
    place_by(client, product, "card")
    order = the_order()
    (attempt,) = attempts(order)
    event = fake_stripe.complete(attempt.session_id)
    url = f"/bayar/kartu/{order.public_token}/selesai?session_id={attempt.session_id}"

    waiting = client.get(url).get_data(as_text=True)
    assert 'id="confirming"' in waiting
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert 'data-status="awaiting_payment"' in waiting

    body, headers = fake_stripe.signed(event)
    assert client.post("/payments/stripe/webhook", data=body, headers=headers).status_code == 200
    paid = client.get(url).get_data(as_text=True)
    assert 'id="paid"' in paid and 'data-status="paid"' in paid
    assert 'http-equiv="refresh"' not in paid


def test_retry_after_a_lost_answer_gets_the_session_stripe_already_made(
    client, stripe_app, fake_stripe, product
):
    """Stripe created the session but answered after our timeout: the retry's idempotency
    key is the same, so Stripe replays that session instead of making a second one."""
    stripe_app.config["STRIPE_TIMEOUT"] = 0.3
    fake_stripe.delay = 0.8
    html = place_by(client, product, "card").get_data(as_text=True)
    order = the_order()
    assert attempts(order) == []
    assert fake_stripe.wait_for(lambda: fake_stripe.sessions)  # the late answer is made
    (made,) = fake_stripe.sessions

    fake_stripe.delay = 0
    retry = client.post(
        f"/bayar/kartu/{order.public_token}", data={"csrf_token": csrf_token_from(html)}
    )
    assert retry.location.endswith(f"/pay/{made}")
    assert len(fake_stripe.sessions) == 1
    (attempt,) = attempts(order)
    assert attempt.session_id == made
