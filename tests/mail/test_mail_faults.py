"""The mail server refuses or never answers while a buyer places an order: the order is
placed, the buyer sees it, the mail waits in the outbox, and MAIL_TIMEOUT bounds the wait."""

from __future__ import annotations

import contextlib
import time

import pytest
from faults import SilentServer, closed_port
from order_helpers import shop_with_products, stock
from sqlalchemy import select

from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.orders.models import Order
from shop.sqltypes import utcnow
from tests.checkout.test_checkout_flow import confirm_form, fill_cart, submit_details

MAIL_TIMEOUT = 1.0


@pytest.mark.parametrize("smtp", ["closed", "silent"])
def test_order_placed_and_mail_queued_when_smtp_is_down(app, client, monkeypatch, smtp):
    with contextlib.ExitStack() as stack:
        port = closed_port() if smtp == "closed" else stack.enter_context(SilentServer()).port
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", MAIL_TIMEOUT)
        monkeypatch.setitem(app.config, "MAIL_DELIVER_AFTER_REQUEST", True)
        (product,) = shop_with_products(on_hand=(2,))
        fill_cart(client, (product, 1))
        assert submit_details(client).status_code == 303
        form = confirm_form(client)

        started = time.monotonic()
        response = client.post("/checkout/pesan", data=form)
        elapsed = time.monotonic() - started

    assert response.status_code == 303
    assert response.location.startswith("/pesanan/")
    assert elapsed < MAIL_TIMEOUT + 3  # MAIL_TIMEOUT bounds the wait for the mail server
    if smtp == "silent":
        assert elapsed >= MAIL_TIMEOUT * 0.9  # it did wait for the server, then gave up

    db.session.commit()
    (order,) = db.session.scalars(select(Order)).all()
    page = client.get(response.location).get_data(as_text=True)
    assert order.number in page
    assert stock(product.id) == (2, 1)
    (message,) = db.session.scalars(select(OutboxMessage)).all()
    assert (message.status, message.attempts, message.to_addr) == ("pending", 1, order.email)
    assert message.claim_token is None and message.sent_at is None
    assert ("timed out" if smtp == "silent" else "refused") in message.last_error.lower()
    assert message.next_attempt_at > utcnow()  # send-mail tries again later
