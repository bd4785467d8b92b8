"""Bank transfer: a unique amount to match the transfer, instructions, admin confirmation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.extensions import db
from shop.orders import services as orders
from shop.orders.models import PAYABLE_ORDER_STATUSES, Order
from shop.payments import core
from shop.payments.core import set_status
from shop.payments.models import Payment
from shop.sqltypes import utcnow
from shop.system_text import N_, Note, rupiah, system_note

MAX_UNIQUE_CODE = 999
# The predicate of the partial unique index on pending transfers' amounts.
PENDING_TRANSFER = "provider = 'bank_transfer' AND status = 'pending'"
# Why a pending payment expired, by how its order closed (``why`` says why that was).
CLOSED_WHY = {
    "expired": N_("order expired: %(why)s"),
    "cancelled": N_("order cancelled: %(why)s"),
}


class PaymentError(Exception):
    pass


def _taken_amounts(total: int) -> set[int]:
    rows = db.session.execute(
        select(Payment.amount).where(
            Payment.provider == "bank_transfer",
            Payment.status == "pending",
            Payment.amount.between(total + 1, total + MAX_UNIQUE_CODE),
        )
    ).scalars()
    return set(rows)


def choose_unique_amount(total: int) -> int:
    """``total`` + a code (1–999) no pending transfer uses now."""
    taken = _taken_amounts(total)
    free = [c for c in range(1, MAX_UNIQUE_CODE + 1) if total + c not in taken]
    if not free:
        raise PaymentError("no unique amount code left for this total")
    return total + secrets.choice(free)


def draw_amount(total: int) -> int:
    """``total`` + a random code (1–999), not checked against the pending transfers: the
    INSERT of :func:`open_bank_transfer` is the check (a taken amount inserts nothing and
    is drawn again among the free ones), so an order reads no amounts unless it collides."""
    return total + secrets.randbelow(MAX_UNIQUE_CODE) + 1


def open_bank_transfer(
    order_id: int, total: int, attempts: int = 5, amount: int | None = None
) -> Payment:
    """A pending payment of ``total`` + a code (1–999) no other pending transfer uses
    (``amount``, when the caller chose it already with :func:`choose_unique_amount`).

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING`` per try (no savepoint): when a
    concurrent buyer holds the same amount, the partial unique index makes it insert
    nothing and we draw again.
    """
    for _ in range(attempts):
        payment = db.session.scalar(
            _insert_unless_taken(
                order_id=order_id,
                provider="bank_transfer",
                status="pending",
                amount=amount or choose_unique_amount(total),
            ),
            execution_options={"populate_existing": True},
        )
        amount = None
        if payment is not None:
            return payment
    raise PaymentError("could not reserve a unique amount code")


def _insert_unless_taken(**values):
    """INSERT of a pending transfer that inserts nothing when its amount is taken."""
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[dialect]
    return (
        insert(Payment)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[Payment.amount],
            # Literal, as in the index: PostgreSQL matches the partial index by its
            # predicate, which a bound parameter (a prepared statement) would not prove.
            index_where=text(PENDING_TRANSFER),
        )
        .returning(Payment)
    )


@orders.order_closed.connect
def close_pending_payments(order: Order, *, actor: str, reason: str | Note, now: datetime) -> None:
    """An unpaid order closed: each of its pending payments expires, audited."""
    pending = db.session.scalars(
        select(Payment).where(Payment.order_id == order.id, Payment.status == "pending")
    )
    for payment in pending:
        why = CLOSED_WHY.get(order.status, N_("order closed: %(why)s"))
        set_status(payment, "expired", actor, system_note(why, why=reason), now=now)


@dataclass
class ConfirmResult:
    payment: Payment
    paid: bool
    message: str
    outcome: str  # "paid", "underpaid" (below the total), "stock_gone" (late: refund)


def confirm_bank_transfer(
    order_id: int, amount: int, actor: str, reference: str = "", now: datetime | None = None
) -> ConfirmResult:
    """An administrator saw ``amount`` arrive for this order.

    Paid when the amount covers the order total (the unique code only helps matching).
    Too little, or an order that expired and whose stock is gone, leaves the payment
    ``needs_review`` (for a refund or a follow-up) and the order unpaid. Every outcome
    is a ``payment_change`` row naming ``actor`` and why.
    """
    now = now or utcnow()
    if amount <= 0:
        raise PaymentError("amount must be positive")
    order = orders.lock_order(order_id)
    if order.status not in PAYABLE_ORDER_STATUSES:
        raise PaymentError(f"order {order.number} is {order.status}; nothing to confirm")
    payment = (
        db.session.execute(
            select(Payment)
            .where(Payment.order_id == order.id, Payment.provider == "bank_transfer")
            .order_by(Payment.id.desc())
            .execution_options(populate_existing=True)
        )
        .scalars()
        .first()
    )
    if payment is None:
        payment = Payment(
            order_id=order.id, provider="bank_transfer", status="pending", amount=order.amount_due
        )
        db.session.add(payment)
        db.session.flush()
    payment.reference = reference
    payment.confirmed_by = actor
    ref = system_note(N_(" (reference %(ref)s)"), ref=reference) if reference else ""
    # One bank line is recorded once per payment: the same reference again is refused.
    money_ref = f"bank:{payment.id}:{reference or now.isoformat()}"
    if core.reference_taken(money_ref):
        raise PaymentError(f"bank reference {reference} is already recorded for this order")

    # ``amount`` is everything received for this order so far (as the form says); the
    # money record holds what earlier confirmations brought, so only the rest is new.
    earlier = core.received(payment.id)
    held = earlier - core.refunded(payment.id)
    new = amount - earlier
    if new <= 0:
        raise PaymentError(f"{earlier} was already recorded for this order: nothing new")
    total_held = held + new

    if total_held < order.total:
        payment.note_msg = system_note(
            N_("received %(received)s, order total %(total)s"),
            received=rupiah(amount),
            total=rupiah(order.total),
        )
        below = system_note(
            N_("received %(received)s, order total %(total)s: below the total%(ref)s"),
            received=rupiah(amount),
            total=rupiah(order.total),
            ref=ref,
        )
        set_status(payment, "needs_review", actor, below, now=now)
        core.record_payment(payment, new, money_ref, actor, paid_order=None, now=now)
        db.session.flush()
        return ConfirmResult(payment, False, "amount below the order total", "underpaid")
    confirmed = N_("bank transfer of %(amount)s confirmed%(ref)s")
    if not orders.mark_paid(
        order, actor, system_note(confirmed, amount=rupiah(amount), ref=""), now
    ):
        payment.note_msg = system_note(
            N_("paid after the order expired and the stock is gone: refund")
        )
        gone = system_note(
            N_(
                "received %(received)s; paid after the order expired and the stock is gone: "
                "refund%(ref)s"
            ),
            received=rupiah(amount),
            ref=ref,
        )
        set_status(payment, "needs_review", actor, gone, now=now)
        core.record_payment(payment, new, money_ref, actor, paid_order=None, now=now)
        db.session.flush()
        return ConfirmResult(
            payment, False, "order expired and stock is gone; refund due", "stock_gone"
        )
    set_status(
        payment, "succeeded", actor, system_note(confirmed, amount=rupiah(amount), ref=ref), now=now
    )
    core.record_payment(payment, new, money_ref, actor, paid_order=order, apply_held=held, now=now)
    if total_held > order.amount_due:
        excess = total_held - order.amount_due
        payment.note_msg = system_note(
            N_("received %(received)s, %(extra)s more than asked: refund"),
            received=rupiah(amount),
            extra=rupiah(excess),
        )
    db.session.flush()
    return ConfirmResult(payment, True, "paid", "paid")
