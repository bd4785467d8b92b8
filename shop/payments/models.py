"""A payment attempt against an order, whatever the provider (bank transfer, Stripe)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

PAYMENT_PROVIDERS = ("bank_transfer", "stripe")
PAYMENT_STATUSES = ("pending", "succeeded", "failed", "expired", "needs_review", "refunded")
# Money has arrived for these (whether or not it paid the order).
MONEY_RECEIVED_STATUSES = frozenset({"succeeded", "needs_review", "refunded"})
TRANSACTION_KINDS = ("capture", "refund", "fee", "dispute", "dispute_reversal")
REFUND_METHODS = ("card", "bank_transfer")


class Payment(db.Model):
    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint(f"provider IN {PAYMENT_PROVIDERS!r}", name="provider_known"),
        CheckConstraint(f"status IN {PAYMENT_STATUSES!r}", name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("amount_received >= 0", name="amount_received_nonnegative"),
        # A pending bank transfer is matched by its exact amount: no two may share one.
        Index(
            "uq_payment_pending_transfer_amount",
            "amount",
            unique=True,
            sqlite_where=text("provider = 'bank_transfer' AND status = 'pending'"),
            postgresql_where=text("provider = 'bank_transfer' AND status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    amount_received: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str] = mapped_column(String(255), default="")
    confirmed_by: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    # The shop's own note (shop.system_text), shown in the reader's language.
    note_msg: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PaymentChange(db.Model):
    """One change of a payment (status or flags): who, when, why, from which event."""

    __tablename__ = "payment_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(300), default="")
    reason_msg: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    stripe_event_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentTransaction(db.Model):
    """One movement of money on a payment, append-only (Oscar's Source + Transaction).

    ``amount`` is always positive; ``kind`` says which way it went. What a payment
    received, refunded and nets are sums of these rows, never separate counters.
    """

    __tablename__ = "payment_transaction"
    __table_args__ = (
        CheckConstraint(f"kind IN {TRANSACTION_KINDS!r}", name="kind_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(f"method IS NULL OR method IN {REFUND_METHODS!r}", name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    # The provider's id of this movement (bank reference, re_…, evt_…): unique.
    reference: Mapped[str] = mapped_column(String(255), unique=True)
    # A refund answers one facility part's refund due, when it does.
    facility_order_id: Mapped[int | None] = mapped_column(ForeignKey("facility_order.id"))
    method: Mapped[str | None] = mapped_column(String(20))
    # Where a bank refund went: the buyer's bank and account (shown to administrators).
    refund_account: Mapped[str] = mapped_column(String(200), default="")
    actor: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(String(300), default="")
    note_msg: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
