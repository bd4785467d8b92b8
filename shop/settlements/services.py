"""Settling what facilities are owed: build, rebuild, delete, approve, mark paid.

**Settle postings, not orders.** A settlement of a facility for a period takes every
posting on the facility's ``fac_*`` accounts that no settlement holds yet and whose
entry is dated up to the end of the period (a calendar month in Asia/Jakarta), one
:class:`SettlementItem` per posting. A posting is settled once (unique ``posting_id``):
a sale is settled once, and a refund granted after a settlement is a new posting that
lands in the next one. A period whose postings come to less than nothing (refunds of
earlier sales, no new ones) is not settled: its postings stay open and are deducted from
the facility's next settlement, so no facility is ever asked to pay money back.

States: ``draft`` → ``approved`` → ``paid``. Only a draft is rebuilt or deleted;
approving freezes it; paying posts ``settlement_paid`` (debit each ``fac_*`` account by
what was settled on it, credit ``bank``), once per settlement. The payment entry's
postings carry no order part, so a part's later refund still sees what its sale owed.

Card fees are shown, never deducted: the marketplace bears them (see
:mod:`shop.ledger.services`). Services only ``flush()``; every action is audited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select

from shop.audit.services import record as audit
from shop.core.timezone import day_start, jakarta_today
from shop.extensions import db
from shop.facilities.models import Facility
from shop.ledger import services as ledger
from shop.ledger.models import Account, JournalEntry, Posting
from shop.orders.models import FacilityOrder, Order
from shop.payments.models import PaymentTransaction
from shop.settlements.models import Settlement, SettlementItem
from shop.sqltypes import utcnow

SALE_KIND = "payment_received"
PAID_KIND = "settlement_paid"
SOURCE = "settlement"
SHARES = {
    "fac_material": "material_cost",
    "fac_premi": "premi",
    "fac_pnbp": "pnbp",
    "fac_capital": "capital",
    "fac_shipping": "shipping",
}
MONEY_FIELDS = (
    "gross_sales",
    "shipping_sold",
    "refunds",
    "card_fees",
    "material_cost",
    "premi",
    "pnbp",
    "capital",
    "shipping",
    "amount",
)


class SettlementError(ValueError):
    """A refused settlement action; ``code`` names why (the views word it)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


# ---- periods ------------------------------------------------------------------------


def month_period(year: int, month: int) -> tuple[date, date]:
    """First and last day of a calendar month."""
    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        raise SettlementError(f"no such month {year}-{month}", "period")
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def period_cutoff(period_end: date) -> datetime:
    """The instant a period ends: midnight in Jakarta after its last day."""
    return day_start(period_end + timedelta(days=1))


# ---- reading ------------------------------------------------------------------------


def _facility_codes():
    return Account.code.in_(tuple(SHARES))


def unsettled_postings(facility_id: int, until: datetime | None = None):
    """``select`` of the facility's share postings no settlement holds (dated before
    ``until`` when given); settlement payments themselves are never settled."""
    stmt = (
        select(Posting.id, Posting.facility_order_id, Account.code, Posting.amount)
        .join(Account, Account.id == Posting.account_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .outerjoin(SettlementItem, SettlementItem.posting_id == Posting.id)
        .where(
            Account.facility_id == facility_id,
            _facility_codes(),
            JournalEntry.kind != PAID_KIND,
            SettlementItem.id.is_(None),
        )
        .order_by(Posting.id)
    )
    if until is not None:
        stmt = stmt.where(JournalEntry.created_at < until)
    return stmt


def unsettled_total(facility_id: int) -> int:
    """What the facility is owed that no settlement holds yet."""
    sub = unsettled_postings(facility_id).subquery()
    return -int(db.session.scalar(select(func.coalesce(func.sum(sub.c.amount), 0))))


def get(settlement_id: int, facility_id: int | None = None) -> Settlement | None:
    """A settlement, optionally only if it is ``facility_id``'s (staff scoping)."""
    stmt = select(Settlement).where(Settlement.id == settlement_id)
    if facility_id is not None:
        stmt = stmt.where(Settlement.facility_id == facility_id)
    return db.session.scalar(stmt)


def listing(facility_id: int | None = None, states=None) -> list[Settlement]:
    stmt = select(Settlement).order_by(Settlement.period_start.desc(), Settlement.id.desc())
    if facility_id is not None:
        stmt = stmt.where(Settlement.facility_id == facility_id)
    if states:
        stmt = stmt.where(Settlement.state.in_(tuple(states)))
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class PartRow:
    """One order part in a settlement: what its settled postings add up to."""

    part_id: int
    order_number: str
    sales: int  # the part's price sold (material + profit shares)
    shipping: int
    refunds: int
    material_cost: int
    premi: int
    pnbp: int
    capital: int
    amount: int


def parts(settlement_id: int) -> list[PartRow]:
    """The order parts a settlement holds, by part, with their settled amounts."""
    rows = db.session.execute(
        select(
            SettlementItem.facility_order_id,
            Order.number,
            JournalEntry.kind,
            SettlementItem.code,
            func.sum(SettlementItem.amount),
        )
        .join(Posting, Posting.id == SettlementItem.posting_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .outerjoin(FacilityOrder, FacilityOrder.id == SettlementItem.facility_order_id)
        .outerjoin(Order, Order.id == FacilityOrder.order_id)
        .where(SettlementItem.settlement_id == settlement_id)
        .group_by(
            SettlementItem.facility_order_id, Order.number, JournalEntry.kind, SettlementItem.code
        )
    ).all()
    acc: dict[int | None, dict] = {}
    for part_id, number, kind, code, total in rows:
        row = acc.setdefault(part_id, defaultdict(int, number=number or "—"))
        _add(row, kind, code, int(total))
    return [
        PartRow(
            part_id=part_id or 0,
            order_number=row["number"],
            sales=row["gross_sales"],
            shipping=row["shipping_sold"],
            refunds=row["refunds"],
            material_cost=row["material_cost"],
            premi=row["premi"],
            pnbp=row["pnbp"],
            capital=row["capital"],
            amount=row["amount"],
        )
        for part_id, row in sorted(acc.items(), key=lambda kv: (kv[1]["number"], kv[0] or 0))
    ]


def _add(totals: dict, kind: str, code: str, amount: int) -> None:
    """Add one settled posting (signed: credit < 0 is owed to the facility) to totals."""
    owed = -amount
    totals[SHARES[code]] += owed
    totals["amount"] += owed
    if kind == SALE_KIND:
        totals["shipping_sold" if code == "fac_shipping" else "gross_sales"] += owed
    else:
        totals["refunds"] -= owed


# ---- building -----------------------------------------------------------------------


def _fill(settlement: Settlement, cutoff: datetime) -> None:
    rows = db.session.execute(unsettled_postings(settlement.facility_id, cutoff)).all()
    if not rows:
        raise SettlementError("nothing to settle", "empty")
    db.session.add_all(
        SettlementItem(
            settlement_id=settlement.id,
            posting_id=posting_id,
            facility_order_id=part_id,
            code=code,
            amount=amount,
        )
        for posting_id, part_id, code, amount in rows
    )
    db.session.flush()
    _total(settlement)
    if settlement.amount < 0:
        raise SettlementError(f"the facility owes {-settlement.amount}", "owes")


def _total(settlement: Settlement) -> None:
    totals: dict[str, int] = defaultdict(int)
    rows = db.session.execute(
        select(JournalEntry.kind, SettlementItem.code, func.sum(SettlementItem.amount))
        .join(Posting, Posting.id == SettlementItem.posting_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(SettlementItem.settlement_id == settlement.id)
        .group_by(JournalEntry.kind, SettlementItem.code)
    ).all()
    for kind, code, amount in rows:
        _add(totals, kind, code, int(amount))
    totals["card_fees"] = _card_fees(settlement.id)
    for name in MONEY_FIELDS:
        setattr(settlement, name, totals[name])


def _card_fees(settlement_id: int) -> int:
    """Card fees of the orders whose sales this settlement holds, each order's fee shared
    by its parts in proportion to their price and shipping (shown; the marketplace pays)."""
    sold = (
        select(SettlementItem.facility_order_id)
        .join(Posting, Posting.id == SettlementItem.posting_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(SettlementItem.settlement_id == settlement_id, JournalEntry.kind == SALE_KIND)
        .distinct()
    )
    fees = (
        select(PaymentTransaction.order_id, func.sum(PaymentTransaction.amount).label("fee"))
        .where(PaymentTransaction.kind == "fee")
        .group_by(PaymentTransaction.order_id)
        .subquery()
    )
    rows = db.session.execute(
        select(FacilityOrder.subtotal + FacilityOrder.shipping_fee, Order.total, fees.c.fee)
        .join(Order, Order.id == FacilityOrder.order_id)
        .join(fees, fees.c.order_id == Order.id)
        .where(FacilityOrder.id.in_(sold))
    ).all()
    return sum(int(fee) * int(part) // int(total) for part, total, fee in rows if total)


def _actor_label(actor) -> str:
    return (getattr(actor, "email", None) or str(actor))[:254]


def build(facility_id: int, year: int, month: int, actor, now: datetime | None = None):
    """A draft settlement of ``facility_id`` for a calendar month that has ended."""
    now = now or utcnow()
    start, end = month_period(year, month)
    if db.session.get(Facility, facility_id) is None:
        raise SettlementError("no such facility", "facility")
    if end >= jakarta_today(now):
        raise SettlementError("the month has not ended yet", "open")
    taken = db.session.scalar(
        select(Settlement.id).where(
            Settlement.facility_id == facility_id, Settlement.period_start == start
        )
    )
    if taken is not None:
        raise SettlementError("this facility's month is already settled", "exists")
    settlement = Settlement(
        facility_id=facility_id,
        period_start=start,
        period_end=end,
        state="draft",
        created_at=now,
        created_by=_actor_label(actor),
        **dict.fromkeys(MONEY_FIELDS, 0),
    )
    db.session.add(settlement)
    db.session.flush()
    _fill(settlement, period_cutoff(end))
    audit(
        actor,
        "settlement.build",
        "settlement",
        settlement.id,
        after=_snapshot(settlement),
        facility_id=facility_id,
        now=now,
    )
    return settlement


def _snapshot(settlement: Settlement) -> dict:
    return {
        "state": settlement.state,
        "period": f"{settlement.period_start}..{settlement.period_end}",
        **{name: getattr(settlement, name) for name in MONEY_FIELDS},
    }


def _locked(settlement_id: int) -> Settlement:
    settlement = db.session.scalar(
        select(Settlement).where(Settlement.id == settlement_id).with_for_update(of=Settlement)
    )
    if settlement is None:
        raise SettlementError("no such settlement", "missing")
    return settlement


def _draft(settlement_id: int) -> Settlement:
    settlement = _locked(settlement_id)
    if settlement.state != "draft":
        raise SettlementError(f"settlement is {settlement.state}, not a draft", "frozen")
    return settlement


def rebuild(settlement_id: int, actor, now: datetime | None = None) -> Settlement:
    """Gather a draft's postings again (a late posting dated in the period joins it)."""
    settlement = _draft(settlement_id)
    before = _snapshot(settlement)
    db.session.execute(delete(SettlementItem).where(SettlementItem.settlement_id == settlement.id))
    db.session.flush()
    _fill(settlement, period_cutoff(settlement.period_end))
    audit(
        actor,
        "settlement.rebuild",
        "settlement",
        settlement.id,
        before=before,
        after=_snapshot(settlement),
        facility_id=settlement.facility_id,
        now=now,
    )
    return settlement


def remove(settlement_id: int, actor, now: datetime | None = None) -> None:
    """Delete a draft: its postings are unsettled again."""
    settlement = _draft(settlement_id)
    before = _snapshot(settlement)
    facility_id = settlement.facility_id
    db.session.execute(delete(SettlementItem).where(SettlementItem.settlement_id == settlement.id))
    db.session.delete(settlement)
    db.session.flush()
    audit(
        actor,
        "settlement.delete",
        "settlement",
        settlement_id,
        before=before,
        facility_id=facility_id,
        now=now,
    )


def approve(settlement_id: int, actor, now: datetime | None = None) -> Settlement:
    """Freeze a draft: it can no longer be rebuilt or deleted."""
    now = now or utcnow()
    settlement = _draft(settlement_id)
    settlement.state = "approved"
    settlement.approved_at = now
    settlement.approved_by = _actor_label(actor)
    db.session.flush()
    audit(
        actor,
        "settlement.approve",
        "settlement",
        settlement.id,
        before={"state": "draft"},
        after={"state": "approved"},
        facility_id=settlement.facility_id,
        now=now,
    )
    return settlement


def payment_lines(settlement: Settlement) -> list[ledger.Line]:
    """Debit each facility account by what was settled on it, credit the bank."""
    lines = [
        ledger.debit(code, getattr(settlement, column), settlement.facility_id)
        for code, column in SHARES.items()
    ]
    lines.append(ledger.credit("bank", settlement.amount))
    return lines


def mark_paid(
    settlement_id: int,
    reference: str,
    paid_on: date,
    actor,
    now: datetime | None = None,
) -> Settlement:
    """The approved amount was transferred to the facility (bank ``reference``, on
    ``paid_on``): post ``settlement_paid`` once for this settlement."""
    now = now or utcnow()
    reference = (reference or "").strip()
    if not reference:
        raise SettlementError("the transfer reference is required", "reference")
    settlement = _locked(settlement_id)
    if settlement.state != "approved":
        raise SettlementError(f"settlement is {settlement.state}, not approved", "not_approved")
    if paid_on <= settlement.period_end or paid_on > jakarta_today(now):
        raise SettlementError("the transfer date is outside the period's end and today", "date")
    ledger.post(
        PAID_KIND,
        SOURCE,
        settlement.id,
        payment_lines(settlement),
        memo=f"settlement {settlement.id}: {reference}",
        actor=_actor_label(actor)[:80],
        now=now,
    )
    settlement.state = "paid"
    settlement.paid_on = paid_on
    settlement.paid_reference = reference[:120]
    settlement.paid_by = _actor_label(actor)
    db.session.flush()
    audit(
        actor,
        "settlement.paid",
        "settlement",
        settlement.id,
        before={"state": "approved"},
        after={"state": "paid", "paid_on": paid_on, "reference": settlement.paid_reference},
        facility_id=settlement.facility_id,
        now=now,
    )
    return settlement
