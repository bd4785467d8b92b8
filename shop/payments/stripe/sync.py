"""The Stripe sync: Stripe's balance transactions and payouts, copied, linked and posted.

:func:`sync` reads every page of balance transactions and payouts through
:mod:`shop.payments.stripe.gateway`, then writes what it read in one transaction:

- each balance transaction and each payout once (unique on Stripe's id);
- charges and refunds linked to our payment through the charge's PaymentIntent;
- a card fee Stripe took that no one recorded yet (reference ``fee:{charge id}``, the
  same as the webhook path, so a fee is never posted twice);
- each payout to the ledger, once per payout id and step (sent, paid, returned);
- each payout checked against the balance transactions Stripe lists for it.

:func:`stripe_exceptions` lists what does not add up, each with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, func, literal, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.i18n import format_rupiah
from shop.ledger import postings
from shop.ledger.services import post
from shop.payments import core
from shop.payments.models import Payment, PaymentTransaction
from shop.payments.stripe import gateway
from shop.payments.stripe.balance_models import StripeBalanceTransaction, StripePayout
from shop.payments.stripe.models import StripeCheckout, StripeRefund
from shop.sqltypes import utcnow
from shop.uow import end_read, unit_of_work

# Read again what the last sync may have seen half of (same-second objects, late ones).
OVERLAP = timedelta(days=1)
CHARGE_TYPES = ("charge", "payment")
REFUND_TYPES = ("refund", "payment_refund")
OPEN_PAYOUTS = ("pending", "in_transit")
RETURNED_PAYOUTS = ("failed", "canceled")
CHUNK = 500


@dataclass
class SyncResult:
    transactions_read: int = 0
    transactions_new: int = 0
    payouts_new: int = 0
    payouts_changed: int = 0
    fees_posted: int = 0
    payout_entries: int = 0
    payouts_checked: list[str] = field(default_factory=list)


def sync(actor: str = "system", now: datetime | None = None) -> SyncResult:
    """Copy what Stripe says into our tables and the ledger; commits on its own.

    Every call to Stripe is made with no transaction open, and nothing is written until
    the last answer is in: Stripe failing half-way (``PaymentProviderError`` /
    ``…Unavailable``, raised as is) leaves nothing half-written, and the next run starts
    again. Running twice creates nothing twice.
    """
    now = now or utcnow()
    txn_since, payout_since = _resume_points()
    end_read()
    movements = gateway.balance_transactions(created_since=txn_since)
    payouts = gateway.payouts(created_since=payout_since)
    unchecked = _unchecked([p.id for p in payouts])
    end_read()
    per_payout = {
        p.id: gateway.balance_transactions(payout=p.id) for p in payouts if p.id in unchecked
    }
    try:
        return _write(movements, payouts, per_payout, actor, now)
    except IntegrityError:
        # Another sync stored the same Stripe ids meanwhile: write again, finding them.
        return _write(movements, payouts, per_payout, actor, now)


def store_pulled(
    movements: list[gateway.BalanceMovement],
    payouts: list[gateway.PayoutFacts],
    per_payout: dict[str, list[gateway.BalanceMovement]],
    actor: str = "system",
    now: datetime | None = None,
) -> SyncResult:
    """The sync's second half on its own: store what was read from Stripe and post its
    fees and payouts, in one unit of work (the demo seed hands it its card history)."""
    return _write(movements, payouts, per_payout, actor, now or utcnow())


def _write(movements, payouts, per_payout, actor: str, now: datetime) -> SyncResult:
    result = SyncResult(transactions_read=len(movements))
    with unit_of_work():
        _store_transactions(movements, per_payout, result, now)
        _link_payments()
        rows = _store_payouts(payouts, per_payout, result, now)
        result.fees_posted = _post_fees(now)
        result.payout_entries = _post_payouts(rows, actor, now)
    return result


def _resume_points() -> tuple[datetime | None, datetime | None]:
    latest_txn = db.session.scalar(select(func.max(StripeBalanceTransaction.created)))
    open_payout = db.session.scalar(
        select(func.min(StripePayout.created)).where(StripePayout.status.in_(OPEN_PAYOUTS))
    )
    latest_payout = db.session.scalar(select(func.max(StripePayout.created)))
    payout_since = latest_payout and latest_payout - OVERLAP
    if open_payout is not None and (payout_since is None or open_payout < payout_since):
        payout_since = open_payout
    return (latest_txn and latest_txn - OVERLAP), payout_since


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _stored(key, ids: list[str]) -> dict:
    """The stored rows of these Stripe ids, by id (``key``: the model's Stripe id column)."""
    found = {}
    for chunk in _chunks(ids):
        rows = db.session.scalars(select(key.class_).where(key.in_(chunk)))
        found.update((getattr(row, key.key), row) for row in rows)
    return found


def _unchecked(payout_ids: list[str]) -> set[str]:
    """Payouts whose balance transactions were not listed yet (new, or not checked)."""
    checked: set[str] = set()
    for chunk in _chunks(payout_ids):
        checked.update(
            db.session.scalars(
                select(StripePayout.payout_id).where(
                    StripePayout.payout_id.in_(chunk), StripePayout.transactions_total.is_not(None)
                )
            )
        )
    return set(payout_ids) - checked


def _store_transactions(movements, per_payout, result: SyncResult, now: datetime) -> None:
    wanted: dict[str, gateway.BalanceMovement] = {m.id: m for m in movements}
    for rows in per_payout.values():
        wanted.update({m.id: m for m in rows})  # these carry their payout
    existing = _stored(StripeBalanceTransaction.txn_id, list(wanted))
    for m in wanted.values():
        row = existing.get(m.id)
        if row is not None:
            if m.payout_id and row.payout_id != m.payout_id:
                row.payout_id = m.payout_id
            continue
        db.session.add(
            StripeBalanceTransaction(
                txn_id=m.id,
                type=m.type[:40],
                reporting_category=m.reporting_category[:60],
                amount=m.amount,
                fee=m.fee,
                net=m.net,
                currency=m.currency[:3],
                source_id=m.source_id,
                payment_intent_id=m.payment_intent_id,
                payout_id=m.payout_id,
                created=m.created,
                available_on=m.available_on,
                synced_at=now,
            )
        )
        result.transactions_new += 1
    db.session.flush()


def _link_payments() -> None:
    """Charges and refunds of our Checkout Sessions' PaymentIntents → our payment."""
    rows = db.session.execute(
        select(StripeBalanceTransaction, StripeCheckout.payment_id, StripeCheckout.order_id)
        .join(
            StripeCheckout,
            StripeCheckout.payment_intent_id == StripeBalanceTransaction.payment_intent_id,
        )
        .where(StripeBalanceTransaction.payment_id.is_(None))
    ).all()
    for row, payment_id, order_id in rows:
        row.payment_id, row.order_id = payment_id, order_id
    db.session.flush()


def _store_payouts(payouts, per_payout, result: SyncResult, now: datetime) -> list[StripePayout]:
    existing = _stored(StripePayout.payout_id, [p.id for p in payouts])
    rows = []
    for p in payouts:
        row = existing.get(p.id)
        if row is None:
            row = StripePayout(
                payout_id=p.id,
                amount=p.amount,
                currency=p.currency[:3],
                status=p.status,
                arrival_date=p.arrival_date,
                created=p.created,
                synced_at=now,
            )
            db.session.add(row)
            result.payouts_new += 1
        elif (row.status, row.arrival_date) != (p.status, p.arrival_date):
            row.status, row.arrival_date, row.synced_at = p.status, p.arrival_date, now
            result.payouts_changed += 1
        if p.id in per_payout:
            row.transactions_total = sum(m.net for m in per_payout[p.id] if m.source_id != p.id)
            result.payouts_checked.append(p.id)
        rows.append(row)
    db.session.flush()
    return rows


def _fee_reference(source_id):
    return literal("fee:") + source_id


def _post_fees(now: datetime) -> int:
    """Card fees Stripe took on our charges that no one has recorded yet."""
    txn = StripeBalanceTransaction
    rows = db.session.scalars(
        select(txn)
        .where(
            txn.type.in_(CHARGE_TYPES),
            txn.payment_id.is_not(None),
            txn.fee > 0,
            ~exists().where(PaymentTransaction.reference == _fee_reference(txn.source_id)),
        )
        .order_by(txn.id)
    ).all()
    posted = 0
    for row in rows:
        payment = db.session.get(Payment, row.payment_id)
        try:
            with db.session.begin_nested():
                core.record_fee(payment, row.fee, f"fee:{row.source_id}", now=now)
            posted += 1
        except core.DuplicateReference:
            continue  # the webhook path got there first
        checkout = db.session.scalar(
            select(StripeCheckout).where(StripeCheckout.payment_id == row.payment_id)
        )
        if checkout is not None and checkout.fee is None:
            checkout.charge_id = checkout.charge_id or row.source_id
            checkout.fee, checkout.net = row.fee, row.net
    db.session.flush()
    return posted


def post_fees(now: datetime | None = None) -> int:
    """Card fees on charges linked to our payments that no one recorded yet (after a
    charge was linked by hand)."""
    return _post_fees(now or utcnow())


def _post_payouts(rows: list[StripePayout], actor: str, now: datetime) -> int:
    """Each payout's steps, once each: sent (balance → in transit), then paid (→ bank) or
    returned (→ balance)."""
    posted = 0
    for row in rows:
        steps = [("payout_sent", postings.payout_sent)]
        if row.status == "paid":
            steps.append(("payout_paid", postings.payout_paid))
        elif row.status in RETURNED_PAYOUTS:
            steps.append(("payout_returned", postings.payout_returned))
        for kind, lines in steps:
            entry = post(
                kind,
                "stripe_payout",
                row.payout_id,
                lines(row.amount),
                memo=f"Stripe payout {row.payout_id} ({row.status})",
                actor=actor,
                now=now,
            )
            posted += entry is not None
    return posted


# ---- what does not add up -----------------------------------------------------------------


@dataclass(frozen=True)
class StripeException:
    """One thing at Stripe an administrator must look at, and why."""

    kind: str  # payout_mismatch | payout_returned | charge_without_order | refund_not_ours
    object_id: str
    amount: int
    when: datetime
    reason: str


def stripe_exceptions() -> list[StripeException]:
    """Payouts that do not add up or came back, charges with no order of ours, refunds at
    Stripe with no refund of ours; newest first."""
    found = _payout_exceptions() + _charge_exceptions() + _refund_exceptions()
    return sorted(found, key=lambda item: (item.when, item.object_id), reverse=True)


def _payout_exceptions() -> list[StripeException]:
    found = []
    rows = db.session.scalars(
        select(StripePayout).where(
            (StripePayout.transactions_total != StripePayout.amount)
            | StripePayout.status.in_(RETURNED_PAYOUTS)
        )
    )
    for row in rows:
        if row.transactions_total is not None and row.transactions_total != row.amount:
            reason = _(
                "The payout is %(amount)s but its balance transactions add up to %(total)s.",
                amount=format_rupiah(row.amount),
                total=format_rupiah(row.transactions_total),
            )
            found.append(
                StripeException("payout_mismatch", row.payout_id, row.amount, row.created, reason)
            )
        if row.status in RETURNED_PAYOUTS:
            reason = _("The payout did not reach the bank; Stripe returned it to the balance.")
            found.append(
                StripeException("payout_returned", row.payout_id, row.amount, row.created, reason)
            )
    return found


def _charge_exceptions() -> list[StripeException]:
    txn = StripeBalanceTransaction
    rows = db.session.scalars(
        select(txn).where(txn.type.in_(CHARGE_TYPES), txn.payment_id.is_(None))
    )
    reason = _("A card charge at Stripe that belongs to no order of ours.")
    return [
        StripeException(
            "charge_without_order", r.source_id or r.txn_id, r.amount, r.created, reason
        )
        for r in rows
    ]


def _refund_exceptions() -> list[StripeException]:
    txn = StripeBalanceTransaction
    rows = db.session.scalars(
        select(txn).where(
            txn.type.in_(REFUND_TYPES),
            ~exists().where(
                PaymentTransaction.kind == "refund",
                # ours under its id, or recorded from it afterwards ("re_…:<part>")
                (PaymentTransaction.reference == txn.source_id)
                | PaymentTransaction.reference.like(txn.source_id + literal(":%")),
            ),
            ~exists().where(StripeRefund.refund_id == txn.source_id),
        )
    )
    reason = _(
        "A refund at Stripe with no refund of ours under its id (made in Stripe's dashboard, "
        "or not recorded by the shop)."
    )
    return [
        StripeException("refund_not_ours", r.source_id or r.txn_id, -r.amount, r.created, reason)
        for r in rows
    ]
