"""Money reports for administrators, all read from the ledger (and, for what a sale was
made of, from the order lines of the parts whose sale the ledger posted).

"Sales" are the part prices credited to facilities by ``payment_received`` entries
(material cost plus the three profit shares; shipping apart); refunds are what later
entries took back from facilities. Months are calendar months in Asia/Jakarta, by the
date of the ledger entry. Every total here adds up to the ledger's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from shop.catalog.models import Category, Product
from shop.core.timezone import JAKARTA
from shop.extensions import db
from shop.facilities.models import Facility
from shop.ledger.models import Account, JournalEntry, Posting
from shop.orders.models import OrderLine
from shop.settlements.models import Settlement
from shop.settlements.services import PAID_KIND, SALE_KIND, SHARES, period_cutoff
from shop.settlements.services import month_period as _month_period

PRICE_CODES = ("fac_material", "fac_premi", "fac_pnbp", "fac_capital")
CASH_KINDS = {
    "payment_received": "collected",
    "payment_unapplied": "collected",
    "refund_paid": "refunds",
    "card_fee": "fees",
    "dispute": "disputes",
    "dispute_reversal": "disputes",
    "settlement_paid": "settlements",
}
CASH_COLUMNS = ("collected", "refunds", "fees", "disputes", "settlements", "other", "net")
# The marketplace's own income and costs (not the facilities'), as the ledger holds them.
MARKETPLACE_INCOME = ("unique_code_income",)
MARKETPLACE_COSTS = ("card_fees", "dispute_losses", "write_offs")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def since(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=JAKARTA)

    @property
    def until(self) -> datetime:
        return period_cutoff(self.end)


def months(first: tuple[int, int], last: tuple[int, int]) -> Period:
    """The months from ``first`` to ``last`` (``(year, month)``), both whole."""
    start, _ = _month_period(*first)
    _, end = _month_period(*last)
    return Period(start, end) if start <= end else Period(end.replace(day=1), start)


def month_of(when: datetime) -> str:
    return when.astimezone(JAKARTA).strftime("%Y-%m")


def _in(stmt, period: Period):
    return stmt.where(
        JournalEntry.created_at >= period.since, JournalEntry.created_at < period.until
    )


def _facility_postings(period: Period):
    """``(entry kind, entry time, facility, code, part, amount)`` of facility postings."""
    stmt = (
        select(
            JournalEntry.kind,
            JournalEntry.created_at,
            Account.facility_id,
            Account.code,
            Posting.facility_order_id,
            Posting.amount,
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .join(Account, Account.id == Posting.account_id)
        .where(Account.code.in_(tuple(SHARES)), JournalEntry.kind != PAID_KIND)
    )
    return db.session.execute(_in(stmt, period)).all()


@dataclass
class Shares:
    """One row of money owed to facilities: ``sales`` (part prices) and ``shipping``
    charged by sales, ``refunds`` taken back since, and the price's shares net of them."""

    sales: int = 0
    shipping: int = 0
    refunds: int = 0
    material_cost: int = 0
    premi: int = 0
    pnbp: int = 0
    capital: int = 0

    @property
    def net(self) -> int:
        return self.sales + self.shipping - self.refunds


@dataclass
class Report:
    period: Period
    by_facility: list[tuple[str, Shares]] = field(default_factory=list)
    by_province: list[tuple[str, int]] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    cash: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    marketplace: dict[str, int] = field(default_factory=dict)
    total: Shares = field(default_factory=Shares)


def report(period: Period, locale: str = "id") -> Report:
    """Every table of the reports page for ``period``."""
    names = dict(db.session.execute(select(Facility.id, Facility.name)).all())
    provinces = dict(db.session.execute(select(Facility.id, Facility.province)).all())
    per_facility: dict[int, Shares] = defaultdict(Shares)
    per_province: dict[str, int] = defaultdict(int)
    per_month: dict[str, int] = defaultdict(int)
    total = Shares()
    for kind, when, facility_id, code, _part, amount in _facility_postings(period):
        for row in (per_facility[facility_id], total):
            _add(row, kind, code, amount)
        if kind == SALE_KIND and code in PRICE_CODES:
            per_province[provinces.get(facility_id, "?")] += -amount
            per_month[month_of(when)] += -amount
    result = Report(period=period, total=total)
    result.by_facility = sorted(
        ((names.get(fid, "?"), row) for fid, row in per_facility.items()), key=lambda r: r[0]
    )
    result.by_province = sorted(per_province.items())
    result.by_month = _every_month(period, per_month)
    result.by_category = _by_category(period, locale)
    result.cash = _cash(period)
    result.marketplace = _marketplace(period)
    return result


def _marketplace(period: Period) -> dict[str, int]:
    """Income (the transfers' unique codes) and costs (card fees, lost disputes, amounts
    written off) in the period, each as a positive amount; a refunded code or a won
    dispute comes back off its line."""
    codes = MARKETPLACE_INCOME + MARKETPLACE_COSTS
    stmt = (
        select(Account.code, func.sum(Posting.amount))
        .join(Posting, Posting.account_id == Account.id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Account.code.in_(codes))
        .group_by(Account.code)
    )
    sums = dict.fromkeys(codes, 0)
    for code, amount in db.session.execute(_in(stmt, period)).all():
        sums[code] = -int(amount) if code in MARKETPLACE_INCOME else int(amount)
    return sums


def _add(row: Shares, kind: str, code: str, amount: int) -> None:
    """Add one facility posting (signed: a credit < 0 is owed to the facility)."""
    owed = -amount
    if code != "fac_shipping":
        setattr(row, SHARES[code], getattr(row, SHARES[code]) + owed)
    if kind == SALE_KIND:
        if code == "fac_shipping":
            row.shipping += owed
        else:
            row.sales += owed
    else:
        row.refunds -= owed


def _every_month(period: Period, amounts: dict[str, int]) -> list[tuple[str, int]]:
    rows, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        key = f"{year:04d}-{month:02d}"
        rows.append((key, amounts.get(key, 0)))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return rows


def _sold_parts(period: Period):
    """Ids of the order parts whose sale the ledger posted in the period."""
    stmt = (
        select(Posting.facility_order_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(JournalEntry.kind == SALE_KIND, Posting.facility_order_id.is_not(None))
        .distinct()
    )
    return _in(stmt, period)


def _by_category(period: Period, locale: str) -> list[tuple[str, int]]:
    name = Category.name_en if locale == "en" else Category.name_id
    rows = db.session.execute(
        select(name, func.sum(OrderLine.line_total))
        .join(Product, Product.id == OrderLine.product_id)
        .join(Category, Category.id == Product.category_id)
        .where(OrderLine.facility_order_id.in_(_sold_parts(period)))
        .group_by(name)
        .order_by(name)
    ).all()
    return [(label, int(amount)) for label, amount in rows]


def _cash(period: Period) -> list[tuple[str, dict[str, int]]]:
    """Per cash account (bank, stripe): money in and out by what moved it, and the net."""
    stmt = (
        select(Account.code, JournalEntry.kind, func.sum(Posting.amount))
        .join(Posting, Posting.account_id == Account.id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Account.code.in_(("bank", "stripe")))
        .group_by(Account.code, JournalEntry.kind)
    )
    table: dict[str, dict[str, int]] = {
        code: dict.fromkeys(CASH_COLUMNS, 0) for code in ("bank", "stripe")
    }
    for code, kind, amount in db.session.execute(_in(stmt, period)).all():
        row = table[code]
        row[CASH_KINDS.get(kind, "other")] += int(amount)
        row["net"] += int(amount)
    return list(table.items())


# ---- the monthly recap for the directorate general ------------------------------------


@dataclass
class Recap:
    facility: str
    province: str
    products: list[tuple[str, str, int, int]]  # name, sku, quantity, amount
    money: Shares


def recap(year: int, month: int) -> list[Recap]:
    """Per facility, for one month: the products sold (parts whose sale was posted that
    month) and its money (sales, shipping, refunds, material cost, premi, PNBP, capital)."""
    start, end = _month_period(year, month)
    period = Period(start, end)
    facilities = {
        fid: (name, province)
        for fid, name, province in db.session.execute(
            select(Facility.id, Facility.name, Facility.province)
        )
    }
    money: dict[int, Shares] = defaultdict(Shares)
    for kind, _when, facility_id, code, _part, amount in _facility_postings(period):
        _add(money[facility_id], kind, code, amount)
    lines = db.session.execute(
        select(
            Product.facility_id,
            OrderLine.product_name,
            OrderLine.sku,
            func.sum(OrderLine.quantity),
            func.sum(OrderLine.line_total),
        )
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.facility_order_id.in_(_sold_parts(period)))
        .group_by(Product.facility_id, OrderLine.product_name, OrderLine.sku)
        .order_by(OrderLine.product_name)
    ).all()
    products: dict[int, list] = defaultdict(list)
    for fid, pname, sku, qty, amount in lines:
        products[fid].append((pname, sku, int(qty), int(amount)))
    return sorted(
        (
            Recap(facilities[fid][0], facilities[fid][1], products.get(fid, []), money[fid])
            for fid in set(money) | set(products)
        ),
        key=lambda r: r.facility,
    )


# ---- the public "where the money went" page ------------------------------------------


@dataclass(frozen=True)
class PaidMonth:
    month: str
    facility: str
    province: str
    premi: int
    pnbp: int
    capital: int


def paid_out() -> tuple[list[PaidMonth], dict[str, int]]:
    """Premi, PNBP and capital of every paid settlement, per facility and month (newest
    first), with their totals: no orders, no buyers, no makers' names."""
    rows = db.session.execute(
        select(
            Settlement.period_start,
            Facility.name,
            Facility.province,
            Settlement.premi,
            Settlement.pnbp,
            Settlement.capital,
        )
        .join(Facility, Facility.id == Settlement.facility_id)
        .where(Settlement.state == "paid")
        .order_by(Settlement.period_start.desc(), Facility.name)
    ).all()
    out = [
        PaidMonth(start.strftime("%Y-%m"), name, province, premi, pnbp, capital)
        for start, name, province, premi, pnbp, capital in rows
    ]
    totals = {
        "premi": sum(r.premi for r in out),
        "pnbp": sum(r.pnbp for r in out),
        "capital": sum(r.capital for r in out),
    }
    return out, totals
