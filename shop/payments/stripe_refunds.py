"""Refunds of card payments through Stripe, and the administrators' review list.

A refund is reserved first (a ``requested`` row under the idempotency key, checked
against what was paid minus what is refunded or already requested), then asked of
Stripe with the same key, then recorded. Calling again with the same key never
refunds twice: it finishes a refund left half-way (Stripe replays its answer) or
returns the finished one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from shop.extensions import db
from shop.inventory import services as inventory
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import stripe_gateway as gateway
from shop.payments.models import Payment
from shop.payments.stripe_models import StripeCheckout, StripeRefund
from shop.payments.stripe_records import payment_of
from shop.payments.stripe_webhooks import apply_refund
from shop.sqltypes import utcnow


class RefundNotAllowed(Exception):
    pass


def refundable_amount(checkout: StripeCheckout) -> int:
    """What was received minus what is refunded or being refunded."""
    requested = db.session.execute(
        select(func.coalesce(func.sum(StripeRefund.amount), 0)).where(
            StripeRefund.payment_id == checkout.payment_id, StripeRefund.status == "requested"
        )
    ).scalar_one()
    return (checkout.amount_reported or 0) - checkout.refunded_amount - requested


def _checkout_of_payment(payment_id: int) -> StripeCheckout:
    checkout = db.session.execute(
        select(StripeCheckout)
        .where(StripeCheckout.payment_id == payment_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if checkout is None:
        raise RefundNotAllowed("not a card payment")
    return checkout


def _reserve(payment_id: int, amount: int, actor: str, reason: str, key: str) -> StripeRefund:
    inventory.begin_write()
    try:
        existing = db.session.execute(
            select(StripeRefund).where(StripeRefund.idempotency_key == key)
        ).scalar_one_or_none()
        if existing is not None:
            if existing.payment_id != payment_id or existing.amount != amount:
                raise RefundNotAllowed("idempotency key already used for another refund")
            db.session.commit()
            return existing
        checkout = _checkout_of_payment(payment_id)
        orders.lock_order(checkout.order_id)  # serialises with webhooks about this order
        payment = payment_of(checkout)
        if payment.status not in ("succeeded", "needs_review") or not checkout.payment_intent_id:
            raise RefundNotAllowed(f"payment is {payment.status}; nothing to refund")
        if amount <= 0 or amount > refundable_amount(checkout):
            raise RefundNotAllowed(
                f"refund of {amount} is above the {refundable_amount(checkout)} still refundable"
            )
        refund = StripeRefund(
            payment_id=payment_id,
            idempotency_key=key,
            amount=amount,
            status="requested",
            actor=actor,
            reason=reason[:300],
        )
        db.session.add(refund)
        db.session.commit()
        return refund
    except Exception:
        db.session.rollback()
        raise


def refund_card_payment(
    payment_id: int,
    amount: int,
    actor: str,
    reason: str,
    idempotency_key: str,
    now: datetime | None = None,
) -> StripeRefund:
    """Refund ``amount`` rupiah of a card payment (whole or partial), exactly once per key.

    Raises :class:`RefundNotAllowed`, or ``PaymentProviderError`` / ``…Unavailable`` with
    the refund left ``requested`` (call again with the same key to finish it).
    """
    now = now or utcnow()
    refund = _reserve(payment_id, amount, actor, reason, idempotency_key)
    if refund.status != "requested":
        return refund
    checkout = _checkout_of_payment(payment_id)
    pi, refund_row_id = checkout.payment_intent_id, refund.id
    db.session.commit()
    try:
        result = gateway.refund(pi, amount, idempotency_key)
    except gateway.PaymentProviderUnavailable:
        raise
    except gateway.PaymentProviderError:
        _mark_failed(refund_row_id)
        raise
    inventory.begin_write()
    try:
        checkout = _checkout_of_payment(payment_id)
        orders.lock_order(checkout.order_id)
        refund = db.session.get(StripeRefund, refund_row_id, populate_existing=True)
        if refund.status == "requested":
            refund.status, refund.refund_id = "succeeded", result.id
            apply_refund(checkout, amount, actor, reason, now=now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return refund


def _mark_failed(refund_id: int) -> None:
    inventory.begin_write()
    refund = db.session.get(StripeRefund, refund_id, populate_existing=True)
    refund.status = "failed"
    db.session.commit()


@dataclass(frozen=True)
class ReviewItem:
    checkout: StripeCheckout
    payment: Payment
    order: Order


def review_list() -> list[ReviewItem]:
    """Card payments an administrator must look at: mismatches, late payments, disputes."""
    rows = db.session.execute(
        select(StripeCheckout, Payment, Order)
        .join(Payment, Payment.id == StripeCheckout.payment_id)
        .join(Order, Order.id == StripeCheckout.order_id)
        .where(
            or_(
                StripeCheckout.needs_review.is_(True),
                StripeCheckout.refund_due.is_(True),
                StripeCheckout.disputed.is_(True),
            )
        )
        .order_by(StripeCheckout.updated_at.desc(), StripeCheckout.id.desc())
    ).all()
    return [ReviewItem(*row) for row in rows]
