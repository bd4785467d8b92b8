"""Paid in the shop with no money found: an order confirmed paid (a transfer confirmed by
hand, a card payment) that no statement line or Stripe charge has been linked to, though
the statements (or Stripe's balance transactions) already cover its date plus a grace.

Resolved by linking the line or the charge that brought the money, with a note. The money
was posted to the ledger when the payment was confirmed: linking posts nothing again (a
card fee Stripe reports on the linked charge is posted once, by its charge id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, exists, func, literal, select

from shop.dashboard.timezone import JAKARTA
from shop.extensions import db
from shop.orders.models import PAID_ORDER_STATUSES, Order
from shop.payments.models import Payment, PaymentTransaction
from shop.payments.stripe import sync as stripe_sync
from shop.payments.stripe.balance_models import StripeBalanceTransaction
from shop.reconciliation.models import Resolution, StatementLine, StatementMatch
from shop.reconciliation.resolve.common import resolve
from shop.reconciliation.services.matching import NEAR, LineError, _add_match, _take, actor_label
from shop.sqltypes import utcnow

BANK_GRACE_DAYS = 3  # a transfer shows on the statement within a few working days
CARD_GRACE = timedelta(days=1)
LIMIT = 300


@dataclass(frozen=True)
class NoMoney:
    payment: Payment
    order: Order
    captured_at: datetime


def bank_covered_until() -> date | None:
    """The latest day an imported statement shows."""
    return db.session.scalar(select(func.max(StatementLine.booked_on)))


def card_covered_until() -> datetime | None:
    """The newest balance transaction the Stripe sync has copied."""
    return db.session.scalar(select(func.max(StripeBalanceTransaction.created)))


def _captured():
    return (
        select(PaymentTransaction.payment_id, func.min(PaymentTransaction.created_at).label("at"))
        .where(PaymentTransaction.kind == "capture")
        .group_by(PaymentTransaction.payment_id)
        .subquery()
    )


def _unresolved():
    return ~exists().where(
        Resolution.kind == "no_money",
        Resolution.subject == literal("payment:", String) + cast(Payment.id, String),
    )


def no_money() -> list[NoMoney]:
    """Paid payments no money was found for, oldest first."""
    return _bank() + _card()


def _rows(provider: str, cutoff: datetime, missing) -> list[NoMoney]:
    captured = _captured()
    rows = db.session.execute(
        select(Payment, Order, captured.c.at)
        .join(captured, captured.c.payment_id == Payment.id)
        .join(Order, Order.id == Payment.order_id)
        .where(
            Payment.provider == provider,
            Payment.status == "succeeded",
            Order.status.in_(tuple(PAID_ORDER_STATUSES)),
            captured.c.at < cutoff,
            missing,
            _unresolved(),
        )
        .order_by(captured.c.at, Payment.id)
        .limit(LIMIT)
    ).all()
    return [NoMoney(payment, order, at) for payment, order, at in rows]


def _bank() -> list[NoMoney]:
    covered = bank_covered_until()
    if covered is None:
        return []
    last_day = covered - timedelta(days=BANK_GRACE_DAYS)
    cutoff = datetime.combine(last_day + timedelta(days=1), time(), JAKARTA)
    linked = exists().where(
        StatementMatch.payment_id == Payment.id, StatementMatch.undone_at.is_(None)
    )
    return _rows("bank_transfer", cutoff, ~linked)


def _card() -> list[NoMoney]:
    covered = card_covered_until()
    if covered is None:
        return []
    txn = StripeBalanceTransaction
    linked = exists().where(txn.payment_id == Payment.id, txn.type.in_(stripe_sync.CHARGE_TYPES))
    return _rows("stripe", covered - CARD_GRACE, ~linked)


def get(payment_id: int) -> NoMoney | None:
    """The payment, if it is on the list."""
    return next((item for item in no_money() if item.payment.id == payment_id), None)


def line_candidates(item: NoMoney) -> list[StatementLine]:
    """Unmatched credits that could be this transfer: near its amount, closest first."""
    received = item.payment.amount_received
    return list(
        db.session.scalars(
            select(StatementLine)
            .where(
                StatementLine.status == "unmatched",
                StatementLine.direction == "C",
                StatementLine.amount.between(received - NEAR, received + NEAR),
            )
            .order_by(func.abs(StatementLine.amount - received), StatementLine.booked_on)
            .limit(30)
        )
    )


def charge_candidates(item: NoMoney) -> list[StripeBalanceTransaction]:
    """Stripe charges linked to no payment, of this payment's amount."""
    txn = StripeBalanceTransaction
    return list(
        db.session.scalars(
            select(txn)
            .where(
                txn.type.in_(stripe_sync.CHARGE_TYPES),
                txn.payment_id.is_(None),
                txn.amount == item.payment.amount_received,
            )
            .order_by(txn.created)
            .limit(30)
        )
    )


def link(
    payment_id: int, target_id: int, actor: Any, note: str, now: datetime | None = None
) -> Resolution:
    """Link the statement line (bank) or Stripe balance transaction (card) ``target_id``
    to a paid payment no money was found for. The amounts must be equal."""
    now = now or utcnow()
    item = get(payment_id)
    if item is None:
        raise LineError(_l("This payment is not waiting for its money: nothing was changed."))
    if item.payment.provider == "bank_transfer":
        return _link_line(item, target_id, actor, note, now)
    return _link_charge(item, target_id, actor, note, now)


def _same_amount(amount: int, item: NoMoney) -> None:
    if amount != item.payment.amount_received:
        raise LineError(
            _l("The amounts differ: choose the line or charge that brought exactly this money.")
        )


def _link_line(item: NoMoney, line_id: int, actor: Any, note: str, now: datetime) -> Resolution:
    line = db.session.get(StatementLine, line_id)
    if line is None or line.direction != "C":
        raise LineError(_l("Choose a credit line of a statement."))
    _same_amount(line.amount, item)
    _take(line.id, "unmatched", "matched", actor, note, now)
    _add_match(
        line, item.order.id, item.payment.id, line.amount, "hand", "paid", actor_label(actor), note
    )
    db.session.flush()
    return _resolved(item, line.amount, actor, note, now, line_id=line.id)


def _link_charge(item: NoMoney, row_id: int, actor: Any, note: str, now: datetime) -> Resolution:
    row = db.session.get(StripeBalanceTransaction, row_id)
    if row is None or row.type not in stripe_sync.CHARGE_TYPES or row.payment_id is not None:
        raise LineError(_l("Choose a Stripe charge that belongs to no order yet."))
    _same_amount(row.amount, item)
    row.payment_id, row.order_id = item.payment.id, item.order.id
    db.session.flush()
    stripe_sync.post_fees(now)
    return _resolved(item, row.amount, actor, note, now, stripe_txn_id=row.id)


def _resolved(item: NoMoney, amount: int, actor: Any, note: str, now: datetime, **money):
    """The payment's one "no money" resolution, naming the money found (line or charge)."""
    return resolve(
        "no_money",
        f"payment:{item.payment.id}",
        actor,
        note,
        now,
        amount=amount,
        order_id=item.order.id,
        payment_id=item.payment.id,
        **money,
    )
