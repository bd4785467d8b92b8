"""Webhooks from the fake Stripe, signed with ``stripe.WebhookSignature``, into the real app."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from order_helpers import BUYER, assert_stock_invariants, place, stock
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders import services as orders
from shop.orders.models import Order, OrderEvent
from shop.payments.models import Payment, PaymentChange
from shop.payments.stripe import gateway as gw
from shop.payments.stripe.models import StripeCheckout, StripeEvent
from shop.payments.stripe.records import record_session
from shop.payments.stripe.refunds import review_list

URL = "/payments/stripe/webhook"


def post(client, fake, event, *, body=None, headers=None, **sign):
    signed_body, signed_headers = fake.signed(event, **sign)
    return client.post(
        URL,
        data=signed_body if body is None else body,
        headers=signed_headers if headers is None else headers,
    )


def fresh(model, row_id):
    db.session.commit()
    return db.session.get(model, row_id, populate_existing=True)


def checkout_of(order) -> StripeCheckout:
    db.session.commit()
    return (
        db.session.execute(
            select(StripeCheckout)
            .where(StripeCheckout.order_id == order.id)
            .order_by(StripeCheckout.id.desc())
        )
        .scalars()
        .first()
    )


def payment_of(order) -> Payment:
    return fresh(Payment, checkout_of(order).payment_id)


def count(model) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model))


def paid_transitions(order) -> int:
    db.session.commit()
    return db.session.scalar(
        select(func.count())
        .select_from(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.to_status == "paid")
    )


# -- the happy path ------------------------------------------------------------------------


def test_completed_and_paid_pays_the_order_once(client, fake_stripe, card_order, products):
    checkout = checkout_of(card_order)
    event = fake_stripe.complete(checkout.session_id)

    response = post(client, fake_stripe, event)

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "order paid"
    order = fresh(Order, card_order.id)
    assert order.status == "paid" and order.paid_at is not None
    payment = payment_of(order)
    assert payment.provider == "stripe" and payment.status == "succeeded"
    assert payment.amount_received == order.total
    checkout = checkout_of(order)
    assert checkout.payment_intent_id == event["data"]["object"]["payment_intent"]
    assert checkout.session_status == "complete"
    assert checkout.amount_reported == order.total and checkout.currency_reported == "idr"
    # Fee and net looked up from the balance transaction after the commit.
    assert checkout.fee > 0 and checkout.net == order.total - checkout.fee
    assert checkout.charge_id in fake_stripe.charges
    # Stock consumed: on_hand and allocated dropped together.
    assert stock(products[0].id) == (0, 0)
    assert stock(products[1].id) == (2, 0)
    assert_stock_invariants()
    # The event id is recorded with its effect; every payment change audited.
    row = db.session.execute(select(StripeEvent)).scalar_one()
    assert row.event_id == event["id"] and row.order_id == order.id
    changes = db.session.execute(
        select(PaymentChange.from_status, PaymentChange.to_status, PaymentChange.stripe_event_id)
        .where(PaymentChange.payment_id == payment.id)
        .order_by(PaymentChange.id)
    ).all()
    assert changes == [(None, "pending", None), ("pending", "succeeded", event["id"])]


def test_duplicate_delivery_three_times_changes_nothing_twice(
    client, fake_stripe, card_order, products
):
    event = fake_stripe.complete(checkout_of(card_order).session_id)
    outcomes = [post(client, fake_stripe, event) for _ in range(3)]
    assert [r.status_code for r in outcomes] == [200, 200, 200]
    assert [r.get_json()["outcome"] for r in outcomes[1:]] == [
        "duplicate event: already handled"
    ] * 2
    assert paid_transitions(card_order) == 1
    assert count(StripeEvent) == 1
    assert stock(products[0].id) == (0, 0)
    assert_stock_invariants()


def test_same_payment_told_twice_under_different_event_ids_pays_once(
    client, fake_stripe, card_order, products
):
    session_id = checkout_of(card_order).session_id
    completed = fake_stripe.complete(session_id)
    again = fake_stripe.event(
        "checkout.session.async_payment_succeeded", fake_stripe.sessions[session_id]
    )
    assert post(client, fake_stripe, completed).status_code == 200
    response = post(client, fake_stripe, again)
    assert response.get_json()["outcome"] == "already succeeded"
    assert paid_transitions(card_order) == 1
    assert stock(products[1].id) == (2, 0)


# -- refused deliveries ----------------------------------------------------------------------


def _assert_untouched(order, products):
    assert fresh(Order, order.id).status == "awaiting_payment"
    assert payment_of(order).status == "pending"
    assert count(StripeEvent) == 0
    assert stock(products[0].id) == (1, 1)


def test_bad_signature_is_refused(client, fake_stripe, card_order, products):
    event = fake_stripe.complete(checkout_of(card_order).session_id)
    response = post(client, fake_stripe, event, secret="whsec_forged")
    assert response.status_code == 400
    _assert_untouched(card_order, products)


def test_stale_timestamp_is_refused(client, fake_stripe, card_order, products):
    event = fake_stripe.complete(checkout_of(card_order).session_id)
    response = post(client, fake_stripe, event, timestamp=int(time.time()) - 600)
    assert response.status_code == 400
    _assert_untouched(card_order, products)


def test_missing_signature_header_is_refused(client, fake_stripe, card_order, products):
    event = fake_stripe.complete(checkout_of(card_order).session_id)
    response = post(client, fake_stripe, event, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    _assert_untouched(card_order, products)


def test_re_serialised_body_is_refused(client, fake_stripe, card_order, products):
    event = fake_stripe.complete(checkout_of(card_order).session_id)
    body, _headers = fake_stripe.signed(event)
    compact = json.dumps(json.loads(body), separators=(",", ":"))
    response = post(client, fake_stripe, event, body=compact)
    assert response.status_code == 400
    _assert_untouched(card_order, products)


def test_forged_amount_in_a_resigned_body_is_refused(client, fake_stripe, card_order, products):
    event = fake_stripe.complete(checkout_of(card_order).session_id)
    body, headers = fake_stripe.signed(event)
    tampered = body.replace(str(event["data"]["object"]["amount_total"]), "100")
    response = client.post(URL, data=tampered, headers=headers)
    assert response.status_code == 400
    _assert_untouched(card_order, products)


def test_unknown_event_type_is_acknowledged_and_ignored(client, fake_stripe, card_order):
    event = fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"})
    response = post(client, fake_stripe, event)
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored: event type not handled"
    row = db.session.execute(select(StripeEvent)).scalar_one()
    assert row.type == "customer.created" and row.order_id is None
    assert fresh(Order, card_order.id).status == "awaiting_payment"


# -- money that does not match -------------------------------------------------------------


def test_wrong_amount_flags_the_payment_and_never_pays(client, fake_stripe, card_order, products):
    event = fake_stripe.complete(checkout_of(card_order).session_id)
    event["data"]["object"]["amount_total"] -= 100_000  # Rp 1.000 short
    response = post(client, fake_stripe, event)
    assert response.status_code == 200
    assert "amount mismatch" in response.get_json()["outcome"]
    assert fresh(Order, card_order.id).status == "awaiting_payment"
    assert payment_of(card_order).status == "needs_review"
    assert stock(products[0].id) == (1, 1)  # still held, not sold
    (item,) = review_list()
    assert item.order.id == card_order.id and "amount mismatch" in item.checkout.review_reason


def test_wrong_currency_flags_the_payment_and_never_pays(client, fake_stripe, card_order, products):
    event = fake_stripe.complete(checkout_of(card_order).session_id)
    event["data"]["object"]["currency"] = "usd"
    response = post(client, fake_stripe, event)
    assert "currency mismatch" in response.get_json()["outcome"]
    assert fresh(Order, card_order.id).status == "awaiting_payment"
    assert payment_of(card_order).status == "needs_review"
    assert paid_transitions(card_order) == 0
    # A later, correct-looking event for the same session does not pay it either.
    fixed = fake_stripe.event(
        "checkout.session.async_payment_succeeded",
        fake_stripe.sessions[checkout_of(card_order).session_id],
    )
    assert post(client, fake_stripe, fixed).get_json()["outcome"] == "already needs_review"
    assert fresh(Order, card_order.id).status == "awaiting_payment"


def test_completed_but_unpaid_waits_for_the_async_result(client, fake_stripe, card_order, products):
    session_id = checkout_of(card_order).session_id
    completed = fake_stripe.complete(session_id, paid=False)
    assert post(client, fake_stripe, completed).status_code == 200
    assert fresh(Order, card_order.id).status == "awaiting_payment"
    assert payment_of(card_order).status == "pending"

    succeeded = fake_stripe.async_result(session_id, succeeded=True)
    assert post(client, fake_stripe, succeeded).get_json()["outcome"] == "order paid"
    assert fresh(Order, card_order.id).status == "paid"
    assert stock(products[0].id) == (0, 0)


def test_async_payment_failed_leaves_the_order_awaiting_payment(
    client, fake_stripe, card_order, products
):
    session_id = checkout_of(card_order).session_id
    post(client, fake_stripe, fake_stripe.complete(session_id, paid=False))
    failed = fake_stripe.async_result(session_id, succeeded=False)
    assert post(client, fake_stripe, failed).status_code == 200
    assert payment_of(card_order).status == "failed"
    assert fresh(Order, card_order.id).status == "awaiting_payment"
    assert stock(products[0].id) == (1, 1)


# -- ordering and timing ---------------------------------------------------------------------


def test_completed_arriving_before_the_shop_recorded_the_session(client, fake_stripe, products):
    """Stripe's webhook can beat the buyer's own request back from session creation."""
    order = place({products[0].id: 1}, payment_method="card")
    session = gw.create_checkout_session(
        order_id=order.id,
        order_number=order.number,
        lines=[gw.CheckoutLine("Batik", order.subtotal)],
        shipping=[gw.CheckoutLine("Ongkir", order.shipping_total)],
        expires_at=order.payment_deadline,
        success_url="http://shop.test/ok",
        cancel_url="http://shop.test/no",
        idempotency_key="early-1",
    )
    event = fake_stripe.complete(session.id)
    # An unknown session binds to nothing, whatever its metadata says: nothing is paid or
    # recorded, and Stripe is told to retry.
    response = post(client, fake_stripe, event)
    assert response.status_code == 404
    assert fresh(Order, order.id).status == "awaiting_payment"
    assert count(StripeEvent) == 0 and count(Payment) == 0

    # The buyer's request now records the session; Stripe's retry then pays the order.
    record_session(fresh(Order, order.id), session.id, order.total, session.expires_at, "buyer")
    db.session.commit()
    response = post(client, fake_stripe, event)
    assert response.get_json()["outcome"] == "order paid"
    assert fresh(Order, order.id).status == "paid"
    assert count(StripeCheckout) == 1 and count(Payment) == 1


def test_event_for_an_order_we_do_not_have_is_not_recorded(client, fake_stripe, card_order):
    session = dict(fake_stripe.sessions[checkout_of(card_order).session_id])
    session.update(
        id="cs_test_elsewhere", metadata={"order_id": "999999"}, client_reference_id="KB-NONE"
    )
    event = fake_stripe.event("checkout.session.completed", session)
    response = post(client, fake_stripe, event)
    assert response.status_code == 404  # Stripe retries later
    assert count(StripeEvent) == 0


def test_expired_session_at_the_deadline_releases_the_stock(
    client, fake_stripe, card_order, products
):
    event = fake_stripe.expire_now(checkout_of(card_order).session_id)
    response = post(client, fake_stripe, event)
    assert response.get_json()["outcome"] == "session expired; order expired and stock released"
    assert fresh(Order, card_order.id).status == "expired"
    assert payment_of(card_order).status == "expired"
    assert stock(products[0].id) == (1, 0)
    assert_stock_invariants()


def test_expired_event_after_payment_changes_nothing(client, fake_stripe, card_order, products):
    session_id = checkout_of(card_order).session_id
    completed = fake_stripe.complete(session_id)
    stale = fake_stripe.event(
        "checkout.session.expired", {**fake_stripe.sessions[session_id], "status": "expired"}
    )
    post(client, fake_stripe, completed)
    assert post(client, fake_stripe, stale).get_json()["outcome"] == "session already complete"
    assert fresh(Order, card_order.id).status == "paid"
    assert payment_of(card_order).status == "succeeded"


def test_out_of_order_expired_before_completed_still_pays(
    client, fake_stripe, card_order, products
):
    """Deliveries can swap: the shop never lets "expired" undo money received."""
    session_id = checkout_of(card_order).session_id
    completed = fake_stripe.complete(session_id)
    expired = fake_stripe.event(
        "checkout.session.expired", {**fake_stripe.sessions[session_id], "status": "expired"}
    )
    post(client, fake_stripe, expired)
    assert fresh(Order, card_order.id).status == "expired"
    response = post(client, fake_stripe, completed)
    assert response.get_json()["outcome"] == "order paid"
    assert fresh(Order, card_order.id).status == "paid"
    assert stock(products[0].id) == (0, 0)
    assert_stock_invariants()


def test_expired_then_paid_reallocates_when_stock_is_still_there(
    client, fake_stripe, card_order, products
):
    order = fresh(Order, card_order.id)
    late = order.payment_deadline + timedelta(seconds=1)
    assert orders.expire_due_orders(late) == 1
    assert stock(products[0].id) == (1, 0)

    response = post(client, fake_stripe, fake_stripe.complete(checkout_of(order).session_id))
    assert response.get_json()["outcome"] == "order paid"
    assert fresh(Order, order.id).status == "paid"
    assert stock(products[0].id) == (0, 0)
    assert stock(products[1].id) == (2, 0)
    assert review_list() == []
    assert_stock_invariants()


def test_expired_then_paid_with_stock_gone_is_flagged_for_refund(
    client, fake_stripe, card_order, products
):
    order = fresh(Order, card_order.id)
    orders.expire_due_orders(order.payment_deadline + timedelta(seconds=1))
    rival = place({products[0].id: 1}, buyer=BUYER)  # the one-off piece sells to someone else

    response = post(client, fake_stripe, fake_stripe.complete(checkout_of(order).session_id))
    assert "refund due" in response.get_json()["outcome"]
    assert fresh(Order, order.id).status == "expired"
    assert fresh(Order, rival.id).status == "awaiting_payment"
    assert payment_of(order).status == "needs_review"
    (item,) = review_list()
    assert item.order.id == order.id and item.checkout.refund_due is True
    assert stock(products[0].id) == (1, 1)  # still held for the rival only
    assert_stock_invariants()


def test_dispute_flags_the_payment_for_review(client, fake_stripe, card_order):
    completed = fake_stripe.complete(checkout_of(card_order).session_id)
    post(client, fake_stripe, completed)
    dispute = fake_stripe.dispute(completed["data"]["object"]["payment_intent"])
    response = post(client, fake_stripe, dispute)
    assert "dispute opened" in response.get_json()["outcome"]
    checkout = checkout_of(card_order)
    assert checkout.disputed is True
    assert payment_of(card_order).status == "succeeded"  # money is still ours until decided
    assert [item.order.id for item in review_list()] == [card_order.id]
    # Stripe's reason code is read in the reader's language, inside the translated note.
    from flask_babel import force_locale

    from shop.payments.models import PaymentChange
    from shop.system_text import render_note

    change = db.session.scalars(
        select(PaymentChange)
        .where(PaymentChange.payment_id == payment_of(card_order).id)
        .order_by(PaymentChange.id.desc())
    ).first()
    with force_locale("id"):
        shown = render_note(change.reason_msg, change.reason)
    assert "penipuan" in shown and "fraudulent" not in shown


def test_concurrent_duplicate_deliveries_pay_once(app, fake_stripe, card_order, products):
    """Three deliveries of one event at the same moment, each in its own thread and
    database connection: the unique event id lets exactly one through."""
    import threading

    from shop.payments.stripe.webhooks import handle_event

    event = fake_stripe.complete(checkout_of(card_order).session_id)
    db.session.commit()
    start = threading.Barrier(3)
    outcomes: list[str] = []

    def deliver():
        with app.app_context():
            start.wait()
            outcomes.append(handle_event(json.loads(json.dumps(event))).outcome)
            db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["duplicate event: already handled"] * 2 + ["order paid"]
    assert paid_transitions(card_order) == 1
    assert count(StripeEvent) == 1
    assert stock(products[0].id) == (0, 0)
    assert_stock_invariants()
