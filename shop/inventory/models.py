"""Stock allocations (one per order line) and the movement ledger of ``on_hand``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

ALLOCATION_STATUSES = ("live", "consumed", "released")
MOVEMENT_KINDS = ("sale", "adjustment", "restock", "return")
# Why a movement happened, as staff filter the ledger: the reasons staff pick when they
# adjust stock, then the ones the system records ("" on rows from before the column).
STAFF_REASON_CODES = ("production", "damaged", "correction", "returned")
REASON_CODES = (*STAFF_REASON_CODES, "sale", "cancelled")


class StockAllocation(db.Model):
    """Units of one product held for one order line until paid (consumed) or released."""

    __tablename__ = "stock_allocation"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(f"status IN {ALLOCATION_STATUSES!r}", name="status_known"),
        Index("ix_stock_allocation_product_status", "product_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="live")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StockMovement(db.Model):
    """Every change of a product's ``on_hand``: who, when, why, which order."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        CheckConstraint("delta <> 0", name="delta_nonzero"),
        CheckConstraint(f"kind IN {MOVEMENT_KINDS!r}", name="kind_known"),
        Index("ix_stock_movement_product_created", "product_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(300), default="")
    # The shop's own note (shop.system_text), shown in the reader's language.
    reason_msg: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    reason_code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
