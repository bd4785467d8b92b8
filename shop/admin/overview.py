"""Today's numbers across the marketplace for the administrators' front page.

Days are Jakarta days (WIB). A part is late to ship when its order was paid more than
``ADMIN_LATE_SHIP_DAYS`` days ago (default 3) and the facility has not shipped it yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from shop.dashboard.timezone import day_start, jakarta_today
from shop.extensions import db
from shop.facilities.models import Facility
from shop.orders.models import REFUNDABLE_ORDER_STATUSES, FacilityOrder, Order
from shop.payments.refunds import orders_owed

DEFAULT_LATE_SHIP_DAYS = 3
UNSHIPPED = ("pending", "processing", "packed")
# Paid and not wholly refunded: the sales that count.
PAID = REFUNDABLE_ORDER_STATUSES


@dataclass(frozen=True)
class LatePart:
    part_id: int
    order_id: int
    number: str
    facility: str
    status: str
    paid_at: datetime


@dataclass(frozen=True)
class Overview:
    orders_today: int
    sales_today: int
    awaiting_payment: int
    late_parts: int
    refunds_due: int
    late_days: int
    late: list[LatePart]


def _late_filter(now: datetime, days: int):
    return (
        FacilityOrder.status.in_(UNSHIPPED),
        Order.status.in_(PAID),
        Order.paid_at < now - timedelta(days=days),
    )


def late_parts(now: datetime, days: int, limit: int = 20) -> list[LatePart]:
    """Unshipped parts of orders paid more than ``days`` days ago, the oldest first."""
    rows = db.session.execute(
        select(
            FacilityOrder.id,
            Order.id,
            Order.number,
            Facility.name,
            FacilityOrder.status,
            Order.paid_at,
        )
        .join(Order, Order.id == FacilityOrder.order_id)
        .join(Facility, Facility.id == FacilityOrder.facility_id)
        .where(*_late_filter(now, days))
        .order_by(Order.paid_at, FacilityOrder.id)
        .limit(limit)
    )
    return [LatePart(*row) for row in rows]


def overview(now: datetime, late_days: int = DEFAULT_LATE_SHIP_DAYS) -> Overview:
    today = jakarta_today(now)
    start, end = day_start(today), day_start(today + timedelta(days=1))
    orders_today = db.session.scalar(
        select(func.count())
        .select_from(Order)
        .where(Order.placed_at >= start, Order.placed_at < end)
    )
    sales_today = db.session.scalar(
        select(func.coalesce(func.sum(Order.total), 0)).where(
            Order.paid_at >= start, Order.paid_at < end
        )
    )
    awaiting = db.session.scalar(
        select(func.count()).select_from(Order).where(Order.status == "awaiting_payment")
    )
    late_count = db.session.scalar(
        select(func.count())
        .select_from(FacilityOrder)
        .join(Order, Order.id == FacilityOrder.order_id)
        .where(*_late_filter(now, late_days))
    )
    refunds = len(orders_owed())  # orders whose buyer is owed money back (the ledger says)
    return Overview(
        orders_today=int(orders_today or 0),
        sales_today=int(sales_today or 0),
        awaiting_payment=int(awaiting or 0),
        late_parts=int(late_count or 0),
        refunds_due=int(refunds or 0),
        late_days=late_days,
        late=late_parts(now, late_days),
    )
