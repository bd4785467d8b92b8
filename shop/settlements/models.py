"""Settlements: what a facility was paid for one period, posting by posting.

A settlement settles ledger postings, not orders: each posting on a facility's ``fac_*``
accounts is settled once (``settlement_item.posting_id`` is unique), so an order part's
sale is settled once, and a refund granted later is a new posting for the next period.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

SETTLEMENT_STATES = ("draft", "approved", "paid")


class Settlement(db.Model):
    __tablename__ = "settlement"
    __table_args__ = (
        CheckConstraint(f"state IN {SETTLEMENT_STATES!r}", name="state_known"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        CheckConstraint(
            "material_cost + premi + pnbp + capital + shipping = amount", name="amount_adds_up"
        ),
        UniqueConstraint("facility_id", "period_start", name="uq_settlement_facility_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # inclusive, a day in Asia/Jakarta
    state: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    # Totals of the settled postings (rupiah), frozen when the settlement is built.
    gross_sales: Mapped[int] = mapped_column(Integer, default=0)  # parts' prices sold
    shipping_sold: Mapped[int] = mapped_column(Integer, default=0)  # shipping charged
    refunds: Mapped[int] = mapped_column(Integer, default=0)  # taken back (cancel/refund)
    card_fees: Mapped[int] = mapped_column(Integer, default=0)  # borne by the marketplace
    material_cost: Mapped[int] = mapped_column(Integer, default=0)
    premi: Mapped[int] = mapped_column(Integer, default=0)
    pnbp: Mapped[int] = mapped_column(Integer, default=0)
    capital: Mapped[int] = mapped_column(Integer, default=0)
    shipping: Mapped[int] = mapped_column(Integer, default=0)  # net shipping owed
    amount: Mapped[int] = mapped_column(Integer, default=0)  # what the facility is paid
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str] = mapped_column(String(254), default="")
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_reference: Mapped[str] = mapped_column(String(120), default="")
    paid_by: Mapped[str] = mapped_column(String(254), default="")

    facility = relationship("Facility", lazy="joined", innerjoin=True)

    @property
    def profit(self) -> int:
        return self.premi + self.pnbp + self.capital


class SettlementItem(db.Model):
    """One ledger posting settled by a settlement (a posting is settled at most once)."""

    __tablename__ = "settlement_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlement.id"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), unique=True)
    facility_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("facility_order.id"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)  # the posting's signed amount
