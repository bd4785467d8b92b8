"""A payment attempt against an order, whatever the provider (bank transfer, Stripe)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

PAYMENT_PROVIDERS = ("bank_transfer", "stripe")
PAYMENT_STATUSES = ("pending", "succeeded", "failed", "expired", "needs_review", "refunded")


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
