"""Moved to :mod:`shop.core.paging` (domains page lists too); kept for older imports."""

from shop.core.paging import Page, paginate

__all__ = ["Page", "paginate"]
