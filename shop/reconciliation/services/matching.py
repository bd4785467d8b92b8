"""Statement import and matching: the rules. Services ``flush()``; the caller commits.

A credit line pays an order only through
:func:`shop.payments.bank_transfer.confirm_bank_transfer`, the one door for confirming a
bank transfer. Matching rules (``candidates``):

- **exact**: a pending bank-transfer payment of exactly the line's amount (order total +
  its unique code), for an order awaiting payment, the line dated from the day the
  order was placed to the day of its deadline (WIB dates: a statement has no times).
  Exactly one such candidate, and no other order with that exact amount, is confirmed
  automatically (actor ``statement:<line id>``).
- **late** / **early**: the exact amount, but dated after the deadline (or the order has
  expired) or before the order was placed: a person decides.
- **near**: within ±Rp 1.000 of an order's amount due, e.g. the total without the
  code: a person decides.
Two orders with the same exact amount (one pending, one expired) are never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from shop.admin.transfers import CONFIRMABLE
from shop.audit.services import record
from shop.dashboard.timezone import JAKARTA
from shop.extensions import db
from shop.i18n import format_rupiah
from shop.orders.models import Order
from shop.payments.bank_transfer import PaymentError, confirm_bank_transfer
from shop.payments.models import Payment
from shop.reconciliation.models import StatementLine, StatementMatch
from shop.sqltypes import utcnow

MAX_PAYMENT = 2_000_000_000  # what one payment row holds (an INTEGER column)
NEAR = 1_000  # rupiah either side of an amount due that still makes an order a candidate
MAX_ID = 2**31 - 1  # a larger id in a URL names nothing (and overflows PostgreSQL's INTEGER)


LINE_STATUS_LABELS = {
    "unmatched": _l("Left for a person"),
    "matched": _l("Matched"),
    "not_ours": _l("Not ours"),
    "debit": _l("Money out"),
    "written_off": _l("Matched, difference written off"),
}
OUTCOME_LABELS = {
    "paid": _l("paid the order"),
    "underpaid": _l("less than the order total: on the review list"),
    "stock_gone": _l("order expired and its stock is gone: refund"),
}


class LineError(Exception):
    """An action on a line refused; ``message`` says why in the user's language."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def actor_label(actor: Any) -> str:
    return (getattr(actor, "email", None) or str(actor))[:254]


def _confirm_actor(actor: Any) -> str:
    """The ``confirmed_by`` of a payment a person confirmed (as the transfer page does)."""
    user_id = getattr(actor, "id", None)
    return f"admin:{user_id}" if user_id is not None else str(actor)[:80]


# ---- candidates and automatic matching ---------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    order: Order
    payment: Payment
    kind: str  # exact, late, early, near
    line_amount: int

    @property
    def difference(self) -> int:
        """What the line brought minus the amount due (negative: too little)."""
        return self.line_amount - self.payment.amount


CANDIDATE_LABELS = {
    "exact": _l("Exact amount, within the payment window"),
    "late": _l("Exact amount, but after the payment deadline"),
    "early": _l("Exact amount, but dated before the order was placed"),
    "near": _l("A near amount (for example the total without the unique code)"),
}


def candidates(line: StatementLine) -> list[Candidate]:
    """Orders this credit could pay, the most likely first (see the module's rules)."""
    if line.direction != "C":
        return []
    rows = db.session.execute(
        select(Order, Payment)
        .join(Payment, Payment.order_id == Order.id)
        .where(
            Payment.provider == "bank_transfer",
            Payment.status.in_(("pending", "expired")),
            Order.status.in_(tuple(CONFIRMABLE)),
            Payment.amount.between(line.amount - NEAR, line.amount + NEAR),
        )
        .order_by(func.abs(Payment.amount - line.amount), Order.payment_deadline, Order.id)
        .limit(30)
    ).all()
    found = []
    for order, payment in rows:
        if payment.amount != line.amount:
            kind = "near"
        elif line.booked_on < order.placed_at.astimezone(JAKARTA).date():
            kind = "early"
        elif (
            order.status != "awaiting_payment"
            or payment.status != "pending"
            or line.booked_on > order.payment_deadline.astimezone(JAKARTA).date()
        ):
            kind = "late"
        else:
            kind = "exact"
        found.append(Candidate(order, payment, kind, line.amount))
    order_of = {"exact": 0, "late": 1, "early": 2, "near": 3}
    return sorted(found, key=lambda c: (order_of[c.kind], abs(c.difference)))


def auto_match(line: StatementLine, now: datetime | None = None) -> bool:
    """Confirm the one order this credit pays, if there is exactly one; else leave it."""
    now = now or utcnow()
    same_amount = [c for c in candidates(line) if c.kind != "near"]
    if len(same_amount) != 1 or same_amount[0].kind != "exact":
        return False
    order = same_amount[0].order
    actor = f"statement:{line.id}"
    try:
        with db.session.begin_nested():
            result = confirm_bank_transfer(order.id, line.amount, actor, line.label, now=now)
    except PaymentError:
        return False
    _add_match(line, order.id, result.payment.id, line.amount, "auto", result.outcome, actor, "")
    line.status = "matched"
    line.handled_by = actor
    line.handled_at = now
    db.session.flush()
    record(
        actor,
        "statement_line.auto_match",
        "statement_line",
        line.id,
        before={"status": "unmatched"},
        after={"status": "matched", "order": order.number, "outcome": result.outcome},
        now=now,
    )
    return True


def _add_match(line, order_id, payment_id, amount, kind, outcome, actor, note) -> StatementMatch:
    match = StatementMatch(
        line_id=line.id,
        order_id=order_id,
        payment_id=payment_id,
        amount=amount,
        kind=kind,
        outcome=outcome,
        actor=actor[:254],
        note=note[:500],
    )
    db.session.add(match)
    return match


# ---- a person's actions ------------------------------------------------------------------


def _take(line_id: int, from_status: str, to_status: str, actor: Any, note: str, now) -> None:
    """Move the line between statuses with one guarded UPDATE (two people, one winner)."""
    done = db.session.execute(
        update(StatementLine)
        .where(
            StatementLine.id == line_id,
            StatementLine.status == from_status,
            StatementLine.direction == "C",
        )
        .values(status=to_status, note=note[:500], handled_by=actor_label(actor), handled_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise LineError(_l("This line has already been handled: nothing was changed."))


def get_line(line_id: int) -> StatementLine | None:
    if not 0 < line_id <= MAX_ID:
        return None
    return db.session.get(StatementLine, line_id, populate_existing=True)


def _order_by_number(number: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.number == number.strip().upper()))
    if order is None:
        raise LineError(_l("No order has the number %(number)s.", number=number.strip()))
    if order.payment_method != "bank_transfer":
        raise LineError(_l("Order %(number)s is not paid by bank transfer.", number=order.number))
    return order


def _received_before(order_id: int) -> int:
    """What earlier transfers brought to an order still short of its total: the transfer
    confirmation counts everything received, so a top-up is added to it."""
    payment = db.session.scalars(
        select(Payment)
        .where(Payment.order_id == order_id, Payment.provider == "bank_transfer")
        .order_by(Payment.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).first()
    if payment is None or payment.status != "needs_review":
        return 0
    return payment.amount_received


def _confirm(line: StatementLine, order: Order, amount: int, kind: str, actor, note, now):
    try:
        result = confirm_bank_transfer(
            order.id,
            _received_before(order.id) + amount,
            _confirm_actor(actor),
            line.label,
            now=now,
        )
    except PaymentError:
        raise LineError(
            _l(
                "Order %(number)s is not awaiting payment: nothing was changed.",
                number=order.number,
            )
        ) from None
    who = actor_label(actor)
    _add_match(line, order.id, result.payment.id, amount, kind, result.outcome, who, note)
    return result


def match_by_hand(
    line_id: int, order_number: str, actor: Any, note: str = "", now: datetime | None = None
) -> list[StatementMatch]:
    """Give the whole credit to one order a person chose (confirmed like any transfer)."""
    return split_line(line_id, [(order_number, None)], actor, note, now, whole=True)


def split_line(
    line_id: int,
    parts: list[tuple[str, int | None]],
    actor: Any,
    note: str = "",
    now: datetime | None = None,
    *,
    whole: bool = False,
) -> list[StatementMatch]:
    """Give the credit to several orders (``(order number, amount)``; the amounts add up to
    the line's). ``whole``: one order takes the whole line (a hand match).

    Raises :class:`LineError`; the caller then rolls the transaction back (a split whose
    second order refuses leaves nothing of the first)."""
    now = now or utcnow()
    line = get_line(line_id)
    if line is None or line.direction != "C":
        raise LineError(_l("Only a credit line can pay an order."))
    if line.status != "unmatched":
        raise LineError(_l("This line has already been handled: nothing was changed."))
    if not parts or any(not number for number, _amount in parts):
        raise LineError(_l("Every part needs an order number."))
    orders = [_order_by_number(number) for number, _amount in parts]
    if len({o.id for o in orders}) != len(orders):
        raise LineError(_l("Each order may appear only once."))
    if whole:
        amounts, kind = [line.amount], "hand"
    else:
        amounts, kind = [amount or 0 for _number, amount in parts], "split"
        if len(parts) < 2:
            raise LineError(_l("A split needs at least two orders."))
        if any(a <= 0 for a in amounts):
            raise LineError(_l("Every part needs an amount above zero."))
        if sum(amounts) != line.amount:
            raise LineError(
                _l(
                    "The parts add up to %(sum)s but the line brought %(amount)s.",
                    sum=_rupiah(sum(amounts)),
                    amount=_rupiah(line.amount),
                )
            )
    if any(a > MAX_PAYMENT for a in amounts):
        raise LineError(_l("One order cannot take more than Rp 2.000.000.000: split the line."))
    _take(line.id, "unmatched", "matched", actor, note, now)
    outcomes = []
    for order, amount in zip(orders, amounts, strict=True):
        result = _confirm(line, order, amount, kind, actor, note, now)
        outcomes.append({"order": order.number, "amount": amount, "outcome": result.outcome})
    db.session.flush()
    matches = list(
        db.session.scalars(
            select(StatementMatch)
            .where(StatementMatch.line_id == line.id, StatementMatch.undone_at.is_(None))
            .order_by(StatementMatch.id)
        )
    )
    record(
        actor,
        f"statement_line.{kind}_match" if kind == "hand" else "statement_line.split",
        "statement_line",
        line.id,
        before={"status": "unmatched"},
        after={"status": "matched", "orders": outcomes},
        note=note,
        now=now,
    )
    return matches


def _rupiah(amount: int) -> str:
    return format_rupiah(amount)


def mark_not_ours(line_id: int, actor: Any, note: str, now: datetime | None = None) -> None:
    """A credit that pays no order of the shop's (interest, a refund from a supplier…)."""
    now = now or utcnow()
    if not note.strip():
        raise LineError(_l("Say why this line is not a payment for an order."))
    _take(line_id, "unmatched", "not_ours", actor, note.strip(), now)
    record(
        actor,
        "statement_line.not_ours",
        "statement_line",
        line_id,
        before={"status": "unmatched"},
        after={"status": "not_ours"},
        note=note.strip(),
        now=now,
    )


def active_matches(line_id: int) -> list[StatementMatch]:
    return list(
        db.session.scalars(
            select(StatementMatch)
            .where(StatementMatch.line_id == line_id, StatementMatch.undone_at.is_(None))
            .order_by(StatementMatch.id)
        )
    )


def undo(line_id: int, actor: Any, note: str = "", now: datetime | None = None) -> None:
    """Put a line back to unmatched: a not-ours mark, or a match that paid no order.

    A match that paid an order cannot be undone here: the order is paid, its stock sold
    and the buyer told; that is a refund. A match that paid nothing (too little, or the
    stock was gone) is undone; its payment stays on the transfers' review list with what
    it received (correct that there: payments are not rewritten from here).
    """
    now = now or utcnow()
    line = get_line(line_id)
    if line is None:
        raise LineError(_l("No such statement line."))
    if line.status == "not_ours":
        _take(line_id, "not_ours", "unmatched", actor, "", now)
        record(
            actor,
            "statement_line.undo",
            "statement_line",
            line_id,
            before={"status": "not_ours", "note": line.note},
            after={"status": "unmatched"},
            note=note,
            now=now,
        )
        return
    if line.status != "matched":
        raise LineError(_l("This line is not matched: there is nothing to undo."))
    matches = active_matches(line_id)
    paid = [m for m in matches if m.outcome == "paid"]
    if paid:
        numbers = ", ".join(
            db.session.scalars(select(Order.number).where(Order.id.in_([m.order_id for m in paid])))
        )
        raise LineError(
            _l(
                "This line paid order %(numbers)s: a paid order cannot be unpaid here. "
                "If the money was not theirs, refund the order instead.",
                numbers=numbers,
            )
        )
    _take(line_id, "matched", "unmatched", actor, "", now)
    for match in matches:
        match.undone_at = now
        match.undone_by = actor_label(actor)
    db.session.flush()
    record(
        actor,
        "statement_line.undo",
        "statement_line",
        line_id,
        before={"status": "matched", "matches": [m.id for m in matches]},
        after={"status": "unmatched"},
        note=note,
        now=now,
    )
