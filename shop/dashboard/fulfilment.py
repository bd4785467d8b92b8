"""Order parts to fulfil, for facility staff: lists by tab, one part, pack/ship/cancel.

Staff see their facility's part of an order only (its lines, the buyer's shipping
address, paid or not); never the other facilities' parts nor payment details. The state
changes are :mod:`shop.orders.services`' own; this module scopes and validates.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from shop.accounts.scoping import for_facility, get_for_facility
from shop.audit import services as audit
from shop.core.paging import Page, paginate
from shop.extensions import db
from shop.orders import services as orders
from shop.orders.models import COURIERS, FacilityOrder, Order

TABS: dict[str, tuple[str, ...]] = {
    "to_pack": ("processing",),
    "packed": ("packed",),
    "shipped": ("shipped",),
    "history": ("delivered", "cancelled"),
    "unpaid": ("pending",),
}
TAB_LABELS = {
    "to_pack": _l("Paid, to pack"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "history": _l("Delivered and cancelled"),
    "unpaid": _l("Awaiting payment"),
}
STATUS_LABELS = {
    "pending": _l("Awaiting payment"),
    "processing": _l("Paid, to pack"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
}
COURIER_LABELS = {"jne": "JNE", "jnt": "J&T Express", "pos": "POS Indonesia"}
CANCELLABLE = ("processing", "packed")
TRACKING_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{5,39}$")
PER_PAGE = 30


class FulfilmentRefused(ValueError):
    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def _facility_parts(facility_id: int):
    return for_facility(select(FacilityOrder), FacilityOrder.facility_id, facility_id)


def tab_counts(facility_id: int) -> dict[str, int]:
    rows = db.session.execute(
        for_facility(
            select(FacilityOrder.status, func.count()).group_by(FacilityOrder.status),
            FacilityOrder.facility_id,
            facility_id,
        )
    )
    by_status = dict(rows.all())
    return {tab: sum(by_status.get(s, 0) for s in statuses) for tab, statuses in TABS.items()}


def list_parts(facility_id: int, tab: str, page: int = 1) -> Page:
    """Parts in the tab; oldest first while there is work to do, newest first otherwise."""
    statuses = TABS.get(tab, TABS["to_pack"])
    stmt = _facility_parts(facility_id).where(FacilityOrder.status.in_(statuses))
    newest_first = tab in ("shipped", "history")
    order = FacilityOrder.id.desc() if newest_first else FacilityOrder.id
    stmt = stmt.options(
        joinedload(FacilityOrder.order), selectinload(FacilityOrder.lines)
    ).order_by(order)
    return paginate(stmt, page, PER_PAGE)


def get_part(facility_id: int, part_id: int) -> FacilityOrder | None:
    """The part with its order (buyer, address) and its own lines; None if not this facility's."""
    return get_for_facility(
        FacilityOrder,
        part_id,
        facility_id,
        options=[joinedload(FacilityOrder.order), selectinload(FacilityOrder.lines)],
    )


def history(part: FacilityOrder):
    """Transitions of this part only (not of the other facilities' parts)."""
    from shop.orders.models import OrderEvent

    return db.session.scalars(
        select(OrderEvent)
        .where(OrderEvent.facility_order_id == part.id)
        .order_by(OrderEvent.created_at, OrderEvent.id)
    ).all()


def is_paid(order: Order) -> bool:
    return order.paid_at is not None


def _own(facility_id: int, part_id: int) -> None:
    if get_for_facility(FacilityOrder, part_id, facility_id) is None:
        raise LookupError(part_id)


def _refused_transition() -> FulfilmentRefused:
    return FulfilmentRefused(
        _l("This part's status changed meanwhile; nothing was done. Check it again.")
    )


def _audited(action: str, facility_id: int, part_id: int, actor: str, change, **after):
    """Run one fulfilment change and write its audit row (status before → after)."""
    before = db.session.scalar(select(FacilityOrder.status).where(FacilityOrder.id == part_id))
    part = change()
    audit.record(
        actor,
        action,
        "facility_order",
        part_id,
        before={"status": before},
        after={"status": part.status, **after},
        facility_id=facility_id,
    )
    return part


def pack(facility_id: int, part_id: int, actor: str) -> FacilityOrder:
    _own(facility_id, part_id)
    try:
        return _audited(
            "order_part.pack",
            facility_id,
            part_id,
            actor,
            lambda: orders.mark_part_packed(part_id, actor),
        )
    except orders.TransitionError:
        raise _refused_transition() from None


def deliver(facility_id: int, part_id: int, actor: str) -> FacilityOrder:
    """The courier (or the buyer) confirmed the parcel arrived."""
    _own(facility_id, part_id)
    try:
        return _audited(
            "order_part.deliver",
            facility_id,
            part_id,
            actor,
            lambda: orders.mark_part_delivered(part_id, actor),
        )
    except orders.TransitionError:
        raise _refused_transition() from None


def ship(
    facility_id: int, part_id: int, courier: str, tracking_number: str, actor: str
) -> FacilityOrder:
    """Hand a packed part to the courier; the buyer is emailed by the orders service."""
    _own(facility_id, part_id)
    tracking_number = re.sub(r"\s+", "", tracking_number or "").upper()
    if courier not in COURIERS:
        raise FulfilmentRefused(_l("Choose the courier."), "courier")
    if not TRACKING_RE.match(tracking_number):
        raise FulfilmentRefused(
            _l("Write the tracking number from the courier's receipt (6 to 40 letters or digits)."),
            "tracking_number",
        )
    try:
        return _audited(
            "order_part.ship",
            facility_id,
            part_id,
            actor,
            lambda: orders.ship_part(part_id, tracking_number, actor, courier=courier),
            courier=courier,
            tracking_number=tracking_number,
        )
    except orders.TransitionError:
        raise _refused_transition() from None


def cancel(facility_id: int, part_id: int, reason: str, actor: str) -> FacilityOrder:
    """Cancel a paid part before shipping: stock back, refund flagged for administrators."""
    _own(facility_id, part_id)
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise FulfilmentRefused(
            _l("Say why the part cannot be sent (the buyer and administrators read it)."),
            "reason",
        )
    try:
        return _audited(
            "order_part.cancel",
            facility_id,
            part_id,
            actor,
            lambda: orders.cancel_paid_part(part_id, actor, reason),
            reason=reason,
        )
    except orders.TransitionError:
        raise FulfilmentRefused(
            _l("Only a paid part that has not been shipped can be cancelled here.")
        ) from None
