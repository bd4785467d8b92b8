"""Posting to the ledger. Only the services that move money call :func:`post`.

Accounts (``code`` → kind; the ``FACILITY_ACCOUNTS`` exist once per facility):

=====================  =========  ====================================================
bank                   asset      the shop's bank account (transfers in, refunds out)
stripe                 asset      the Stripe balance (card payments less fees)
stripe_payouts_in_transit asset   a Stripe payout on its way to the bank (sent, not arrived)
refunds_due            liability  money the shop owes buyers back
fac_material           liability  a facility's material cost of what it sold
fac_premi              liability  a facility's makers' premi
fac_pnbp               liability  the state's PNBP, collected through the facility
fac_capital            liability  a facility's production capital
fac_shipping           liability  shipping a facility charged and pays its courier
unique_code_income     income     the 1–999 rupiah codes that make transfers unique
card_fees              expense    Stripe's fees
dispute_losses         expense    money Stripe took back for a dispute (returned if won)
write_offs             expense    small shortfalls an administrator wrote off (reconciliation)
=====================  =========  ====================================================

**Who bears card fees and lost disputes:** the marketplace. Facilities are paid their
shares of the full sale price; Stripe's fee and any lost dispute are the shop's expense.

**Stripe payouts** (posted by the Stripe sync, once per payout id): a payout leaves the
Stripe balance for ``stripe_payouts_in_transit`` when Stripe creates it, and reaches
``bank`` when Stripe says it is paid; a failed or cancelled payout comes back to
``stripe``. Card fees Stripe reports are posted once per charge (reference
``fee:{charge id}``), whether the webhook or the sync sees them first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.ledger.models import Account, JournalEntry, Posting
from shop.sqltypes import utcnow

ACCOUNT_KINDS = {
    "bank": "asset",
    "stripe": "asset",
    "stripe_payouts_in_transit": "asset",
    "refunds_due": "liability",
    "fac_material": "liability",
    "fac_premi": "liability",
    "fac_pnbp": "liability",
    "fac_capital": "liability",
    "fac_shipping": "liability",
    "unique_code_income": "income",
    "card_fees": "expense",
    "dispute_losses": "expense",
    "write_offs": "expense",
}
FACILITY_ACCOUNTS = ("fac_material", "fac_premi", "fac_pnbp", "fac_capital", "fac_shipping")


class UnbalancedEntry(ValueError):
    """Debits and credits of an entry differ: nothing is posted."""


@dataclass(frozen=True)
class Line:
    """One side of an entry: ``amount`` > 0 debits, < 0 credits ``code`` (of a facility,
    for one order part)."""

    code: str
    amount: int
    facility_id: int | None = None
    part_id: int | None = None


def debit(code: str, amount: int, facility_id: int | None = None, part_id: int | None = None):
    return Line(code, amount, facility_id, part_id)


def credit(code: str, amount: int, facility_id: int | None = None, part_id: int | None = None):
    return Line(code, -amount, facility_id, part_id)


def account_id(code: str, facility_id: int | None = None) -> int:
    """The id of an account, created on first use (in a savepoint, safe under races)."""
    if code not in ACCOUNT_KINDS:
        raise ValueError(f"unknown ledger account {code!r}")
    if (code in FACILITY_ACCOUNTS) != (facility_id is not None):
        raise ValueError(f"account {code!r}: facility given where not meant, or missing")
    found = _find_account(code, facility_id)
    if found is None:
        try:
            with db.session.begin_nested():
                row = Account(code=code, kind=ACCOUNT_KINDS[code], facility_id=facility_id)
                db.session.add(row)
                db.session.flush()
            found = row.id
        except IntegrityError:
            found = _find_account(code, facility_id)
    return found


def _find_account(code: str, facility_id: int | None) -> int | None:
    where = (
        Account.facility_id.is_(None)
        if facility_id is None
        else (Account.facility_id == facility_id)
    )
    return db.session.scalar(select(Account.id).where(Account.code == code, where))


def post(
    kind: str,
    source_type: str,
    source_id: str | int,
    lines: Iterable[Line],
    *,
    order_id: int | None = None,
    memo: str = "",
    actor: str = "system",
    now: datetime | None = None,
) -> JournalEntry | None:
    """Post one balanced entry, once per ``(source_type, source_id, kind)``.

    Zero lines are dropped. Returns the new entry, or ``None`` when that source was
    already posted (a replayed webhook, a double click) or nothing is left to post.
    Raises :class:`UnbalancedEntry` when debits and credits differ.
    """
    lines = [line for line in lines if line.amount]
    if sum(line.amount for line in lines) != 0:
        raise UnbalancedEntry(f"{kind} {source_type}:{source_id} does not balance: {lines}")
    if not lines or already_posted(kind, source_type, source_id):
        return None
    entry = JournalEntry(
        kind=kind,
        source_type=source_type,
        source_id=str(source_id),
        order_id=order_id,
        memo=memo[:300],
        actor=actor[:80],
        created_at=now or utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        return None  # posted concurrently by another transaction
    db.session.add_all(
        Posting(
            entry_id=entry.id,
            account_id=account_id(ln.code, ln.facility_id),
            amount=ln.amount,
            facility_order_id=ln.part_id,
        )
        for ln in lines
    )
    db.session.flush()
    return entry


def already_posted(kind: str, source_type: str, source_id: str | int) -> bool:
    return (
        db.session.scalar(
            select(JournalEntry.id).where(
                JournalEntry.kind == kind,
                JournalEntry.source_type == source_type,
                JournalEntry.source_id == str(source_id),
            )
        )
        is not None
    )


def balance(
    code: str | Iterable[str],
    *,
    facility_id: int | None = None,
    part_id: int | None = None,
    order_id: int | None = None,
) -> int:
    """Debits minus credits of one account or several (all facilities' if ``facility_id``
    is None and the account is per facility), optionally of one part or one order."""
    codes = [code] if isinstance(code, str) else list(code)
    query = (
        select(func.coalesce(func.sum(Posting.amount), 0))
        .join(Account, Account.id == Posting.account_id)
        .where(Account.code.in_(codes))
    )
    if facility_id is not None:
        query = query.where(Account.facility_id == facility_id)
    if part_id is not None:
        query = query.where(Posting.facility_order_id == part_id)
    if order_id is not None:
        query = query.join(JournalEntry, JournalEntry.id == Posting.entry_id).where(
            JournalEntry.order_id == order_id
        )
    return int(db.session.scalar(query))
