"""Shared bookkeeping for card payments: find or create records, audited status changes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import Order
from shop.payments.core import set_status
from shop.payments.models import Payment, PaymentChange
from shop.payments.stripe.models import StripeCheckout
from shop.sqltypes import utcnow
from shop.system_text import N_, Note, note_columns, note_text, system_note

# Forward-only: a payment never moves to a lower rank (money received beats "expired").
STATUS_RANK = {
    "pending": 0,
    "failed": 1,
    "expired": 1,
    "succeeded": 2,
    "needs_review": 2,
    "refunded": 3,
}


def flag_for_review(
    checkout: StripeCheckout,
    payment: Payment,
    reason: str | Note,
    actor: str,
    *,
    refund_due: bool = False,
    keep_status: bool = False,
    event_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Put a card payment on the administrators' review list; never marks anything paid.

    The payment becomes ``needs_review`` unless ``keep_status`` (a dispute on money
    already received keeps ``succeeded``; the flag and the audit row say why).
    """
    checkout.needs_review = True
    checkout.refund_due = checkout.refund_due or refund_due
    checkout.review_reason = note_text(reason)[:300]
    payment.note, payment.note_msg = note_columns(reason)
    status = payment.status if keep_status else "needs_review"
    set_status(payment, status, actor, reason, event_id=event_id, now=now)


def checkout_by_session(session_id: str) -> StripeCheckout | None:
    return db.session.execute(
        select(StripeCheckout)
        .where(StripeCheckout.session_id == session_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def checkout_by_payment_intent(payment_intent_id: str) -> StripeCheckout | None:
    return db.session.execute(
        select(StripeCheckout)
        .where(StripeCheckout.payment_intent_id == payment_intent_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def payment_of(checkout: StripeCheckout) -> Payment:
    return db.session.execute(
        select(Payment)
        .where(Payment.id == checkout.payment_id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def record_session(
    order: Order,
    session_id: str,
    amount: int,
    expires_at: datetime,
    actor: str,
    *,
    event_id: str | None = None,
    now: datetime | None = None,
) -> tuple[StripeCheckout, bool]:
    """The checkout row of ``session_id`` (created with its pending Payment if new).

    Both the buyer's request and an early webhook may get here first; whichever does
    creates the rows, the other finds them.
    """
    existing = checkout_by_session(session_id)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    payment = Payment(
        order_id=order.id,
        provider="stripe",
        status="pending",
        amount=amount,
        currency="IDR",
        reference=session_id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(payment)
    db.session.flush()
    db.session.add(
        PaymentChange(
            payment_id=payment.id,
            from_status=None,
            to_status="pending",
            actor=actor,
            reason_msg=system_note(N_("Checkout Session %(id)s opened"), id=session_id),
            stripe_event_id=event_id,
            created_at=now,
        )
    )
    checkout = StripeCheckout(
        payment_id=payment.id,
        order_id=order.id,
        session_id=session_id,
        amount=amount,
        currency="idr",
        expires_at=expires_at,
        created_at=now,
        updated_at=now,
    )
    db.session.add(checkout)
    db.session.flush()
    return checkout, True


def from_timestamp(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(int(value), UTC)
