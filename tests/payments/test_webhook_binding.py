"""A webhook pays the order its stored Stripe ids name, and nothing when they disagree."""

from __future__ import annotations

import json
import time

import pytest
from order_helpers import place
from test_stripe_webhooks import checkout_of, count, fresh, payment_of, post

from shop.extensions import db
from shop.ledger.check import problems
from shop.orders.models import Order
from shop.payments import core
from shop.payments.models import PaymentTransaction
from shop.payments.stripe.models import StripeEvent


@pytest.fixture
def second_order(products, card_order):
    from card_helpers import start_card

    order = place({products[1].id: 1}, payment_method="card")
    start_card(order.id)
    return order


def _completed_with(fake_stripe, order, **changes) -> dict:
    event = fake_stripe.complete(checkout_of(order).session_id)
    event["data"]["object"].update(changes)
    return event


def test_another_orders_reference_on_our_session_pays_nothing(
    client, fake_stripe, card_order, second_order
):
    """The reported bug: session of order A, reference of order B, must pay neither."""
    event = _completed_with(
        fake_stripe,
        card_order,
        client_reference_id=second_order.number,
        metadata={"order_id": str(second_order.id)},
    )
    response = post(client, fake_stripe, event)
    assert response.status_code == 200
    assert response.get_json()["outcome"].startswith("review: event disagrees")
    assert fresh(Order, card_order.id).status == "awaiting_payment"
    assert fresh(Order, second_order.id).status == "awaiting_payment"
    payment = payment_of(card_order)
    assert payment.status == "needs_review"
    assert checkout_of(card_order).needs_review is True
    # The money Stripe took is on record, owed back, and paid no order.
    assert core.refunds_due(card_order.id) == card_order.total
    assert core.refunds_due(second_order.id) == 0
    assert problems() == []


@pytest.mark.parametrize("field", ["metadata", "payment_intent"])
def test_metadata_or_payment_intent_that_disagree_go_to_review(
    client, fake_stripe, card_order, second_order, field
):
    first = checkout_of(card_order)
    if field == "payment_intent":
        first.payment_intent_id = "pi_stored_earlier"
        db.session.commit()
        event = fake_stripe.complete(first.session_id)
    else:
        event = _completed_with(fake_stripe, card_order, metadata={"order_id": "999"})
    outcome = post(client, fake_stripe, event).get_json()["outcome"]
    assert outcome.startswith("review:"), outcome
    assert fresh(Order, card_order.id).status == "awaiting_payment"
    assert payment_of(card_order).status == "needs_review"


def test_amount_that_disagrees_pays_nothing(client, fake_stripe, card_order):
    event = _completed_with(fake_stripe, card_order, amount_total=100)
    outcome = post(client, fake_stripe, event).get_json()["outcome"]
    assert outcome.startswith("amount mismatch")
    assert fresh(Order, card_order.id).status == "awaiting_payment"
    assert payment_of(card_order).status == "needs_review"


def test_unknown_session_with_a_valid_order_reference_pays_nothing(client, fake_stripe, card_order):
    event = _completed_with(fake_stripe, card_order)
    event["data"]["object"]["id"] = "cs_test_not_ours"
    response = post(client, fake_stripe, event)
    assert response.status_code == 404
    assert fresh(Order, card_order.id).status == "awaiting_payment"
    assert count(StripeEvent) == 0 and count(PaymentTransaction) == 0


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        '"text"',
        "{}",
        '{"type": "checkout.session.completed", "data": {"object": {}}}',
        '{"id": "evt_1", "type": "checkout.session.completed"}',
        '{"id": "evt_1", "type": "checkout.session.completed", "data": []}',
        '{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": "x"}}',
        '{"id": 5, "type": "x", "data": {"object": {}}}',
    ],
)
def test_signed_but_malformed_bodies_answer_400(client, fake_stripe, card_order, body):
    import stripe

    header = stripe.WebhookSignature.generate_signature_header(body, fake_stripe.webhook_secret)
    response = client.post(
        "/payments/stripe/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": "malformed event"}
    assert count(StripeEvent) == 0


def test_a_signature_from_the_future_is_refused_like_a_stale_one(client, fake_stripe, card_order):
    event = fake_stripe.complete(checkout_of(card_order).session_id)
    future = post(client, fake_stripe, event, timestamp=int(time.time()) + 3600)
    stale = post(client, fake_stripe, event, timestamp=int(time.time()) - 3600)
    assert future.status_code == stale.status_code == 400
    assert future.get_json() == {"error": "invalid signature"}
    assert fresh(Order, card_order.id).status == "awaiting_payment"
    ok = post(client, fake_stripe, event)
    assert ok.get_json()["outcome"] == "order paid"


def test_replayed_webhook_posts_nothing_twice(client, fake_stripe, card_order):
    event = fake_stripe.complete(checkout_of(card_order).session_id)
    post(client, fake_stripe, event)
    copy = json.loads(json.dumps(event))
    copy["id"] = "evt_same_payment_again"  # a new event id for the same payment
    assert post(client, fake_stripe, copy).get_json()["outcome"] in (
        "already succeeded",
        "money already recorded",
    )
    assert count(PaymentTransaction) >= 1
    captures = db.session.query(PaymentTransaction).filter_by(kind="capture").count()
    assert captures == 1
    assert problems() == []
