"""Paged dashboard lists: one count, one page of rows."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, select

from shop.extensions import db


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)


def paginate(stmt: Select, page: int, per_page: int, *, rows: bool = False) -> Page:
    """One page of ``stmt`` (already ordered); a page past the end answers the last one.

    ``rows=True`` keeps result rows (several columns); otherwise the items are the
    statement's entities.
    """
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    total = total or 0
    page = max(min(page, max(ceil(total / per_page), 1)), 1)
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = result.all() if rows else list(result.scalars().unique())
    return Page(items, total, page, per_page)
