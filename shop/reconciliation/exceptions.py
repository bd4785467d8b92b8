"""One list of everything that does not add up, each with its reason and where to resolve
it. The resolutions themselves (confirm, refund, match, not ours) live on the pages each
item links to, which audit them and post their ledger entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from shop.extensions import db
from shop.i18n import format_rupiah
from shop.orders.models import Order
from shop.payments.models import Payment
from shop.payments.refunds import orders_owed
from shop.payments.stripe.refunds import review_list
from shop.payments.stripe.sync import stripe_exceptions
from shop.reconciliation.models import StatementLine


@dataclass(frozen=True)
class ExceptionItem:
    kind: str  # statement_line | transfer_review | card_review | refund_due | stripe
    when: date | datetime
    amount: int
    reason: str
    link: str
    label: str  # what the item is: an order number, a statement line, a Stripe id


def exceptions() -> list[ExceptionItem]:
    """Newest first; each kind at most a few hundred (the lists behind the links page on)."""
    items = (
        _unmatched_credits()
        + _transfers_to_review()
        + _card_reviews()
        + _refunds_owed()
        + _at_stripe()
    )
    return sorted(items, key=lambda i: (_as_date(i.when), i.kind), reverse=True)


def counts() -> dict[str, int]:
    found: dict[str, int] = {}
    for item in exceptions():
        found[item.kind] = found.get(item.kind, 0) + 1
    return found


def _as_date(when: date | datetime) -> date:
    return when.date() if isinstance(when, datetime) else when


LIMIT = 300


def _unmatched_credits() -> list[ExceptionItem]:
    lines = db.session.scalars(
        select(StatementLine)
        .where(StatementLine.status == "unmatched", StatementLine.direction == "C")
        .order_by(StatementLine.booked_on.desc(), StatementLine.id.desc())
        .limit(LIMIT)
    )
    return [
        ExceptionItem(
            "statement_line",
            line.booked_on,
            line.amount,
            _("Money arrived at the bank that no order of the shop matches."),
            url_for("reconciliation.line", line_id=line.id),
            line.description[:60],
        )
        for line in lines
    ]


def _transfers_to_review() -> list[ExceptionItem]:
    rows = db.session.execute(
        select(Payment, Order)
        .join(Order, Order.id == Payment.order_id)
        .where(Payment.provider == "bank_transfer", Payment.status == "needs_review")
        .order_by(Payment.updated_at.desc())
        .limit(LIMIT)
    ).all()
    items = []
    for payment, order in rows:
        if payment.amount_received < order.total:
            reason = _(
                "Less than the order total arrived (%(received)s of %(total)s).",
                received=format_rupiah(payment.amount_received),
                total=format_rupiah(order.total),
            )
        else:
            reason = _("Paid after the order expired and its items were sold: refund it.")
        items.append(
            ExceptionItem(
                "transfer_review",
                payment.updated_at,
                payment.amount_received,
                reason,
                url_for("admin.transfer", order_id=order.id),
                order.number,
            )
        )
    return items


def _card_reviews() -> list[ExceptionItem]:
    items = []
    for review in review_list()[:LIMIT]:
        if review.checkout.disputed:
            reason = _("The buyer disputes the card payment: respond in Stripe.")
        elif review.checkout.refund_due:
            reason = _("Paid by card but the order could not take the money: refund it.")
        else:
            reason = _("Stripe's report does not match the order (amount, currency or ids).")
        items.append(
            ExceptionItem(
                "card_review",
                review.checkout.updated_at,
                review.payment.amount_received or review.payment.amount,
                reason,
                url_for("admin.refund", order_id=review.order.id),
                review.order.number,
            )
        )
    return items


def _refunds_owed() -> list[ExceptionItem]:
    return [
        ExceptionItem(
            "refund_due",
            order.placed_at,
            amount,
            _("The buyer is owed money back."),
            url_for("admin.refund", order_id=order.id),
            order.number,
        )
        for order, amount in orders_owed()[:LIMIT]
    ]


def _at_stripe() -> list[ExceptionItem]:
    return [
        ExceptionItem(
            "stripe",
            item.when,
            item.amount,
            item.reason,
            url_for("admin.stripe_page"),
            item.object_id,
        )
        for item in stripe_exceptions()[:LIMIT]
    ]
