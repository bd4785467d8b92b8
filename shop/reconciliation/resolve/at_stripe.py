"""Open disputes and refunds made in Stripe's dashboard, as the Stripe sync found them.

- A dispute (a balance transaction of reporting category ``dispute``) is acknowledged
  with a note: the money Stripe took (or gave back) is recorded on the order's payment
  under the dispute's id, the same reference the dispute webhook uses, so it is in the
  ledger once whichever came first.
- A refund whose id the shop never created is linked to its order's payment through the
  payments core (:func:`shop.payments.refunds.record_outside_refund`): the order shows it
  and the ledger posts it once; what the shop already recorded is not recorded again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, exists, func, literal, or_, select

from shop.extensions import db
from shop.orders import services as orders
from shop.payments import core, refunds
from shop.payments.models import Payment, PaymentTransaction
from shop.payments.stripe.balance_models import StripeBalanceTransaction as Txn
from shop.payments.stripe.models import StripeRefund
from shop.payments.stripe.refunds import requested_amount
from shop.payments.stripe.sync import REFUND_TYPES
from shop.reconciliation.models import Resolution
from shop.reconciliation.resolve.common import person, resolve
from shop.reconciliation.services.matching import LineError
from shop.sqltypes import utcnow

LIMIT = 300


def _subject(kind: str):
    return ~exists().where(
        Resolution.kind == kind, Resolution.subject == literal("stripe_txn:", String) + Txn.txn_id
    )


def is_dispute():
    return or_(Txn.reporting_category == "dispute", Txn.source_id.like("dp\\_%", escape="\\"))


def open_disputes() -> list[Txn]:
    """Dispute movements of the Stripe balance no administrator acknowledged yet."""
    return list(
        db.session.scalars(
            select(Txn)
            .where(Txn.type == "adjustment", is_dispute(), _subject("dispute"))
            .order_by(Txn.created.desc())
            .limit(LIMIT)
        )
    )


def outside_refunds() -> list[Txn]:
    """Refunds at Stripe under an id the shop never created, not linked yet."""
    recorded = exists().where(
        PaymentTransaction.kind == "refund",
        or_(
            PaymentTransaction.reference == Txn.source_id,
            PaymentTransaction.reference.like(Txn.source_id + literal(":%", String)),
        ),
    )
    return list(
        db.session.scalars(
            select(Txn)
            .where(
                Txn.type.in_(REFUND_TYPES),
                ~recorded,
                ~exists().where(StripeRefund.refund_id == Txn.source_id),
                _subject("stripe_refund"),
            )
            .order_by(Txn.created.desc())
            .limit(LIMIT)
        )
    )


def get_txn(row_id: int) -> Txn | None:
    return db.session.get(Txn, row_id) if 0 < row_id <= 2**31 - 1 else None


def _payment(row: Txn) -> Payment:
    if row.payment_id is None:
        raise LineError(_l("This belongs to no order of ours: link its charge to an order first."))
    orders.lock_order(row.order_id)
    return db.session.get(Payment, row.payment_id, populate_existing=True)


def acknowledge_dispute(
    row_id: int, actor: Any, note: str, now: datetime | None = None
) -> Resolution:
    """An administrator saw the dispute (and answers it in Stripe); the disputed money is
    recorded on the payment once."""
    now = now or utcnow()
    row = get_txn(row_id)
    if row is None or row.type != "adjustment" or row not in open_disputes():
        raise LineError(_l("This dispute is not open: nothing was changed."))
    if not note.strip():
        raise LineError(_l("Write a note: what was done about it."))
    payment = _payment(row)
    amount = abs(row.amount)
    won = row.amount > 0
    reference = f"{row.source_id}:{'won' if won else 'opened'}"
    if amount and not core.reference_taken(reference):
        core.record_dispute(payment, amount, reference, won=won, now=now)
    return resolve(
        "dispute",
        f"stripe_txn:{row.txn_id}",
        actor,
        note,
        now,
        amount=row.amount,
        order_id=row.order_id,
        payment_id=payment.id,
        stripe_txn_id=row.id,
    )


def link_outside_refund(
    row_id: int, actor: Any, note: str, now: datetime | None = None
) -> Resolution:
    """Record a refund made in Stripe's dashboard on its order's payment, once."""
    now = now or utcnow()
    row = get_txn(row_id)
    if row is None or row not in outside_refunds():
        raise LineError(_l("This refund is already recorded: nothing was changed."))
    if not note.strip():
        raise LineError(_l("Write a note: what was done about it."))
    payment = _payment(row)
    at_stripe = -int(
        db.session.scalar(
            select(func.coalesce(func.sum(Txn.amount), 0)).where(
                Txn.payment_id == payment.id, Txn.type.in_(REFUND_TYPES)
            )
        )
    )
    ours = core.refunded(payment.id) + requested_amount(payment.id)
    new = min(-row.amount, at_stripe - ours)
    recorded = 0
    if new > 0:
        order = orders.lock_order(payment.order_id)
        recorded = refunds.record_outside_refund(
            order, payment, new, row.source_id or row.txn_id, person(actor), note.strip(), now
        )
    return resolve(
        "stripe_refund",
        f"stripe_txn:{row.txn_id}",
        actor,
        note,
        now,
        amount=recorded,
        order_id=row.order_id,
        payment_id=payment.id,
        stripe_txn_id=row.id,
    )
