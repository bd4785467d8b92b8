"""Order, one FacilityOrder per facility, order lines and the audit trail of transitions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

ORDER_STATUSES = (
    "awaiting_payment",
    "paid",
    "expired",
    "cancelled",
    "partially_refunded",
    "refunded",
)
# Named sets of order statuses, used by every module that asks.
PAYABLE_ORDER_STATUSES = frozenset({"awaiting_payment", "expired"})
REFUNDABLE_ORDER_STATUSES = frozenset({"paid", "partially_refunded"})
PAID_ORDER_STATUSES = frozenset({"paid", "partially_refunded", "refunded"})
PART_STATUSES = ("pending", "processing", "packed", "shipped", "delivered", "cancelled")
COURIERS = ("jne", "jnt", "pos")


class Order(db.Model):
    __tablename__ = "shop_order"
    __table_args__ = (
        CheckConstraint(f"status IN {ORDER_STATUSES!r}", name="status_known"),
        CheckConstraint(f"courier IN {COURIERS!r}", name="courier_known"),
        CheckConstraint("subtotal >= 0 AND shipping_total >= 0", name="amounts_nonnegative"),
        CheckConstraint("total = subtotal + shipping_total", name="total_adds_up"),
        CheckConstraint("amount_due >= total", name="amount_due_covers_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="awaiting_payment", index=True)
    locale: Mapped[str] = mapped_column(String(5), default="id")

    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    street: Mapped[str] = mapped_column(String(300))
    province: Mapped[str] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(120))
    district: Mapped[str] = mapped_column(String(120))
    postal_code: Mapped[str] = mapped_column(String(5))
    note: Mapped[str] = mapped_column(Text, default="")
    courier: Mapped[str] = mapped_column(String(10))

    payment_method: Mapped[str] = mapped_column(String(20), default="bank_transfer")
    subtotal: Mapped[int] = mapped_column(Integer)
    shipping_total: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    unique_code: Mapped[int] = mapped_column(Integer, default=0)
    amount_due: Mapped[int] = mapped_column(Integer)
    payment_deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parts = relationship(
        "FacilityOrder", back_populates="order", order_by="FacilityOrder.id", lazy="raise_on_sql"
    )
    lines = relationship("OrderLine", order_by="OrderLine.id", lazy="raise_on_sql")
    events = relationship("OrderEvent", order_by="OrderEvent.id", lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"<Order {self.number} {self.status}>"


class FacilityOrder(db.Model):
    """The part of an order one facility packs and ships, with its own fee and tracking."""

    __tablename__ = "facility_order"
    __table_args__ = (
        CheckConstraint(f"status IN {PART_STATUSES!r}", name="status_known"),
        CheckConstraint(f"courier IN {COURIERS!r}", name="courier_known"),
        CheckConstraint("shipping_fee >= 0 AND subtotal >= 0", name="amounts_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    courier: Mapped[str] = mapped_column(String(10))
    zone: Mapped[int] = mapped_column(Integer)
    weight_grams: Mapped[int] = mapped_column(Integer)
    subtotal: Mapped[int] = mapped_column(Integer)
    shipping_fee: Mapped[int] = mapped_column(Integer)
    tracking_number: Mapped[str] = mapped_column(String(60), default="")
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A part cancelled by its facility after payment: money to give back (administrators).
    refund_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    cancel_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Copied when the part is paid, so later changes of costs or split rewrite nothing.
    material_cost: Mapped[int | None] = mapped_column(Integer)
    premi: Mapped[int | None] = mapped_column(Integer)
    pnbp: Mapped[int | None] = mapped_column(Integer)
    capital: Mapped[int | None] = mapped_column(Integer)
    premi_pct: Mapped[int | None] = mapped_column(Integer)
    pnbp_pct: Mapped[int | None] = mapped_column(Integer)
    capital_pct: Mapped[int | None] = mapped_column(Integer)

    order = relationship("Order", back_populates="parts", lazy="raise_on_sql")
    facility = relationship("Facility", lazy="raise_on_sql")
    lines = relationship("OrderLine", order_by="OrderLine.id", lazy="raise_on_sql")


class OrderLine(db.Model):
    """A product bought, with name and price copied at the time of the order."""

    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    facility_order_id: Mapped[int] = mapped_column(ForeignKey("facility_order.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[int] = mapped_column(Integer)
    material_cost: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total: Mapped[int] = mapped_column(Integer)
    weight_grams: Mapped[int] = mapped_column(Integer)


class OrderEvent(db.Model):
    """One transition of an order or of one facility part: who, when, why."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    facility_order_id: Mapped[int | None] = mapped_column(ForeignKey("facility_order.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(300), default="")
    # The shop's own note (shop.system_text), shown in the reader's language.
    reason_msg: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderNote(db.Model):
    """An administrator's internal note on an order (never shown to the buyer)."""

    __tablename__ = "order_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    author: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
