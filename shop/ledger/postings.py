"""Which accounts a money event moves: the lines of each kind of entry.

Callers (the payment and order services) post these with :func:`shop.ledger.services.post`
inside their own transaction, keyed on the source that moved the money.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from shop.extensions import db
from shop.ledger.allocation import allocate
from shop.ledger.models import Account, Posting
from shop.ledger.services import FACILITY_ACCOUNTS, Line, credit, debit

CASH_ACCOUNTS = {"bank_transfer": "bank", "stripe": "stripe"}
# The order part columns copied at payment, by the facility account they are owed into.
PART_SHARES = {
    "fac_material": "material_cost",
    "fac_premi": "premi",
    "fac_pnbp": "pnbp",
    "fac_capital": "capital",
    "fac_shipping": "shipping_fee",
}


def sale(cash: str, amount: int, order, parts: Sequence, held: int = 0) -> list[Line]:
    """Money that pays an order: each part's shares owed to its facility, the unique code
    kept as income, anything above what was asked owed back to the buyer. ``held``:
    money received earlier that was owed back (too little then) and now pays too."""
    lines = [debit(cash, amount), debit("refunds_due", held)]
    amount += held
    for part in parts:
        for code, column in PART_SHARES.items():
            lines.append(credit(code, getattr(part, column) or 0, part.facility_id, part.id))
    extra = amount - order.total
    code_income = min(extra, order.unique_code)
    lines.append(credit("unique_code_income", code_income))
    lines.append(credit("refunds_due", extra - code_income))
    return lines


def written_off_sale(order, parts: Sequence, held: int, written_off: int) -> list[Line]:
    """An order paid by money received earlier (``held``, owed back until now) and a
    shortfall the shop writes off: the facilities get their full shares, the shop bears
    the difference, no unique code is kept."""
    lines = [debit("refunds_due", held), debit("write_offs", written_off)]
    for part in parts:
        for code, column in PART_SHARES.items():
            lines.append(credit(code, getattr(part, column) or 0, part.facility_id, part.id))
    lines.append(credit("refunds_due", held + written_off - order.total))
    return lines


def unapplied(cash: str, amount: int) -> list[Line]:
    """Money that arrived but paid nothing (too little, too late, twice): owed back."""
    return [debit(cash, amount), credit("refunds_due", amount)]


def part_owed(part_id: int) -> dict[str, tuple[int, int]]:
    """What is still owed to a part's facility, per account: ``{code: (facility, amount)}``."""
    rows = db.session.execute(
        select(Account.code, Account.facility_id, func.sum(Posting.amount))
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.facility_order_id == part_id, Account.code.in_(FACILITY_ACCOUNTS))
        .group_by(Account.code, Account.facility_id)
    ).all()
    return {code: (facility_id, -int(total)) for code, facility_id, total in rows if total}


def grant_refund(part_id: int, amount: int) -> list[Line]:
    """Take ``amount`` back from what a part's facility is owed, owing it to the buyer.

    Each share gives back in proportion to what is left of it (largest remainder, so the
    shares stay whole rupiah and add up); the whole remainder when ``amount`` is all of it.
    """
    owed = part_owed(part_id)
    total = sum(value for _f, value in owed.values())
    if amount <= 0 or amount > total:
        raise ValueError(f"refund of {amount} is above the {total} this part still holds")
    codes = [code for code in FACILITY_ACCOUNTS if code in owed]
    taken = allocate(amount, [owed[code][1] for code in codes])
    lines = [
        debit(code, share, owed[code][0], part_id) for code, share in zip(codes, taken, strict=True)
    ]
    lines.append(credit("refunds_due", amount))
    return lines


def part_cancelled(part_id: int) -> list[Line]:
    """A paid part that will not be sent: all its facility still holds is owed back."""
    held = sum(value for _f, value in part_owed(part_id).values())
    return grant_refund(part_id, held) if held else []


def return_unique_code(amount: int) -> list[Line]:
    """A whole refund gives back the unique code too."""
    return [debit("unique_code_income", amount), credit("refunds_due", amount)]


def refund_paid(cash: str, amount: int) -> list[Line]:
    return [debit("refunds_due", amount), credit(cash, amount)]


def card_fee(amount: int) -> list[Line]:
    return [debit("card_fees", amount), credit("stripe", amount)]


def dispute_opened(amount: int) -> list[Line]:
    """Stripe takes a disputed amount out of the balance when the dispute opens."""
    return [debit("dispute_losses", amount), credit("stripe", amount)]


def dispute_won(amount: int) -> list[Line]:
    return [debit("stripe", amount), credit("dispute_losses", amount)]


def payout_sent(amount: int) -> list[Line]:
    """Stripe created a payout: the money left the Stripe balance for the bank."""
    return [debit("stripe_payouts_in_transit", amount), credit("stripe", amount)]


def payout_paid(amount: int) -> list[Line]:
    return [debit("bank", amount), credit("stripe_payouts_in_transit", amount)]


def payout_returned(amount: int) -> list[Line]:
    """A payout that failed or was cancelled: Stripe puts the money back in the balance."""
    return [debit("stripe", amount), credit("stripe_payouts_in_transit", amount)]
