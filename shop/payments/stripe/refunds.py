"""Refunds of card payments through Stripe, and the administrators' review list.

A refund is reserved first (a ``requested`` row under the idempotency key, checked by
:func:`shop.payments.refunds.check` against what may be given back, less refunds already
requested), then asked of Stripe with the same key, then recorded through the payment
core. Calling again with the same key never refunds twice: it finishes a refund left
half-way (Stripe replays its answer) or returns the finished one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from shop.extensions import db
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import refunds
from shop.payments.core import RefundError
from shop.payments.models import Payment
from shop.payments.stripe import gateway
from shop.payments.stripe.models import StripeCheckout, StripeRefund
from shop.sqltypes import utcnow
from shop.uow import end_read, unit_of_work

RefundNotAllowed = RefundError


def requested_amount(payment_id: int) -> int:
    """Refunds asked of Stripe and not answered yet."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(StripeRefund.amount), 0)).where(
                StripeRefund.payment_id == payment_id, StripeRefund.status == "requested"
            )
        )
    )


def _reserve(request: refunds.RefundRequest, actor: str, key: str) -> StripeRefund:
    with unit_of_work():
        existing = db.session.execute(
            select(StripeRefund).where(StripeRefund.idempotency_key == key)
        ).scalar_one_or_none()
        if existing is not None:
            if existing.amount != request.amount or existing.order_id != request.order_id:
                raise RefundError("idempotency key already used for another refund", "key")
            return existing
        orders.lock_order(request.order_id)  # serialises with webhooks about this order
        payment = refunds.check(request)
        pending = requested_amount(payment.id)
        if pending:
            raise RefundError(f"a refund of {pending} is still being made", "pending", pending)
        refund = StripeRefund(
            payment_id=payment.id,
            order_id=request.order_id,
            facility_order_id=request.part_id,
            whole=request.whole,
            idempotency_key=key,
            amount=request.amount,
            status="requested",
            actor=actor,
            reason=request.reason[:300],
        )
        db.session.add(refund)
        return refund


def refund_by_card(
    request: refunds.RefundRequest,
    actor: str,
    idempotency_key: str,
    now: datetime | None = None,
) -> StripeRefund:
    """Refund through Stripe, exactly once per key; commits on its own around the call.

    Raises :class:`RefundError`, or ``PaymentProviderError`` / ``…Unavailable`` with the
    refund left ``requested`` (call again with the same key to finish it).
    """
    now = now or utcnow()
    refund = _reserve(request, actor, idempotency_key)
    if refund.status != "requested":
        return refund
    checkout = _checkout_of_payment(refund.payment_id)
    pi, refund_row_id = checkout.payment_intent_id, refund.id
    end_read()
    try:
        result = gateway.refund(pi, request.amount, idempotency_key)
    except gateway.PaymentProviderUnavailable:
        raise
    except gateway.PaymentProviderError:
        _mark_failed(refund_row_id)
        raise
    with unit_of_work():
        orders.lock_order(request.order_id)
        refund = db.session.get(StripeRefund, refund_row_id, populate_existing=True)
        if refund.status == "requested":
            refund.status, refund.refund_id = "succeeded", result.id
            payment = db.session.get(Payment, refund.payment_id, populate_existing=True)
            refunds.record(request, payment, result.id, actor, now)
    return refund


def _checkout_of_payment(payment_id: int) -> StripeCheckout:
    checkout = db.session.execute(
        select(StripeCheckout).where(StripeCheckout.payment_id == payment_id)
    ).scalar_one_or_none()
    if checkout is None or not checkout.payment_intent_id:
        raise RefundError("not a card payment", "no_card")
    return checkout


def _mark_failed(refund_id: int) -> None:
    with unit_of_work():
        refund = db.session.get(StripeRefund, refund_id, populate_existing=True)
        refund.status = "failed"


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
