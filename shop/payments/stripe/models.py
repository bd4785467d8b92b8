"""Card payments through Stripe Checkout: the session behind a Payment, events, refunds, audit.

A :class:`~shop.payments.models.Payment` (provider ``"stripe"``) is the shop's record of
one card payment attempt; :class:`StripeCheckout` holds what Stripe adds to it (session
and PaymentIntent ids, what Stripe reported, fee and net, review flags). Every webhook
event id is stored once in :class:`StripeEvent` (unique), in the same transaction as its
effect. Every status change of a payment is a :class:`PaymentChange` row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

SESSION_STATUSES = ("open", "complete", "expired")
REFUND_STATUSES = ("requested", "succeeded", "failed")


class StripeCheckout(db.Model):
    __tablename__ = "stripe_checkout"
    __table_args__ = (
        CheckConstraint(f"session_status IN {SESSION_STATUSES!r}", name="session_status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    session_id: Mapped[str] = mapped_column(String(255), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    charge_id: Mapped[str | None] = mapped_column(String(255))
    session_status: Mapped[str] = mapped_column(String(10), default="open")
    amount: Mapped[int] = mapped_column(Integer)  # rupiah asked for
    currency: Mapped[str] = mapped_column(String(3), default="idr")
    amount_reported: Mapped[int | None] = mapped_column(Integer)  # rupiah Stripe says was paid
    currency_reported: Mapped[str | None] = mapped_column(String(3))
    fee: Mapped[int | None] = mapped_column(Integer)
    net: Mapped[int | None] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    refund_due: Mapped[bool] = mapped_column(Boolean, default=False)
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    payment = relationship("Payment", lazy="raise_on_sql")


class StripeEvent(db.Model):
    """A webhook event handled once: its id is unique."""

    __tablename__ = "stripe_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(300), default="")
    stripe_created: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StripeRefund(db.Model):
    __tablename__ = "stripe_refund"
    __table_args__ = (
        CheckConstraint(f"status IN {REFUND_STATUSES!r}", name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    facility_order_id: Mapped[int | None] = mapped_column(ForeignKey("facility_order.id"))
    whole: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    amount: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="requested")
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
