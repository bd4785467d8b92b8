"""Numbers for the dashboard home: sales, work waiting, best sellers, a 90-day chart.

Sales are the line totals (integer rupiah, no shipping) of this facility's parts of paid
orders (``paid`` or ``partially_refunded``; a part cancelled after payment does not
count), dated by the moment of payment, with days cut at midnight in Jakarta (WIB).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from shop.accounts.scoping import for_facility
from shop.core.timezone import JAKARTA, day_start, jakarta_today
from shop.extensions import db
from shop.orders.models import REFUNDABLE_ORDER_STATUSES, FacilityOrder, Order, OrderLine

# Paid and not wholly refunded: the sales that count.
PAID_ORDER_STATUSES = REFUNDABLE_ORDER_STATUSES
CHART_DAYS = 90


def _paid_lines(facility_id: int):
    return for_facility(
        select()
        .select_from(OrderLine)
        .join(FacilityOrder, FacilityOrder.id == OrderLine.facility_order_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.status.in_(PAID_ORDER_STATUSES),
            Order.paid_at.is_not(None),
            FacilityOrder.status != "cancelled",
        ),
        FacilityOrder.facility_id,
        facility_id,
    )


def sales_between(facility_id: int, start: datetime, end: datetime) -> int:
    stmt = (
        _paid_lines(facility_id)
        .add_columns(func.coalesce(func.sum(OrderLine.line_total), 0))
        .where(Order.paid_at >= start, Order.paid_at < end)
    )
    return int(db.session.scalar(stmt) or 0)


def daily_sales(facility_id: int, today: date, days: int = CHART_DAYS) -> list[tuple[date, int]]:
    """Sales per Jakarta day for the ``days`` days ending with ``today`` (zeros included)."""
    first = today - timedelta(days=days - 1)
    stmt = (
        _paid_lines(facility_id)
        .add_columns(Order.paid_at, func.sum(OrderLine.line_total))
        .where(Order.paid_at >= day_start(first), Order.paid_at < day_start(today + timedelta(1)))
        .group_by(Order.id, Order.paid_at)
    )
    totals = {first + timedelta(days=i): 0 for i in range(days)}
    for paid_at, amount in db.session.execute(stmt):
        day = paid_at.astimezone(JAKARTA).date()
        if day in totals:
            totals[day] += int(amount)
    return sorted(totals.items())


@dataclass(frozen=True)
class BestSeller:
    product_id: int
    name: str
    quantity: int
    revenue: int


def best_sellers(facility_id: int, now: datetime, days: int = 30, limit: int = 5):
    since = day_start(jakarta_today(now) - timedelta(days=days - 1))
    stmt = (
        _paid_lines(facility_id)
        .add_columns(
            OrderLine.product_id,
            func.max(OrderLine.product_name),
            func.sum(OrderLine.quantity),
            func.sum(OrderLine.line_total),
        )
        .where(Order.paid_at >= since)
        .group_by(OrderLine.product_id)
        .order_by(func.sum(OrderLine.quantity).desc(), func.sum(OrderLine.line_total).desc())
        .limit(limit)
    )
    return [BestSeller(pid, name, int(q), int(r)) for pid, name, q, r in db.session.execute(stmt)]


def waiting_to_pack(facility_id: int) -> int:
    stmt = for_facility(
        select(func.count()).select_from(FacilityOrder).where(FacilityOrder.status == "processing"),
        FacilityOrder.facility_id,
        facility_id,
    )
    return int(db.session.scalar(stmt) or 0)


@dataclass(frozen=True)
class Summary:
    today: int
    month: int
    waiting: int
    daily: list[tuple[date, int]]

    @property
    def ninety_days(self) -> int:
        return sum(amount for _day, amount in self.daily)


def summary(facility_id: int, now: datetime) -> Summary:
    today = jakarta_today(now)
    tomorrow = day_start(today + timedelta(days=1))
    return Summary(
        today=sales_between(facility_id, day_start(today), tomorrow),
        month=sales_between(facility_id, day_start(today.replace(day=1)), tomorrow),
        waiting=waiting_to_pack(facility_id),
        daily=daily_sales(facility_id, today),
    )


# ---- the chart: server-rendered SVG geometry ------------------------------------------


@dataclass(frozen=True)
class Bar:
    day: date
    amount: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    top: int  # the amount of the top grid line
    grid: list[tuple[float, int]]  # (y, amount)
    ticks: list[tuple[float, date]]  # (x, first day of a month)
    plot_left: int
    plot_bottom: int


def _nice_ceiling(value: int) -> int:
    """1, 2 or 5 × a power of ten, at least ``value`` (and at least Rp 10.000)."""
    value = max(value, 10_000)
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def chart(daily: list[tuple[date, int]], width: int = 720, height: int = 240) -> Chart:
    left, right, top_pad, bottom = 84, 8, 10, 28
    plot_w = width - left - right
    plot_h = height - top_pad - bottom
    top = _nice_ceiling(max((a for _d, a in daily), default=0))
    slot = plot_w / max(len(daily), 1)
    bars = []
    for i, (day, amount) in enumerate(daily):
        h = plot_h * amount / top
        bars.append(
            Bar(
                day=day,
                amount=amount,
                x=round(left + i * slot + slot * 0.15, 2),
                y=round(top_pad + plot_h - h, 2),
                width=round(slot * 0.7, 2),
                height=round(h, 2),
            )
        )
    grid = [(round(top_pad + plot_h * (1 - f), 2), int(top * f)) for f in (0, 0.5, 1)]
    ticks = [(round(left + i * slot, 2), day) for i, (day, _a) in enumerate(daily) if day.day == 1]
    return Chart(width, height, bars, top, grid, ticks, left, top_pad + plot_h)
