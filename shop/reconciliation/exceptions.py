"""One list of everything that does not add up, each with its reason and where to resolve
it. The resolutions themselves (confirm, refund, match, not ours, write off, link) live on
the pages each item links to, which audit them and post their ledger entries
(:mod:`shop.reconciliation.resolve`, imported where used: the admin package imports this
module while the reconciliation services it builds on are still loading)."""

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
    # statement_line | transfer_review | card_review | refund_due | stripe | no_money |
    # dispute | stripe_refund
    kind: str
    when: date | datetime
    amount: int
    reason: str
    link: str
    label: str  # what the item is: an order number, a statement line, a Stripe id
    actions: tuple[tuple[str, str], ...] = ()  # other ways to resolve it: (label, link)


def exceptions() -> list[ExceptionItem]:
    """Newest first; each kind at most a few hundred (the lists behind the links page on)."""
    items = (
        _unmatched_credits()
        + _transfers_to_review()
        + _card_reviews()
        + _refunds_owed()
        + _at_stripe()
        + _no_money()
        + _disputes()
        + _outside_refunds()
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
    from shop.reconciliation.resolve.write_offs import shortfall, write_off_limit

    items = []
    limit = write_off_limit()
    for payment, order in rows:
        actions: tuple[tuple[str, str], ...] = ()
        short = shortfall(payment)
        if 0 < short <= limit:
            link = url_for("reconciliation.write_off", payment_id=payment.id)
            actions = ((_("Write off %(amount)s", amount=format_rupiah(short)), link),)
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
                actions,
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
        if item.kind != "refund_not_ours"  # listed by _outside_refunds, with its page
    ]


def _no_money() -> list[ExceptionItem]:
    from shop.reconciliation.resolve import no_money

    items = []
    for item in no_money.no_money():
        if item.payment.provider == "bank_transfer":
            reason = _(
                "Confirmed paid by bank transfer, but no statement line shows the money "
                "(the statements cover the days after it)."
            )
        else:
            reason = _(
                "Paid by card in the shop, but Stripe lists no charge for it "
                "(the sync covers the days after it)."
            )
        items.append(
            ExceptionItem(
                "no_money",
                item.captured_at,
                item.payment.amount_received,
                reason,
                url_for("reconciliation.no_money_page", payment_id=item.payment.id),
                item.order.number,
            )
        )
    return items


def _order_numbers(rows) -> dict[int, str]:
    ids = {row.order_id for row in rows if row.order_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Order.id, Order.number).where(Order.id.in_(ids))).all())


def _disputes() -> list[ExceptionItem]:
    from shop.reconciliation.resolve import at_stripe

    rows = at_stripe.open_disputes()
    numbers = _order_numbers(rows)
    return [
        ExceptionItem(
            "dispute",
            row.created,
            -row.amount,
            _("Open dispute: the buyer's bank took the card payment back."),
            url_for("reconciliation.dispute", row_id=row.id),
            numbers.get(row.order_id) or row.source_id or row.txn_id,
        )
        for row in rows
    ]


def _outside_refunds() -> list[ExceptionItem]:
    from shop.reconciliation.resolve import at_stripe

    rows = at_stripe.outside_refunds()
    numbers = _order_numbers(rows)
    return [
        ExceptionItem(
            "stripe_refund",
            row.created,
            -row.amount,
            _(
                "A refund at Stripe with no refund of ours under its id (made in Stripe's "
                "dashboard, or not recorded by the shop)."
            ),
            url_for("reconciliation.stripe_refund", row_id=row.id),
            numbers.get(row.order_id) or row.source_id or row.txn_id,
        )
        for row in rows
    ]
