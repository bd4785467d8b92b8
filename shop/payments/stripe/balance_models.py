"""What the Stripe sync copies from Stripe: balance transactions and payouts.

Rows are keyed by Stripe's ids (unique), so a second sync finds them and creates nothing.
Amounts are rupiah, signed as Stripe signs them (money out of the balance is negative).
A charge or refund is linked to our payment (``payment_id``) when its PaymentIntent is
one of our Checkout Sessions'.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

PAYOUT_STATUSES = ("paid", "pending", "in_transit", "canceled", "failed")


class StripeBalanceTransaction(db.Model):
    __tablename__ = "stripe_balance_transaction"
    id: Mapped[int] = mapped_column(primary_key=True)
    txn_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    reporting_category: Mapped[str] = mapped_column(String(60), default="")
    amount: Mapped[int] = mapped_column(Integer)
    fee: Mapped[int] = mapped_column(Integer, default=0)
    net: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    source_id: Mapped[str | None] = mapped_column(String(255), index=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    payout_id: Mapped[str | None] = mapped_column(String(255), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"), index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    available_on: Mapped[datetime | None] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StripePayout(db.Model):
    __tablename__ = "stripe_payout"
    __table_args__ = (
        CheckConstraint(f"status IN {PAYOUT_STATUSES!r}", name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payout_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    arrival_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The net of the balance transactions Stripe lists for this payout (its own
    # transaction left out); None until they were listed. Adds up when equal to amount.
    transactions_total: Mapped[int | None] = mapped_column(Integer)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
