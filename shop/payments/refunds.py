"""Refunds an administrator makes: a cancelled part, part of an order, the whole order, or
money that paid nothing (too little, too late, twice, too much).

The amount is taken from what a part's facility is owed (or was already moved to
"refunds due" when the part was cancelled or the money paid nothing), recorded as one
``refund`` transaction with its provider reference and posted to the ledger. A bank
refund is recorded in the caller's transaction; a card refund goes through Stripe first
(:func:`refund_by_card`, which commits on its own around the call).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from shop.extensions import db
from shop.ledger import postings
from shop.ledger.services import balance, post
from shop.orders import services as orders
from shop.orders.emails import queue_order_email
from shop.orders.models import REFUNDABLE_ORDER_STATUSES, FacilityOrder, Order
from shop.payments import core
from shop.payments.core import RefundError
from shop.payments.models import MONEY_RECEIVED_STATUSES, Payment, PaymentTransaction
from shop.payments.stripe.models import StripeCheckout
from shop.sqltypes import utcnow
from shop.system_text import N_, Note, note_columns, rupiah, system_note

METHOD_CASH = {"card": "stripe", "bank_transfer": "bank"}
REFUND_METHOD_WORDS = {"card": N_("card"), "bank_transfer": N_("bank transfer")}


@dataclass(frozen=True)
class RefundRequest:
    """What to give back. ``part_id``: from one order part (a cancelled part's due, or
    part of a part's price); ``whole``: everything the buyer paid for the order;
    neither: money that paid nothing, owed back at order level."""

    order_id: int
    amount: int
    method: str  # "card" or "bank_transfer"
    reason: str | Note  # the administrator's words, or the shop's note (system_text)
    part_id: int | None = None
    whole: bool = False
    reference: str = ""  # the bank's reference of the transfer back (bank refunds)
    refund_account: str = ""  # the buyer's bank, account number and holder (bank refunds)


@dataclass(frozen=True)
class RefundOptions:
    """What an administrator can still give back on one order, and how."""

    order: Order
    parts: list[tuple[FacilityOrder, int, int]]  # part, its refund due, what it still holds
    unapplied: int  # money owed back that paid nothing (overpaid, late, twice)
    whole: int  # everything, for a whole-order refund
    card_payment: Payment | None  # a card payment with money left to refund
    card_left: int
    refunds: list[PaymentTransaction]


def options(order_id: int) -> RefundOptions:
    order = orders.load_order_for_display(order_id)
    parts = [(p, core.refund_due_of(p), _held(p.id)) for p in order.parts]
    due_parts = sum(due for _p, due, _h in parts)
    unapplied = max(core.refunds_due(order_id) - due_parts, 0)
    code_kept = -balance("unique_code_income", order_id=order_id)
    whole = core.refunds_due(order_id) + sum(held for _p, _d, held in parts) + code_kept
    card = _card_payment(order_id)
    return RefundOptions(
        order=order,
        parts=parts,
        unapplied=unapplied,
        whole=whole if order.status in REFUNDABLE_ORDER_STATUSES else 0,
        card_payment=card,
        card_left=_left_on(card) if card else 0,
        refunds=core.refunds_of(order_id),
    )


def _held(part_id: int) -> int:
    return sum(value for _f, value in postings.part_owed(part_id).values())


def _left_on(payment: Payment) -> int:
    return core.received(payment.id) - core.refunded(payment.id)


def _card_payment(order_id: int) -> Payment | None:
    for payment in db.session.scalars(
        select(Payment)
        .where(
            Payment.order_id == order_id,
            Payment.provider == "stripe",
            Payment.status.in_(MONEY_RECEIVED_STATUSES),
        )
        .order_by(Payment.id.desc())
    ):
        if _left_on(payment) > 0:
            return payment
    return None


def _source_payment(order_id: int, method: str) -> Payment:
    """The payment whose money goes back: a card refund needs the card payment; a bank
    refund may return money that came by transfer or by card."""
    if method == "card":
        payment = _card_payment(order_id)
        if payment is None:
            raise RefundError("no card payment with money left to refund", "no_card")
        return payment
    rows = db.session.scalars(
        select(Payment)
        .where(Payment.order_id == order_id, Payment.status.in_(MONEY_RECEIVED_STATUSES))
        .order_by(Payment.id.desc())
    )
    for payment in rows:
        if _left_on(payment) > 0:
            return payment
    raise RefundError("no payment with money left to refund", "no_money")


def capacity(request: RefundRequest) -> int:
    """The most this request may give back (checks the part belongs to the order)."""
    if request.whole:
        return options(request.order_id).whole
    if request.part_id is None:
        return options(request.order_id).unapplied
    part = db.session.get(FacilityOrder, request.part_id)
    if part is None or part.order_id != request.order_id:
        raise RefundError("that part is not in this order", "part")
    return core.refund_due_of(part) if part.refund_due else _held(part.id)


def check(request: RefundRequest) -> Payment:
    """Refuse what cannot be given back; the payment the money leaves from otherwise."""
    if request.method not in METHOD_CASH:
        raise RefundError("unknown refund method", "method")
    if request.amount <= 0:
        raise RefundError("the amount must be positive", "above", 0)
    if request.method == "bank_transfer" and not (
        request.reference.strip() and request.refund_account.strip()
    ):
        raise RefundError("a bank refund needs the buyer's account and the bank reference", "bank")
    limit = capacity(request)
    if request.whole and request.amount != limit:
        raise RefundError(f"a whole refund gives back exactly {limit}", "whole", limit)
    if request.amount > limit:
        raise RefundError(f"at most {limit} can be refunded here", "above", limit)
    payment = _source_payment(request.order_id, request.method)
    if request.amount > _left_on(payment):
        raise RefundError(
            f"at most {_left_on(payment)} is left on that payment", "above", _left_on(payment)
        )
    return payment


def _grant(request: RefundRequest, order: Order, key: str, actor: str, now: datetime) -> None:
    """Move what the refund takes from the facility parts into "refunds due"."""
    lines = []
    if request.whole:
        for part in orders.parts_of(order.id):
            lines += postings.part_cancelled(part.id)
        code_kept = -balance("unique_code_income", order_id=order.id)
        lines += postings.return_unique_code(code_kept)
    elif request.part_id is not None:
        part = db.session.get(FacilityOrder, request.part_id)
        if not part.refund_due:
            lines += postings.grant_refund(part.id, request.amount)
    post("refund_granted", "refund", key, lines, order_id=order.id, actor=actor, now=now)


def record(
    request: RefundRequest,
    payment: Payment,
    reference: str,
    actor: str,
    now: datetime,
    *,
    notify: bool = True,
) -> PaymentTransaction:
    """Record money given back (already sent: a bank transfer out, a Stripe refund)."""
    order = orders.lock_order(request.order_id)
    _grant(request, order, reference, actor, now)
    row = core._transaction(
        payment,
        "refund",
        request.amount,
        reference,
        actor,
        now,
        facility_order_id=request.part_id,
        method=request.method,
        refund_account=request.refund_account.strip()[:200],
        **_note_columns(request.reason),
    )
    post(
        "refund_paid",
        "payment_transaction",
        row.id,
        postings.refund_paid(METHOD_CASH[request.method], request.amount),
        order_id=order.id,
        actor=actor,
        now=now,
    )
    if request.part_id is not None:
        part = db.session.get(FacilityOrder, request.part_id)
        if part.refund_due and core.refund_due_of(part) == 0:
            part.refund_due = False
    if core.refunds_due(order.id) == 0:
        db.session.execute(
            update(StripeCheckout)
            .where(StripeCheckout.order_id == order.id, StripeCheckout.refund_due.is_(True))
            .values(refund_due=False)
        )
    left = _left_on(payment)
    to = "refunded" if left == 0 else payment.status
    how = system_note(REFUND_METHOD_WORDS.get(request.method, request.method))
    core.set_status(
        payment,
        to,
        actor,
        system_note(N_("refund of %(amount)s (%(how)s)"), amount=rupiah(request.amount), how=how),
        now=now,
    )
    if (request.whole or request.part_id is not None) and order.status in REFUNDABLE_ORDER_STATUSES:
        whole = not any(_held(p.id) for p in orders.parts_of(order.id))
        whole = whole and core.refunds_due(order.id) == 0
        orders.transition(
            order, "refunded" if whole else "partially_refunded", actor, request.reason, now
        )
    db.session.flush()
    if notify:
        queue_order_email(order, "refund_made")
    return row


def _note_columns(reason: str | Note) -> dict:
    text, note = note_columns(reason.strip() if isinstance(reason, str) else reason)
    return {"note": text, "note_msg": note}


def record_outside_refund(
    order: Order,
    payment: Payment,
    amount: int,
    source: str,
    actor: str,
    reason: str | Note,
    now,
) -> int:
    """A refund made at the provider, not through the shop (Stripe's dashboard): taken
    from what is owed back first (cancelled parts, money that paid nothing), then from the
    parts' shares in order. Returns what was recorded."""
    opts = options(order.id)
    method = "card" if payment.provider == "stripe" else "bank_transfer"
    left = min(amount, _left_on(payment))
    plan = [(p.id, due) for p, due, _held in opts.parts if due]
    plan.append((None, opts.unapplied))
    plan += [(p.id, held) for p, due, held in opts.parts if not due and held]
    recorded = 0
    for part_id, room in plan:
        take = min(room, left - recorded)
        if take <= 0:
            continue
        request = RefundRequest(order.id, take, method, reason, part_id=part_id)
        record(request, payment, f"{source}:{part_id or 'order'}", actor, now, notify=False)
        recorded += take
    if recorded:
        queue_order_email(order, "refund_made")
    return recorded


def refund_by_bank(request: RefundRequest, actor: str, now: datetime | None = None):
    """An administrator transferred money back to the buyer's bank account."""
    now = now or utcnow()
    orders.lock_order(request.order_id)
    reference = f"bank-refund:{request.reference.strip()}"
    if core.reference_taken(reference):
        raise RefundError(f"{reference} is already recorded", "duplicate")
    payment = check(request)
    return record(request, payment, reference, actor, now)


def orders_owed() -> list[tuple[Order, int]]:
    """Orders whose buyers are owed money back now, oldest first, with how much."""
    from shop.ledger.models import Account, JournalEntry, Posting

    owed = (
        select(JournalEntry.order_id, (-func.sum(Posting.amount)).label("owed"))
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .join(Account, Account.id == Posting.account_id)
        .where(Account.code == "refunds_due")
        .group_by(JournalEntry.order_id)
        .having(func.sum(Posting.amount) < 0)
        .subquery()
    )
    rows = db.session.execute(
        select(Order, owed.c.owed).join(owed, owed.c.order_id == Order.id).order_by(Order.id)
    ).all()
    return [(order, int(amount)) for order, amount in rows]
