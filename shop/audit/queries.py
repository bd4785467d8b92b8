"""Reading the audit log: filters for the administrators' audit page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, select

from shop.audit.models import AuditEntry
from shop.core.paging import Page, paginate
from shop.core.timezone import day_start
from shop.extensions import db

PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilter:
    person: str = ""  # part of the actor's e-mail or label
    facility_id: int | None = None
    object_type: str = ""
    object_id: int | None = None
    action: str = ""  # exact ("product.hide") or a prefix ending in "." ("product.")
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict:
        args = {
            "person": self.person or None,
            "facility": self.facility_id,
            "type": self.object_type or None,
            "id": self.object_id,
            "action": self.action or None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in args.items() if v is not None}


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _stmt(f: AuditFilter) -> Select:
    stmt = select(AuditEntry)
    if f.person.strip():
        pattern = f"%{_escaped(f.person.strip().lower())}%"
        stmt = stmt.where(func.lower(AuditEntry.actor).like(pattern, escape="\\"))
    if f.facility_id is not None:
        stmt = stmt.where(AuditEntry.facility_id == f.facility_id)
    if f.object_type:
        stmt = stmt.where(AuditEntry.object_type == f.object_type)
    if f.object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == f.object_id)
    if f.action.endswith("."):
        stmt = stmt.where(AuditEntry.action.like(f"{_escaped(f.action)}%", escape="\\"))
    elif f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.date_from:
        stmt = stmt.where(AuditEntry.created_at >= day_start(f.date_from))
    if f.date_to:
        stmt = stmt.where(AuditEntry.created_at < day_start(f.date_to + timedelta(days=1)))
    return stmt


def search(f: AuditFilter, page: int = 1) -> Page:
    """Matching audit rows, newest first."""
    stmt = _stmt(f).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    return paginate(stmt, page, PER_PAGE)


def object_types() -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
        )
    )


def actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )


def changed_fields(before: dict | None, after: dict | None) -> list[tuple[str, object, object]]:
    """``(field, before, after)`` for every field either side names, in a stable order."""
    before, after = before or {}, after or {}
    names = list(dict.fromkeys([*before, *after]))
    return [(name, before.get(name), after.get(name)) for name in names]
