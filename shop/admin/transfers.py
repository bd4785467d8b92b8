"""Bank transfers for administrators: the queue to confirm, the review list, the search.

Rows are ``(Order, Payment)`` pairs: the order and its bank-transfer payment. Confirming
itself is :func:`shop.payments.bank_transfer.confirm_bank_transfer`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, select

from shop.core.paging import Page, paginate
from shop.extensions import db
from shop.orders.models import Order
from shop.payments.models import Payment, PaymentChange

PER_PAGE = 30
# An order a transfer can still pay (an expired one only while its stock can be held again).
CONFIRMABLE = frozenset({"awaiting_payment", "expired"})
PAYMENT_STATUS_LABELS = {
    "pending": _l("Awaiting transfer"),
    "succeeded": _l("Received"),
    "failed": _l("Failed"),
    "expired": _l("Expired"),
    "needs_review": _l("Needs review"),
    "refunded": _l("Refunded"),
}


@dataclass(frozen=True)
class TransferCounts:
    awaiting: int
    review: int


def _transfers() -> Select:
    return select(Order, Payment).join(
        Payment, and_(Payment.order_id == Order.id, Payment.provider == "bank_transfer")
    )


_AWAITING = (Order.status == "awaiting_payment", Payment.status == "pending")
_REVIEW = (Payment.status == "needs_review",)


def awaiting(page: int) -> Page:
    """Transfers the shop is waiting for, the oldest deadline first."""
    stmt = _transfers().where(*_AWAITING).order_by(Order.payment_deadline, Order.id)
    return paginate(stmt, page, PER_PAGE, rows=True)


def to_review(page: int) -> Page:
    """Transfers held for an administrator (too little money, or late with stock gone)."""
    stmt = _transfers().where(*_REVIEW).order_by(Payment.updated_at, Payment.id)
    return paginate(stmt, page, PER_PAGE, rows=True)


def search(page: int, amount: int | None = None, number: str = "") -> Page:
    """Bank-transfer orders of any status with exactly this amount due and/or number."""
    stmt = _transfers()
    if amount is not None:
        stmt = stmt.where(Payment.amount == amount)
    if number:
        stmt = stmt.where(Order.number == number.strip().upper())
    stmt = stmt.order_by(Order.payment_deadline.desc(), Order.id.desc())
    return paginate(stmt, page, PER_PAGE, rows=True)


def counts() -> TransferCounts:
    """How many transfers await confirmation and how many need review (the to-do page)."""

    def count(*where) -> int:
        stmt = select(func.count()).select_from(Order).join(Payment, Payment.order_id == Order.id)
        return db.session.scalar(stmt.where(Payment.provider == "bank_transfer", *where)) or 0

    return TransferCounts(awaiting=count(*_AWAITING), review=count(*_REVIEW))


def transfer_payment(order_id: int) -> Payment | None:
    """The order's latest bank-transfer payment (None: not a bank-transfer order)."""
    return db.session.scalars(
        select(Payment)
        .where(Payment.order_id == order_id, Payment.provider == "bank_transfer")
        .order_by(Payment.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).first()


def history(payment_id: int) -> list[PaymentChange]:
    """The payment's audited status changes, oldest first."""
    return list(
        db.session.scalars(
            select(PaymentChange)
            .where(PaymentChange.payment_id == payment_id)
            .order_by(PaymentChange.id)
        )
    )
