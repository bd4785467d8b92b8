"""Refunds of card payments through the (fake) Stripe API, and their webhooks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders.models import FacilityOrder, Order
from shop.payments import core, refunds
from shop.payments.models import Payment
from shop.payments.stripe import gateway as gw
from shop.payments.stripe.models import StripeCheckout, StripeRefund
from shop.payments.stripe.refunds import RefundNotAllowed, refund_by_card
from shop.payments.stripe.webhooks import handle_event


def refund_card_payment(payment_id, amount, actor, reason, key, *, whole=False):
    """Refund ``amount`` of the order's first part (or everything) back to the card."""
    db.session.commit()
    order_id = db.session.get(Payment, payment_id).order_id
    part_id = db.session.scalar(
        select(FacilityOrder.id)
        .where(FacilityOrder.order_id == order_id)
        .order_by(FacilityOrder.id)
    )
    request = refunds.RefundRequest(
        order_id, amount, "card", reason, part_id=None if whole else part_id, whole=whole
    )
    return refund_by_card(request, actor, key)


def refunded(order) -> int:
    db.session.commit()
    return core.refunded(order_id=order.id)


def _checkout(order) -> StripeCheckout:
    db.session.commit()
    return db.session.execute(
        select(StripeCheckout).where(StripeCheckout.order_id == order.id)
    ).scalar_one()


@pytest.fixture
def paid_order(fake_stripe, card_order):
    event = fake_stripe.complete(_checkout(card_order).session_id)
    assert handle_event(event).outcome == "order paid"
    db.session.commit()
    return db.session.get(Order, card_order.id, populate_existing=True)


def _state(order):
    db.session.commit()
    order = db.session.get(Order, order.id, populate_existing=True)
    checkout = _checkout(order)
    payment = db.session.get(Payment, checkout.payment_id, populate_existing=True)
    return order, checkout, payment


def test_partial_then_whole_refund(fake_stripe, paid_order):
    total = paid_order.total
    payment_id = _checkout(paid_order).payment_id

    refund_card_payment(payment_id, 100_000, "admin@kb", "one item broken", "rf-1")
    order, checkout, payment = _state(paid_order)
    assert (order.status, refunded(order)) == ("partially_refunded", 100_000)
    assert core.refunded(payment.id) == 100_000 and payment.status == "succeeded"
    (call,) = fake_stripe.calls("POST", "/v1/refunds")
    assert call.params["amount"] == "10000000" and call.idempotency_key == "rf-1"

    refund_card_payment(payment_id, total - 100_000, "admin@kb", "rest", "rf-2", whole=True)
    order, checkout, payment = _state(paid_order)
    assert (order.status, refunded(order)) == ("refunded", total)
    assert payment.status == "refunded"
    charge = next(iter(fake_stripe.charges.values()))
    assert charge["amount_refunded"] == total * 100


def test_refund_never_above_what_was_paid(fake_stripe, paid_order):
    payment_id = _checkout(paid_order).payment_id
    with pytest.raises(RefundNotAllowed):
        refund_card_payment(payment_id, paid_order.total + 1, "admin@kb", "too much", "rf-x")
    with pytest.raises(RefundNotAllowed):
        refund_card_payment(
            payment_id, paid_order.total + 1, "admin@kb", "too much", "rf-y", whole=True
        )
    first_part = refunds.options(paid_order.id).parts[0]
    held = first_part[2]  # what the first part's facility is owed: all it can give back
    refund_card_payment(payment_id, held - 1_000, "admin@kb", "most", "rf-a")
    with pytest.raises(RefundNotAllowed):
        refund_card_payment(payment_id, 1_001, "admin@kb", "over", "rf-b")
    with pytest.raises(RefundNotAllowed):
        refund_card_payment(payment_id, 0, "admin@kb", "zero", "rf-c")
    assert len(fake_stripe.refunds) == 1
    assert refunded(paid_order) == held - 1_000


def test_refund_is_idempotent_per_key(fake_stripe, paid_order):
    payment_id = _checkout(paid_order).payment_id
    first = refund_card_payment(payment_id, 50_000, "admin@kb", "r", "rf-same")
    again = refund_card_payment(payment_id, 50_000, "admin@kb", "r", "rf-same")
    assert again.id == first.id and again.refund_id == first.refund_id
    assert len(fake_stripe.refunds) == 1
    assert refunded(paid_order) == 50_000
    with pytest.raises(RefundNotAllowed):
        refund_card_payment(payment_id, 60_000, "admin@kb", "r", "rf-same")


def test_refund_left_half_way_by_an_outage_finishes_with_the_same_key(
    stripe_app, fake_stripe, paid_order
):
    payment_id = _checkout(paid_order).payment_id
    fake_stripe.down()
    with pytest.raises(gw.PaymentProviderUnavailable):
        refund_card_payment(payment_id, 70_000, "admin@kb", "r", "rf-outage")
    db.session.commit()
    assert db.session.scalar(select(StripeRefund.status)) == "requested"
    # While it is reserved, nothing more than the rest can be refunded.
    with pytest.raises(RefundNotAllowed):
        refund_card_payment(payment_id, paid_order.total - 69_000, "admin@kb", "r", "rf-other")
    fake_stripe.up()
    done = refund_card_payment(payment_id, 70_000, "admin@kb", "r", "rf-outage")
    assert done.status == "succeeded"
    assert refunded(paid_order) == 70_000
    assert len(fake_stripe.refunds) == 1


def test_charge_refunded_webhook_after_our_refund_changes_nothing(fake_stripe, paid_order):
    payment_id = _checkout(paid_order).payment_id
    refund_card_payment(payment_id, 80_000, "admin@kb", "r", "rf-w")
    (event,) = fake_stripe.events_of("charge.refunded")
    assert handle_event(event).outcome == "refund already recorded"
    assert refunded(paid_order) == 80_000


def test_refund_made_in_the_stripe_dashboard_is_recorded_once(fake_stripe, paid_order):
    checkout = _checkout(paid_order)
    charge = fake_stripe.charges[checkout.charge_id]
    charge["amount_refunded"] = 3_000_000  # Rp 30.000 refunded outside the shop
    event = fake_stripe.event("charge.refunded", charge)
    assert handle_event(event).outcome == "refund of 30000 IDR recorded"
    assert handle_event(event).outcome == "duplicate event: already handled"
    again = fake_stripe.event("charge.refunded", charge)  # a second notice, new event id
    assert handle_event(again).outcome == "refund already recorded"
    order, _checkout_row, payment = _state(paid_order)
    assert refunded(order) == 30_000 and core.refunded(payment.id) == 30_000


def test_a_dashboard_refund_is_recorded_under_its_stripe_id_and_ours_are_marked(
    fake_stripe, paid_order
):
    """Stripe lists the charge's refunds: ours carry the shop's mark, so only the one made
    in the dashboard is recorded, under its own id; two notices record it once."""
    checkout = _checkout(paid_order)
    ours = refund_card_payment(checkout.payment_id, 20_000, "admin@kb", "r", "rf-mark")
    assert fake_stripe.refunds[ours.refund_id]["metadata"] == {gw.REFUND_KEY: "rf-mark"}
    theirs = fake_stripe.refund_in_dashboard(checkout.payment_intent_id, 3_000_000)
    first, second = fake_stripe.events_of("charge.refunded")
    assert handle_event(second).outcome == "refund of 30000 IDR recorded"
    assert handle_event(first).outcome == "refund already recorded"
    references = [t.reference for t in core.refunds_of(paid_order.id)]
    assert references[0] == ours.refund_id
    assert references[1:] and all(r.startswith(theirs["id"] + ":") for r in references[1:])
    assert refunded(paid_order) == 50_000


def test_a_dashboard_refund_is_recorded_under_the_event_when_stripe_cannot_list(
    fake_stripe, paid_order
):
    checkout = _checkout(paid_order)
    theirs = fake_stripe.refund_in_dashboard(checkout.payment_intent_id, 3_000_000)
    (event,) = fake_stripe.events_of("charge.refunded")
    fake_stripe.down()
    try:
        assert handle_event(event).outcome == "refund of 30000 IDR recorded"
    finally:
        fake_stripe.up()
    (recorded,) = core.refunds_of(paid_order.id)
    assert recorded.reference.startswith(event["id"] + ":")
    assert not recorded.reference.startswith(theirs["id"])
    assert refunded(paid_order) == 30_000


def test_late_payment_flagged_for_refund_is_refunded_without_touching_the_order(
    fake_stripe, card_order, products
):
    from datetime import timedelta

    from order_helpers import place

    from shop.orders import services as orders
    from shop.payments.stripe.refunds import review_list

    db.session.commit()
    order = db.session.get(Order, card_order.id)
    orders.expire_due_orders(order.payment_deadline + timedelta(seconds=1))
    place({products[0].id: 1})
    handle_event(fake_stripe.complete(_checkout(order).session_id))
    (item,) = review_list()
    request = refunds.RefundRequest(order.id, order.total, "card", "stock gone")
    refund_by_card(request, "admin@kb", "rf-late")
    order, checkout, payment = _state(order)
    assert order.status == "expired" and refunded(order) == order.total
    assert core.refunds_due(order.id) == 0
    assert payment.status == "refunded" and checkout.refund_due is False
    assert db.session.scalar(select(func.count()).select_from(StripeRefund)) == 1
