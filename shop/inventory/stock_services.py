"""Stock for facility staff: levels, adjustments with a reason, the ledger and its CSV.

The rule that ``on_hand`` never drops below ``allocated`` lives in
:func:`shop.inventory.services.adjust` (one guarded UPDATE); this module only scopes,
validates the staff form's meaning (a production batch adds, damage removes) and turns
the refusal into a message that says how much may be removed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select, update

from shop.accounts.scoping import for_facility, get_for_facility
from shop.audit import services as audit
from shop.catalog.freshness import catalog_changed
from shop.catalog.models import Product
from shop.catalog.product_services import like_pattern
from shop.core.paging import Page, paginate
from shop.core.timezone import JAKARTA, day_start
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory.models import REASON_CODES, STAFF_REASON_CODES, StockMovement
from shop.orders.models import Order
from shop.system_text import N_, label, render_note, system_note
from shop.system_text import actor_label as actor_name

MAX_CHANGE = 100_000
MAX_THRESHOLD = 100_000
LEDGER_PAGE = 50

# The msgids (for notes, translated when shown) and the lazily translated labels.
REASON_NAMES = {
    "production": N_("New production batch"),
    "damaged": N_("Damaged"),
    "correction": N_("Count correction"),
    "returned": N_("Returned"),
    "sale": N_("Sold (order paid)"),
    "cancelled": N_("Order part cancelled (back on the shelf)"),
    "": N_("Other"),
}
REASON_LABELS = {code: _l(name) for code, name in REASON_NAMES.items()}
# The movement kind (inventory's coarse classification) for each staff reason.
KIND_FOR_REASON = {
    "production": "restock",
    "damaged": "adjustment",
    "correction": "adjustment",
    "returned": "return",
}


class AdjustmentRefused(ValueError):
    """The adjustment was not made; ``field`` names the form field it concerns."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, REASON_LABELS[""]))


# ---- levels -----------------------------------------------------------------------------


def _available():
    return Product.on_hand - Product.allocated


def stock_levels(facility_id: int, q: str = "", low_only: bool = False, page: int = 1) -> Page:
    """The facility's products with stock columns; archived ones last."""
    stmt = for_facility(select(Product), Product.facility_id, facility_id)
    q = q.strip()
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(
            or_(
                func.lower(Product.name).like(pattern, escape="\\"),
                func.lower(Product.sku).like(pattern, escape="\\"),
            )
        )
    if low_only:
        stmt = stmt.where(Product.status != "archived", _available() <= Product.low_stock_threshold)
    stmt = stmt.order_by((Product.status == "archived"), Product.name, Product.id)
    return paginate(stmt, page, 50)


def low_stock(facility_id: int, limit: int = 20) -> list[Product]:
    """Products still for sale whose available stock is at or below their threshold."""
    return list(
        db.session.scalars(
            for_facility(select(Product), Product.facility_id, facility_id)
            .where(Product.status != "archived", _available() <= Product.low_stock_threshold)
            .order_by(_available(), Product.name, Product.id)
            .limit(limit)
        )
    )


def product_choices(facility_id: int) -> list:
    """(id, name, sku) of every product of the facility, for the ledger's filter."""
    return db.session.execute(
        for_facility(
            select(Product.id, Product.name, Product.sku), Product.facility_id, facility_id
        ).order_by(Product.name, Product.id)
    ).all()


def get_product(facility_id: int, product_id: int) -> Product | None:
    return get_for_facility(Product, product_id, facility_id)


# ---- changes ----------------------------------------------------------------------------


def actor_label(actor) -> str:
    """What a movement row says about who made it: the user's e-mail, or a label."""
    return (getattr(actor, "email", None) or str(actor))[:80]


def adjust_stock(
    facility_id: int, product_id: int, reason_code: str, change: int, note: str, actor
) -> None:
    """Add or remove stock for a reason; one movement row and one audit row (``actor`` is
    the user, or a label for scripts). Raises :class:`AdjustmentRefused`."""
    if get_for_facility(Product, product_id, facility_id) is None:
        raise LookupError(product_id)
    if reason_code not in STAFF_REASON_CODES:
        raise AdjustmentRefused(_l("Choose a reason."), "reason")
    if not change:
        raise AdjustmentRefused(_l("Write how many pieces to add or remove."), "change")
    if abs(change) > MAX_CHANGE:
        raise AdjustmentRefused(_l("That is more than one adjustment can change."), "change")
    if reason_code in ("production", "returned") and change < 0:
        raise AdjustmentRefused(
            _l("A new batch or a return adds pieces: write a positive number, like 10."),
            "change",
        )
    if reason_code == "damaged" and change > 0:
        raise AdjustmentRefused(
            _l("Damaged pieces leave the shelf: write a negative number, like -2."), "change"
        )
    note = " ".join((note or "").split())[:300]
    try:
        with db.session.begin_nested():
            inventory.adjust(
                product_id,
                change,
                actor_label(actor),
                note,
                kind=KIND_FOR_REASON[reason_code],
                reason_code=reason_code,
            )
            db.session.flush()
    except inventory.StockError:
        on_hand, allocated = db.session.execute(
            select(Product.on_hand, Product.allocated).where(Product.id == product_id)
        ).one()
        raise AdjustmentRefused(
            _l(
                "Not changed: %(on_hand)s on hand, %(allocated)s of them held for unpaid "
                "orders, so at most %(most)s can be removed now.",
                on_hand=on_hand,
                allocated=allocated,
                most=on_hand - allocated,
            ),
            "change",
        ) from None
    on_hand = db.session.scalar(select(Product.on_hand).where(Product.id == product_id))
    audit.record(
        actor,
        "stock.adjust",
        "product",
        product_id,
        before={"on_hand": on_hand - change},
        after={"on_hand": on_hand},
        facility_id=facility_id,
        note=system_note(
            N_("%(reason)s: %(note)s") if note else N_("%(reason)s"),
            reason=label(REASON_NAMES[reason_code]),
            note=note,
        ),
    )
    catalog_changed()  # stock set by hand shows at once on every listing


def set_threshold(facility_id: int, product_id: int, threshold: int, *, actor) -> None:
    """Change the low-stock threshold (a core UPDATE: the product form's version stays)."""
    if not 0 <= threshold <= MAX_THRESHOLD:
        raise AdjustmentRefused(_l("Between 0 and 100000."), "threshold")
    before = db.session.scalar(
        for_facility(
            select(Product.low_stock_threshold).where(Product.id == product_id),
            Product.facility_id,
            facility_id,
        )
    )
    result = db.session.execute(
        for_facility(
            update(Product.__table__).where(Product.__table__.c.id == product_id),
            Product.__table__.c.facility_id,
            facility_id,
        ).values(low_stock_threshold=threshold)
    )
    if result.rowcount != 1:
        raise LookupError(product_id)
    audit.record(
        actor,
        "stock.threshold",
        "product",
        product_id,
        before={"low_stock_threshold": before},
        after={"low_stock_threshold": threshold},
        facility_id=facility_id,
    )


# ---- ledger -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilter:
    product_id: int | None = None
    reason: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict:
        """Query-string values (for links and the CSV export)."""
        args = {
            "product": self.product_id,
            "reason": self.reason or None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in args.items() if v is not None}


def _ledger_stmt(facility_id: int, f: LedgerFilter) -> Select:
    stmt = (
        select(StockMovement, Product.name, Product.sku, Order.number)
        .join(Product, Product.id == StockMovement.product_id)
        .outerjoin(Order, Order.id == StockMovement.order_id)
    )
    stmt = for_facility(stmt, Product.facility_id, facility_id)
    if f.product_id is not None:
        stmt = stmt.where(StockMovement.product_id == f.product_id)
    if f.reason in REASON_CODES:
        stmt = stmt.where(StockMovement.reason_code == f.reason)
    if f.date_from:
        stmt = stmt.where(StockMovement.created_at >= day_start(f.date_from))
    if f.date_to:
        stmt = stmt.where(StockMovement.created_at < day_start(f.date_to + timedelta(days=1)))
    return stmt


def ledger_page(facility_id: int, f: LedgerFilter, page: int = 1) -> Page:
    stmt = _ledger_stmt(facility_id, f).order_by(
        StockMovement.created_at.desc(), StockMovement.id.desc()
    )
    return paginate(stmt, page, LEDGER_PAGE, rows=True)


def ledger_total(facility_id: int, f: LedgerFilter) -> int:
    """Sum of the filtered movements (for one product and no dates: its ``on_hand``)."""
    sub = _ledger_stmt(facility_id, f).subquery()
    return int(db.session.scalar(select(func.coalesce(func.sum(sub.c.delta), 0))) or 0)


# Column names in the staff member's language; the reason column keeps its codes
# (``production``, ``sale``, …) so spreadsheets can filter on them whatever the language.
CSV_HEADER = [
    _l("date (WIB)"),
    _l("product"),
    _l("sku"),
    _l("change"),
    _l("reason"),
    _l("note"),
    _l("order"),
    _l("by"),
]


def _cell(text: str) -> str:
    """Text that a spreadsheet would run as a formula is quoted (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def ledger_csv(facility_id: int, f: LedgerFilter) -> Iterator[str]:
    """The filtered ledger as CSV lines, oldest first, streamed in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow([str(name) for name in CSV_HEADER])
    yield flush()
    stmt = _ledger_stmt(facility_id, f).order_by(StockMovement.created_at, StockMovement.id)
    for movement, name, sku, number in db.session.execute(stmt.execution_options(yield_per=500)):
        writer.writerow(
            [
                movement.created_at.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M"),
                _cell(name),
                _cell(sku),
                movement.delta,
                movement.reason_code or movement.kind,
                _cell(render_note(movement.reason_msg, movement.reason)),
                number or "",
                _cell(actor_name(movement.actor)),
            ]
        )
        if buffer.tell() > 16_384:
            yield flush()
    yield flush()
