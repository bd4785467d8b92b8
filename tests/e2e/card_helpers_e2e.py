"""A card order paid through the fake Stripe, for browser tests that start from one."""

from __future__ import annotations

from order_helpers import place
from sqlalchemy import select

from shop.extensions import db
from shop.payments.stripe import checkout as card
from shop.payments.stripe.models import StripeCheckout
from shop.payments.stripe.webhooks import handle_event


def card_paid_order(fake_stripe, items):
    order = place(items, payment_method="card")
    card.start_card_payment(order.id, success_url="http://shop.test/ok", cancel_url="http://x/no")
    session_id = db.session.scalar(
        select(StripeCheckout.session_id).where(StripeCheckout.order_id == order.id)
    )
    assert handle_event(fake_stripe.complete(session_id)).outcome == "order paid"
    db.session.commit()
    return order
