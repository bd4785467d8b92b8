"""Stock that cannot oversell: guarded single-statement updates of ``product``.

Every change of ``allocated``/``on_hand`` is one core UPDATE whose WHERE clause carries
the rule, with the row count checked. Core UPDATEs do not bump ``Product.version`` (the
ORM's optimistic lock for staff edits), so buying never makes a staff edit conflict, and
this module never changes stock through ORM ``Product`` objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Row, case, func, literal, select, update

from shop.catalog.models import Product
from shop.extensions import db
from shop.inventory.models import StockAllocation, StockMovement
from shop.orders.models import OrderLine
from shop.sqltypes import utcnow
from shop.system_text import N_, Note, note_columns, system_note

product_t = Product.__table__
allocation_t = StockAllocation.__table__
locked_products = product_t.alias("locked")  # built once: an alias copies every column


class OutOfStock(Exception):
    """A line could not be allocated; nothing of the order was."""

    def __init__(self, product_id: int, name: str, requested: int) -> None:
        super().__init__(f"not enough stock of {name!r} (product {product_id}) for {requested}")
        self.product_id = product_id
        self.name = name
        self.requested = requested


class StockError(Exception):
    """A stock adjustment that would break an invariant."""


@dataclass(frozen=True)
class AllocationRequest:
    product_id: int
    quantity: int
    order_line_id: int
    name: str


def hold_stock(
    quantities: Mapping[int, int], names: Mapping[int, str], read: Sequence[ColumnElement] = ()
) -> dict[int, Row]:
    """Add ``quantities`` (product id → units) to ``allocated`` in one guarded UPDATE, or
    raise :class:`OutOfStock` for the first product (by id) that cannot give them; returns
    the columns ``read`` of each product as the UPDATE left it (by id).

    The caller must roll back on ``OutOfStock``: the other products were already held in
    its transaction. The UPDATE locks its rows itself, in id order (a ``FOR NO KEY
    UPDATE`` subquery on PostgreSQL), so concurrent buyers of the same products queue in
    one order and never deadlock. ``NO KEY``: the lock an UPDATE of non-key columns takes,
    which does not wait for the key-share locks that order lines hold on these rows.
    """
    if any(q <= 0 for q in quantities.values()):
        raise ValueError("quantity must be positive")
    if not quantities:
        return {}
    wanted = case(dict(quantities), value=product_t.c.id)
    locked = locked_products.c
    in_id_order = (
        select(locked.id)
        .where(locked.id.in_(list(quantities)))
        .order_by(locked.id)
        .with_for_update(key_share=True)
    )
    held = {
        row.id: row
        for row in db.session.execute(
            update(product_t)
            .where(
                product_t.c.id.in_(list(quantities)),  # the plan: by primary key
                product_t.c.id.in_(in_id_order),
                product_t.c.status == "active",
                product_t.c.hidden_at.is_(None),
                product_t.c.on_hand - product_t.c.allocated >= wanted,
            )
            .values(allocated=product_t.c.allocated + wanted)
            .returning(product_t.c.id, *read)
        )
    }
    missing = sorted(set(quantities) - set(held))
    if missing:
        pid = missing[0]
        raise OutOfStock(pid, names.get(pid, str(pid)), quantities[pid])
    return held


def allocate(order_id: int, requests: Iterable[AllocationRequest], expires_at: datetime) -> None:
    """Allocate every line or raise :class:`OutOfStock` (roll back then)."""
    ordered = sorted(requests, key=lambda r: (r.product_id, r.order_line_id))
    quantities: dict[int, int] = {}
    for req in ordered:
        if req.quantity <= 0:
            raise ValueError("quantity must be positive")
        quantities[req.product_id] = quantities.get(req.product_id, 0) + req.quantity
    hold_stock(quantities, {r.product_id: r.name for r in ordered})
    db.session.execute(
        allocation_t.insert(),
        [
            {
                "product_id": r.product_id,
                "order_id": order_id,
                "order_line_id": r.order_line_id,
                "quantity": r.quantity,
                "status": "live",
                "expires_at": expires_at,
                "created_at": utcnow(),
            }
            for r in ordered
        ],
    )


def allocate_order_lines(order_id: int, expires_at: datetime) -> None:
    """One live allocation per line of a new order whose stock the caller holds
    (:func:`hold_stock`), the rows copied from ``order_line`` by one INSERT … SELECT (no
    line ids needed here)."""
    line_t = OrderLine.__table__
    db.session.execute(
        allocation_t.insert().from_select(
            [
                "product_id",
                "order_id",
                "order_line_id",
                "quantity",
                "status",
                "expires_at",
                "created_at",
            ],
            select(
                line_t.c.product_id,
                line_t.c.order_id,
                line_t.c.id,
                line_t.c.quantity,
                literal("live"),
                literal(expires_at, allocation_t.c.expires_at.type),
                literal(utcnow(), allocation_t.c.created_at.type),
            ).where(line_t.c.order_id == order_id),
        )
    )


def _live_allocations(order_id: int) -> list[tuple[int, int, int]]:
    rows = db.session.execute(
        select(allocation_t.c.id, allocation_t.c.product_id, allocation_t.c.quantity)
        .where(allocation_t.c.order_id == order_id, allocation_t.c.status == "live")
        .order_by(allocation_t.c.product_id, allocation_t.c.id)
    )
    return [tuple(r) for r in rows]


def _close_allocation(allocation_id: int, status: str, now: datetime) -> bool:
    """Move one allocation out of ``live``; False if someone else already did."""
    result = db.session.execute(
        update(allocation_t)
        .where(allocation_t.c.id == allocation_id, allocation_t.c.status == "live")
        .values(status=status, closed_at=now)
    )
    return result.rowcount == 1


def release(order_id: int, now: datetime | None = None) -> int:
    """Give an unpaid order's held units back; returns how many units were released."""
    now = now or utcnow()
    released = 0
    for allocation_id, product_id, quantity in _live_allocations(order_id):
        if not _close_allocation(allocation_id, "released", now):
            continue
        result = db.session.execute(
            update(product_t)
            .where(product_t.c.id == product_id, product_t.c.allocated >= quantity)
            .values(allocated=product_t.c.allocated - quantity)
        )
        if result.rowcount != 1:
            raise StockError(f"product {product_id}: allocated below a live allocation")
        released += quantity
    return released


def consume(order_id: int, actor: str, now: datetime | None = None) -> int:
    """Paid: held units leave the shelf (``on_hand`` and ``allocated`` drop together)."""
    now = now or utcnow()
    consumed = 0
    for allocation_id, product_id, quantity in _live_allocations(order_id):
        if not _close_allocation(allocation_id, "consumed", now):
            continue
        result = db.session.execute(
            update(product_t)
            .where(
                product_t.c.id == product_id,
                product_t.c.allocated >= quantity,
                product_t.c.on_hand >= quantity,
            )
            .values(
                on_hand=product_t.c.on_hand - quantity,
                allocated=product_t.c.allocated - quantity,
            )
        )
        if result.rowcount != 1:
            raise StockError(f"product {product_id}: cannot consume {quantity}")
        _movement(
            product_id, -quantity, "sale", actor, system_note(N_("order paid")), order_id, now
        )
        consumed += quantity
    return consumed


def adjust(
    product_id: int,
    delta: int,
    actor: str,
    reason: str | Note,
    kind: str = "adjustment",
    *,
    reason_code: str = "",
    order_id: int | None = None,
) -> None:
    """Staff count correction or restock: ``on_hand`` += delta, never below what is held.

    ``reason_code`` classifies the movement for the staff ledger (see
    ``inventory.models.REASON_CODES``); ``order_id`` links stock returned by an order.
    """
    if delta == 0:
        raise StockError("nothing to adjust")
    result = db.session.execute(
        update(product_t)
        .where(
            product_t.c.id == product_id,
            product_t.c.on_hand + delta >= product_t.c.allocated,
            product_t.c.on_hand + delta >= 0,
        )
        .values(on_hand=product_t.c.on_hand + delta)
    )
    if result.rowcount != 1:
        raise StockError(f"product {product_id}: on hand cannot drop below allocated")
    _movement(product_id, delta, kind, actor, reason, order_id, utcnow(), reason_code)


def _movement(product_id, delta, kind, actor, reason, order_id, now, reason_code="") -> None:
    text, note = note_columns(reason)
    db.session.add(
        StockMovement(
            product_id=product_id,
            delta=delta,
            kind=kind,
            actor=actor,
            reason=text,
            reason_msg=note,
            reason_code=reason_code or ("sale" if kind == "sale" else ""),
            order_id=order_id,
            created_at=now,
        )
    )


def live_allocated_by_product() -> dict[int, int]:
    """Sum of live allocations per product (for invariant checks and staff views)."""
    rows = db.session.execute(
        select(allocation_t.c.product_id, func.sum(allocation_t.c.quantity))
        .where(allocation_t.c.status == "live")
        .group_by(allocation_t.c.product_id)
    )
    return {pid: int(total) for pid, total in rows}


def invariant_violations() -> list[str]:
    """Products whose ``allocated`` differs from their live allocations, or out of range."""
    live = live_allocated_by_product()
    problems = []
    rows = db.session.execute(select(product_t.c.id, product_t.c.on_hand, product_t.c.allocated))
    for pid, on_hand, allocated in rows:
        if allocated != live.get(pid, 0):
            problems.append(f"product {pid}: allocated {allocated} != live {live.get(pid, 0)}")
        if not 0 <= allocated <= on_hand:
            problems.append(f"product {pid}: allocated {allocated} outside 0..{on_hand}")
    return problems
