"""Writing off a small shortfall: an order paid a little less than its total (a line near
but not equal to its amount, or what is left short after matching). Up to
``WRITE_OFF_LIMIT`` rupiah (default Rp 10.000) the shop bears the difference: the order is
paid, its facilities get their full shares and the ``write_offs`` expense takes the rest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.extensions import db
from shop.i18n import format_rupiah
from shop.ledger import postings
from shop.ledger.services import post
from shop.orders import services as orders
from shop.orders.models import PAYABLE_ORDER_STATUSES, Order
from shop.payments import core
from shop.payments.models import Payment
from shop.reconciliation.models import Resolution, StatementLine
from shop.reconciliation.resolve.common import person, resolve
from shop.reconciliation.services.matching import (
    LineError,
    _order_by_number,
    _received_before,
    get_line,
    match_by_hand,
)
from shop.sqltypes import utcnow

DEFAULT_LIMIT = 10_000


def write_off_limit() -> int:
    return int(current_app.config.get("WRITE_OFF_LIMIT", DEFAULT_LIMIT))


def shortfall(payment: Payment) -> int:
    """What a transfer left short of its order's total (0 when nothing is short)."""
    if payment.provider != "bank_transfer" or payment.status != "needs_review":
        return 0
    order = db.session.get(Order, payment.order_id)
    if order.status not in PAYABLE_ORDER_STATUSES:
        return 0
    held = core.received(payment.id) - core.refunded(payment.id)
    return max(order.total - held, 0) if held > 0 else 0


def _check_limit(amount: int) -> None:
    limit = write_off_limit()
    if amount > limit:
        raise LineError(
            _l(
                "%(amount)s is more than the %(limit)s an administrator may write off: "
                "ask the buyer for the rest or refund what arrived.",
                amount=format_rupiah(amount),
                limit=format_rupiah(limit),
            )
        )


def write_off_shortfall(
    payment_id: int,
    actor: Any,
    note: str,
    now: datetime | None = None,
    *,
    line: StatementLine | None = None,
) -> Resolution:
    """Pay a short transfer's order, the shop bearing the shortfall (at most the limit)."""
    now = now or utcnow()
    if not note.strip():
        raise LineError(_l("Say why the difference is written off."))
    payment = db.session.get(Payment, payment_id, populate_existing=True)
    if payment is None:
        raise LineError(_l("No such payment."))
    order = orders.lock_order(payment.order_id)
    db.session.refresh(payment)
    amount = shortfall(payment)
    if amount <= 0:
        raise LineError(_l("Nothing is short on this payment: nothing was changed."))
    _check_limit(amount)
    held = core.received(payment.id) - core.refunded(payment.id)
    who = person(actor)
    if not orders.mark_paid(order, who, f"shortfall of {amount} written off", now):
        raise LineError(_l("The order expired and its stock is gone: refund what arrived instead."))
    core.set_status(payment, "succeeded", who, f"shortfall of {amount} written off", now=now)
    post(
        "payment_received",
        "write_off",
        f"payment:{payment.id}",
        postings.written_off_sale(order, orders.parts_of(order.id), held, amount),
        order_id=order.id,
        memo=f"shortfall of {amount} written off: {note.strip()}",
        actor=who,
        now=now,
    )
    if line is not None:
        line.status = "written_off"
    db.session.flush()
    return resolve(
        "write_off",
        f"payment:{payment.id}",
        actor,
        note,
        now,
        amount=amount,
        order_id=order.id,
        payment_id=payment.id,
        line_id=line.id if line is not None else None,
    )


def write_off_line(
    line_id: int, order_number: str, actor: Any, note: str, now: datetime | None = None
) -> Resolution:
    """A credit a little below an order's total: match it to the order and write off the
    rest. Refused above the limit (nothing is matched then)."""
    now = now or utcnow()
    line = get_line(line_id)
    if line is None or line.direction != "C" or line.status != "unmatched":
        raise LineError(_l("This line has already been handled: nothing was changed."))
    if not note.strip():
        raise LineError(_l("Say why the difference is written off."))
    order = _order_by_number(order_number)
    short = order.total - _received_before(order.id) - line.amount
    if short <= 0:
        raise LineError(_l("The line covers the order's total: match it instead."))
    _check_limit(short)
    match_by_hand(line_id, order.number, actor, note.strip(), now)
    payment_id = db.session.scalar(
        select(Payment.id)
        .where(Payment.order_id == order.id, Payment.provider == "bank_transfer")
        .order_by(Payment.id.desc())
    )
    return write_off_shortfall(payment_id, actor, note, now, line=line)
