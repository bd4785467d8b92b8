"""The lists the reconciliation pages show."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from shop.dashboard.paging import Page, paginate
from shop.extensions import db
from shop.orders.models import Order
from shop.reconciliation.models import StatementImport, StatementLine, StatementMatch

PER_PAGE = 50
LINE_FILTERS = ("unmatched", "matched", "not_ours", "debit")


@dataclass(frozen=True)
class ImportCounts:
    lines: int = 0
    credits: int = 0
    matched: int = 0
    left: int = 0


def import_counts(import_ids: list[int]) -> dict[int, ImportCounts]:
    """Per import: its lines, credits, matched credits and credits left for a person."""
    if not import_ids:
        return {}
    rows = db.session.execute(
        select(
            StatementLine.import_id,
            func.count(),
            func.sum(case((StatementLine.direction == "C", 1), else_=0)),
            func.sum(case((StatementLine.status == "matched", 1), else_=0)),
            func.sum(case((StatementLine.status == "unmatched", 1), else_=0)),
        )
        .where(StatementLine.import_id.in_(import_ids))
        .group_by(StatementLine.import_id)
    ).all()
    return {
        row[0]: ImportCounts(int(row[1]), int(row[2] or 0), int(row[3] or 0), int(row[4] or 0))
        for row in rows
    }


def imports_page(page: int) -> Page:
    stmt = select(StatementImport).order_by(
        StatementImport.created_at.desc(), StatementImport.id.desc()
    )
    return paginate(stmt, page, PER_PAGE)


def lines_page(import_id: int, status: str, page: int) -> Page:
    stmt = select(StatementLine).where(StatementLine.import_id == import_id)
    if status in LINE_FILTERS:
        stmt = stmt.where(StatementLine.status == status)
    return paginate(stmt.order_by(StatementLine.booked_on, StatementLine.id), page, PER_PAGE)


def match_rows(line_id: int) -> list[tuple[StatementMatch, str]]:
    """Every match of the line (undone ones too) with its order's number."""
    return list(
        db.session.execute(
            select(StatementMatch, Order.number)
            .join(Order, Order.id == StatementMatch.order_id)
            .where(StatementMatch.line_id == line_id)
            .order_by(StatementMatch.id)
        ).all()
    )
