"""The payment core, whatever the provider: status machine, money record, ledger.

Providers (``bank_transfer``, the Stripe modules) only translate their world into these
calls. Every status change goes through :data:`PAYMENT_TRANSITIONS` and writes one
``payment_change`` row; every movement of money is one append-only
:class:`PaymentTransaction` (unique on its provider reference) and one balanced ledger
entry, posted in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.ledger import postings
from shop.ledger.services import balance, post
from shop.orders import services as orders
from shop.orders.models import FacilityOrder, Order
from shop.payments.models import Payment, PaymentChange, PaymentTransaction
from shop.sqltypes import utcnow
from shop.system_text import Note, note_columns

# A status may be re-affirmed (same → same) to audit a flag or a partial refund.
PAYMENT_TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"pending"}),
    "pending": frozenset({"pending", "succeeded", "failed", "expired", "needs_review"}),
    # A delayed card payment may still succeed; money that arrives late goes to review.
    "failed": frozenset({"failed", "succeeded", "needs_review"}),
    "expired": frozenset({"expired", "succeeded", "needs_review"}),
    "needs_review": frozenset({"needs_review", "succeeded", "refunded"}),
    "succeeded": frozenset({"succeeded", "needs_review", "refunded"}),
    # Everything received so far went back; another transfer to the same order opens it.
    "refunded": frozenset({"refunded", "needs_review", "succeeded"}),
}
# A refund of an order part's money answers the part's refund due (see refund_due_of).
SIGN = {"capture": 1, "refund": -1, "fee": -1, "dispute": -1, "dispute_reversal": 1}


class PaymentTransitionError(Exception):
    """A status change the payment machine does not allow."""


class DuplicateReference(Exception):
    """That provider reference was already recorded (the money is in the record once)."""


class RefundError(Exception):
    """A refund that cannot be made: nothing was recorded. ``code`` says why (for the
    administrator's message), ``limit`` the most that could be given back, if known."""

    def __init__(self, message: str, code: str = "refused", limit: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.limit = limit


def set_status(
    payment: Payment,
    to: str,
    actor: str,
    reason: str | Note,
    *,
    event_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Move (or re-affirm) a payment's status through the machine, audited."""
    if to not in PAYMENT_TRANSITIONS.get(payment.status, frozenset()):
        raise PaymentTransitionError(f"payment {payment.id}: {payment.status} → {to}")
    now = now or utcnow()
    text, note = note_columns(reason)
    db.session.add(
        PaymentChange(
            payment_id=payment.id,
            from_status=payment.status,
            to_status=to,
            actor=actor,
            reason=text,
            reason_msg=note,
            stripe_event_id=event_id,
            created_at=now,
        )
    )
    payment.status = to
    payment.updated_at = now


def _transaction(
    payment: Payment, kind: str, amount: int, reference: str, actor: str, now: datetime, **extra
) -> PaymentTransaction:
    if amount <= 0:
        raise ValueError(f"{kind} amount must be positive")
    row = PaymentTransaction(
        payment_id=payment.id,
        order_id=payment.order_id,
        kind=kind,
        amount=amount,
        reference=reference[:255],
        actor=actor[:80],
        created_at=now,
        **extra,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise DuplicateReference(reference) from None
    return row


def record_payment(
    payment: Payment,
    amount: int,
    reference: str,
    actor: str,
    *,
    paid_order: Order | None,
    apply_held: int = 0,
    now: datetime | None = None,
) -> PaymentTransaction:
    """Money received on ``payment``: one capture row and its ledger entry.

    ``paid_order`` is the order this money paid (its parts already carry their split);
    ``None`` when it paid nothing (too little, too late, a second payment): then the
    whole amount is owed back to the buyer until an administrator refunds it.
    ``apply_held``: money an earlier transfer brought that paid nothing then (it was
    too little) and now, with this one, pays the order.
    """
    now = now or utcnow()
    row = _transaction(payment, "capture", amount, reference, actor, now)
    cash = postings.CASH_ACCOUNTS[payment.provider]
    if paid_order is not None:
        parts = orders.parts_of(paid_order.id)
        lines = postings.sale(cash, amount, paid_order, parts, held=apply_held)
        kind = "payment_received"
    else:
        lines = postings.unapplied(cash, amount)
        kind = "payment_unapplied"
    payment.amount_received = received(payment.id)
    post(
        kind, "payment_transaction", row.id, lines, order_id=payment.order_id, actor=actor, now=now
    )
    return row


def record_fee(payment: Payment, amount: int, reference: str, now: datetime | None = None) -> None:
    """Stripe's fee on a card payment (the marketplace bears it: see shop.ledger.services)."""
    now = now or utcnow()
    row = _transaction(payment, "fee", amount, reference, "stripe", now)
    post(
        "card_fee",
        "payment_transaction",
        row.id,
        postings.card_fee(amount),
        order_id=payment.order_id,
        actor="stripe",
        now=now,
    )


def record_dispute(
    payment: Payment, amount: int, reference: str, *, won: bool = False, now: datetime | None = None
) -> None:
    """Stripe took ``amount`` back for a dispute (or, ``won``, gave it back)."""
    now = now or utcnow()
    kind = "dispute_reversal" if won else "dispute"
    row = _transaction(payment, kind, amount, reference, "stripe", now)
    lines = postings.dispute_won(amount) if won else postings.dispute_opened(amount)
    post(kind, "payment_transaction", row.id, lines, order_id=payment.order_id, now=now)


# ---- what the record says ---------------------------------------------------------------


def reference_taken(reference: str) -> bool:
    return (
        db.session.scalar(
            select(PaymentTransaction.id).where(PaymentTransaction.reference == reference)
        )
        is not None
    )


def _sum(payment_id: int | None = None, order_id: int | None = None, kinds=("capture",)) -> int:
    query = select(func.coalesce(func.sum(PaymentTransaction.amount), 0)).where(
        PaymentTransaction.kind.in_(kinds)
    )
    if payment_id is not None:
        query = query.where(PaymentTransaction.payment_id == payment_id)
    if order_id is not None:
        query = query.where(PaymentTransaction.order_id == order_id)
    return int(db.session.scalar(query))


def received(payment_id: int) -> int:
    return _sum(payment_id=payment_id)


def refunded(payment_id: int | None = None, *, order_id: int | None = None) -> int:
    return _sum(payment_id, order_id, ("refund",))


def net(payment_id: int) -> int:
    rows = db.session.execute(
        select(PaymentTransaction.kind, func.sum(PaymentTransaction.amount))
        .where(PaymentTransaction.payment_id == payment_id)
        .group_by(PaymentTransaction.kind)
    ).all()
    return sum(SIGN[kind] * int(total) for kind, total in rows)


def refunds_due(order_id: int) -> int:
    """What the shop owes this order's buyer back now (the ledger's refunds-due balance)."""
    return -balance("refunds_due", order_id=order_id)


def refund_due_of(part: FacilityOrder) -> int:
    """What is still to be returned for one cancelled part: its whole price and shipping
    less what was refunded against it. The one place this amount is worked out."""
    if not part.refund_due:
        return 0
    paid_back = _part_refunded(part.id)
    return max(part.subtotal + part.shipping_fee - paid_back, 0)


def _part_refunded(part_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(PaymentTransaction.amount), 0)).where(
                PaymentTransaction.kind == "refund",
                PaymentTransaction.facility_order_id == part_id,
            )
        )
    )


def refunds_of(order_id: int) -> list[PaymentTransaction]:
    """The refunds made on an order, oldest first (for the buyer's page and e-mails)."""
    return list(
        db.session.scalars(
            select(PaymentTransaction)
            .where(PaymentTransaction.order_id == order_id, PaymentTransaction.kind == "refund")
            .order_by(PaymentTransaction.created_at, PaymentTransaction.id)
        )
    )
