"""Order status machine, payment/expiry/cancel effects on stock, fulfilment per part."""

from __future__ import annotations

from datetime import datetime

from blinker import Namespace
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop.catalog.services import split_sale
from shop.extensions import db
from shop.facilities.services import split_at
from shop.inventory import services as inventory
from shop.ledger import postings
from shop.ledger.services import post
from shop.orders.models import (
    REFUNDABLE_ORDER_STATUSES,
    FacilityOrder,
    Order,
    OrderEvent,
    OrderLine,
)
from shop.sqltypes import utcnow
from shop.system_text import N_, Note, note_columns, system_note
from shop.uow import unit_of_work

# Sent when an unpaid order closes (expired or cancelled): payments closes its attempts.
signals = Namespace()
order_closed = signals.signal("order-closed")

ORDER_TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"awaiting_payment"}),
    "awaiting_payment": frozenset({"paid", "expired", "cancelled"}),
    # A payment that arrives late pays the order only if its stock can be held again.
    "expired": frozenset({"paid"}),
    "paid": frozenset({"partially_refunded", "refunded"}),
    "partially_refunded": frozenset({"partially_refunded", "refunded"}),
}
PART_TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"pending"}),
    "pending": frozenset({"processing", "cancelled"}),
    "processing": frozenset({"packed", "cancelled"}),
    # A facility that cannot send a paid part cancels it before shipping (refund due).
    "packed": frozenset({"shipped", "cancelled"}),
    "shipped": frozenset({"delivered"}),
    # Only a late payment of an expired order revives its cancelled parts.
    "cancelled": frozenset({"processing"}),
}
OPEN_STATUSES = frozenset({"awaiting_payment"})


class TransitionError(Exception):
    """A status change the machine does not allow."""


class OrderNotFound(Exception):
    pass


def transition(order: Order, to: str, actor: str, reason: str | Note = "", now=None) -> None:
    if to not in ORDER_TRANSITIONS.get(order.status, frozenset()):
        raise TransitionError(f"order {order.number}: {order.status} → {to} not allowed")
    _record_event(order.id, None, order.status, to, actor, reason, now)
    order.status = to


def transition_part(
    part: FacilityOrder, to: str, actor: str, reason: str | Note = "", now=None
) -> None:
    if to not in PART_TRANSITIONS.get(part.status, frozenset()):
        raise TransitionError(f"part {part.id}: {part.status} → {to} not allowed")
    _record_event(part.order_id, part.id, part.status, to, actor, reason, now)
    part.status = to


def _record_event(
    order_id: int,
    part_id: int | None,
    from_status: str,
    to: str,
    actor: str,
    reason: str | Note,
    now,
) -> None:
    text, note = note_columns(reason)
    db.session.add(
        OrderEvent(
            order_id=order_id,
            facility_order_id=part_id,
            from_status=from_status,
            to_status=to,
            actor=actor,
            reason=text,
            reason_msg=note,
            created_at=now or utcnow(),
        )
    )


def record_creation(order: Order, part_ids: list[int], actor: str, now) -> None:
    """The "placed" events of a new order and of each of its parts, in one INSERT."""
    db.session.execute(
        OrderEvent.__table__.insert(),
        [
            {
                "order_id": order.id,
                "facility_order_id": part_id,
                "from_status": None,
                "to_status": "pending" if part_id else order.status,
                "actor": actor,
                "reason": "",
                "reason_msg": system_note(N_("order placed")),
                "created_at": now,
            }
            for part_id in [None, *part_ids]
        ],
    )


def lock_order(order_id: int) -> Order:
    """The order row, freshly read and locked for this transaction (SELECT … FOR UPDATE).

    On SQLite the write transaction (``BEGIN IMMEDIATE``) already serialises writers.
    """
    order = db.session.execute(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if order is None:
        raise OrderNotFound(order_id)
    return order


def parts_of(order_id: int) -> list[FacilityOrder]:
    """An order's parts, freshly read, in id order."""
    return list(
        db.session.execute(
            select(FacilityOrder)
            .where(FacilityOrder.order_id == order_id)
            .order_by(FacilityOrder.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def _reallocate(order: Order, now: datetime) -> bool:
    """Hold an expired order's stock again (all lines or none)."""
    lines = db.session.execute(select(OrderLine).where(OrderLine.order_id == order.id)).scalars()
    requests = [
        inventory.AllocationRequest(line.product_id, line.quantity, line.id, line.product_name)
        for line in lines
    ]
    try:
        with db.session.begin_nested():
            inventory.allocate(order.id, requests, now)
    except inventory.OutOfStock:
        return False
    return True


def mark_paid(order: Order, actor: str, reason: str | Note, now: datetime | None = None) -> bool:
    """Money received for a locked order: consume stock, parts to processing, email.

    Returns False (and changes nothing) when an expired order's stock is gone.
    """
    from shop.orders.emails import queue_order_email

    now = now or utcnow()
    if order.status == "expired":
        if not _reallocate(order, now):
            return False
        reason = system_note(N_("%(why)s; late payment, stock held again"), why=reason)
    inventory.consume(order.id, actor, now)
    transition(order, "paid", actor, reason, now)
    order.paid_at = now
    for part in parts_of(order.id):
        transition_part(part, "processing", actor, system_note(N_("order paid")), now)
        _copy_split(part, now)
    db.session.flush()
    queue_order_email(order, "payment_confirmed")
    return True


def _copy_split(part: FacilityOrder, now: datetime) -> None:
    """Copy the material cost and the facility's split in force onto a part being paid,
    so the ledger and settlements never change when costs or percentages do."""
    material = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.material_cost * OrderLine.quantity), 0)).where(
            OrderLine.facility_order_id == part.id
        )
    )
    split = split_at(part.facility_id, now)
    money = split_sale(
        part.subtotal, int(material), split.premi_pct, split.pnbp_pct, split.capital_pct
    )
    part.material_cost = money.material_cost
    part.premi, part.pnbp, part.capital = money.premi, money.pnbp, money.capital
    part.premi_pct, part.pnbp_pct, part.capital_pct = (
        money.premi_pct,
        money.pnbp_pct,
        money.capital_pct,
    )


def _close_unpaid(order: Order, to: str, actor: str, reason: str | Note, now: datetime) -> None:
    inventory.release(order.id, now)
    transition(order, to, actor, reason, now)
    order.closed_at = now
    for part in parts_of(order.id):
        transition_part(part, "cancelled", actor, reason, now)
    order_closed.send(order, actor=actor, reason=reason, now=now)
    db.session.flush()


def expire_order(order_id: int, now: datetime | None = None, actor: str = "system") -> bool:
    """Expire one unpaid order whose deadline has passed; False if nothing to do."""
    now = now or utcnow()
    order = lock_order(order_id)
    if order.status != "awaiting_payment" or order.payment_deadline > now:
        return False
    _close_unpaid(order, "expired", actor, system_note(N_("payment deadline passed")), now)
    return True


def cancel_order(order_id: int, actor: str, reason: str, now: datetime | None = None) -> None:
    """Cancel an unpaid order (buyer or administrator); releases its stock."""
    now = now or utcnow()
    order = lock_order(order_id)
    _close_unpaid(order, "cancelled", actor, reason or system_note(N_("cancelled")), now)


def due_order_ids(now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    return list(
        db.session.execute(
            select(Order.id)
            .where(Order.status == "awaiting_payment", Order.payment_deadline <= now)
            .order_by(Order.id)
        ).scalars()
    )


def expire_due_orders(now: datetime | None = None) -> int:
    """Expire every overdue order, each in its own transaction (cron: ``expire-orders``)."""
    count = 0
    for order_id in due_order_ids(now):
        with unit_of_work():
            if expire_order(order_id, now):
                count += 1
    return count


def expire_overdue_holding(product_ids, now: datetime | None = None) -> int:
    """Expire the overdue orders still holding any of these products, in the caller's
    write transaction: a buyer who wants them never waits for the ``expire-orders`` job,
    and no page has to write on GET to free them."""
    from shop.inventory.models import StockAllocation

    now = now or utcnow()
    due = db.session.scalars(
        select(StockAllocation.order_id)
        .where(
            StockAllocation.product_id.in_(list(product_ids)),
            StockAllocation.status == "live",
            StockAllocation.expires_at <= now,
        )
        .distinct()
        .order_by(StockAllocation.order_id)
    ).all()
    return sum(1 for order_id in due if expire_order(order_id, now))


def shown_status(order: Order, now: datetime | None = None) -> str:
    """The status a page shows: an unpaid order past its deadline reads "expired" even
    before the ``expire-orders`` job has written it (pages never write on GET)."""
    now = now or utcnow()
    if order.status == "awaiting_payment" and order.payment_deadline <= now:
        return "expired"
    return order.status


def expire_if_due(order_id: int, now: datetime | None = None) -> None:
    """Lazy expiry when a page shows an order: commits its own write if one is needed."""
    now = now or utcnow()
    row = db.session.execute(
        select(Order.status, Order.payment_deadline).where(Order.id == order_id)
    ).first()
    if row is None or row.status != "awaiting_payment" or row.payment_deadline > now:
        return
    with unit_of_work():
        expire_order(order_id, now)


# ---- fulfilment, per facility part (the staff dashboard calls these) -------------------


def _lock_part(part_id: int) -> FacilityOrder:
    part = db.session.execute(
        select(FacilityOrder)
        .where(FacilityOrder.id == part_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if part is None:
        raise OrderNotFound(part_id)
    return part


def mark_part_packed(part_id: int, actor: str, now=None) -> FacilityOrder:
    now = now or utcnow()
    part = _lock_part(part_id)
    transition_part(part, "packed", actor, system_note(N_("packed")), now)
    part.packed_at = now
    db.session.flush()
    return part


def ship_part(
    part_id: int, tracking_number: str, actor: str, courier: str | None = None, now=None
) -> FacilityOrder:
    """A packed part handed to the courier: tracking number recorded, buyer emailed."""
    from shop.orders.emails import queue_order_email

    now = now or utcnow()
    tracking_number = tracking_number.strip()
    if not tracking_number:
        raise ValueError("a tracking number is required")
    part = _lock_part(part_id)
    shipped = system_note(N_("shipped %(tracking)s"), tracking=tracking_number)
    transition_part(part, "shipped", actor, shipped, now)
    part.tracking_number = tracking_number
    if courier:
        part.courier = courier
    part.shipped_at = now
    db.session.flush()
    order = db.session.get(Order, part.order_id)
    queue_order_email(order, "part_shipped", part_id=part.id)
    return part


def mark_part_delivered(part_id: int, actor: str, now=None) -> FacilityOrder:
    now = now or utcnow()
    part = _lock_part(part_id)
    transition_part(part, "delivered", actor, system_note(N_("delivered")), now)
    part.delivered_at = now
    db.session.flush()
    return part


def cancel_paid_part(part_id: int, actor: str, reason: str, now=None) -> FacilityOrder:
    """A facility cannot send a paid part: its stock goes back on the shelf (one ``return``
    movement per line) and the part is flagged ``refund_due`` for administrators, who
    return the money (``shop.payments.refunds``); what its facility was owed moves to
    "refunds due" in the ledger. Only before shipping (processing or packed).
    The buyer is emailed why, and that the money comes back.
    """
    now = now or utcnow()
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ValueError("a reason is required")
    order_id = db.session.scalar(select(FacilityOrder.order_id).where(FacilityOrder.id == part_id))
    if order_id is None:
        raise OrderNotFound(part_id)
    order = lock_order(order_id)  # the order first, then the part: the same order as mark_paid
    if order.status not in REFUNDABLE_ORDER_STATUSES:
        raise TransitionError(f"order {order.number}: not paid, nothing to refund")
    part = _lock_part(part_id)
    transition_part(part, "cancelled", actor, reason, now)
    part.refund_due = True
    part.cancel_reason = reason
    part.cancelled_at = now
    post(
        "part_cancelled",
        "facility_order",
        part.id,
        postings.part_cancelled(part.id),
        order_id=order.id,
        memo=reason,
        actor=actor,
        now=now,
    )
    lines = db.session.execute(
        select(OrderLine.product_id, OrderLine.quantity)
        .where(OrderLine.facility_order_id == part.id)
        .order_by(OrderLine.product_id, OrderLine.id)
    ).all()
    for product_id, quantity in lines:
        inventory.adjust(
            product_id,
            quantity,
            actor,
            system_note(N_("order %(number)s cancelled: %(why)s"), number=order.number, why=reason),
            kind="return",
            reason_code="cancelled",
            order_id=order.id,
        )
    db.session.flush()
    from shop.orders.emails import queue_order_email

    queue_order_email(order, "part_cancelled", part_id=part.id)
    return part


def refund_due_parts() -> list[FacilityOrder]:
    """Parts cancelled after payment whose money administrators still have to return."""
    return list(
        db.session.scalars(
            select(FacilityOrder)
            .where(FacilityOrder.refund_due.is_(True))
            .order_by(FacilityOrder.cancelled_at, FacilityOrder.id)
        )
    )


# ---- reading ---------------------------------------------------------------------------


def load_order_for_display(order_id: int) -> Order:
    """The order with its parts, each part's facility and lines: a bounded set of queries."""
    from shop.facilities.models import Facility  # noqa: F401  (relationship target)

    return db.session.execute(
        select(Order)
        .where(Order.id == order_id)
        .options(
            selectinload(Order.parts).selectinload(FacilityOrder.facility),
            selectinload(Order.parts).selectinload(FacilityOrder.lines),
            selectinload(Order.lines),
        )
        .execution_options(populate_existing=True)
    ).scalar_one()


def find_by_token(token: str) -> Order | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(select(Order).where(Order.public_token == token)).scalar_one_or_none()


def find_by_number_and_email(number: str, email: str) -> Order | None:
    number = number.strip().upper()
    email = email.strip().lower()
    order = db.session.execute(select(Order).where(Order.number == number)).scalar_one_or_none()
    if order is None or order.email.lower() != email:
        return None
    return order


def tracking_url(order: Order, site_url: str) -> str:
    return f"{site_url}/pesanan/{order.public_token}"


def lookup_url(site_url: str) -> str:
    """The page that finds an order by its number and the buyer's e-mail address."""
    return f"{site_url}/pesanan/cari"
