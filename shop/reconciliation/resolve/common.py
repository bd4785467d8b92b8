"""What every resolution does: refuse a second one, keep the note, audit it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.audit.services import record
from shop.extensions import db
from shop.reconciliation.models import Resolution
from shop.reconciliation.services.matching import LineError, actor_label


def resolved(kind: str, subject: str) -> bool:
    found = select(Resolution.id).where(Resolution.kind == kind, Resolution.subject == subject)
    return db.session.scalar(found) is not None


def resolve(
    kind: str,
    subject: str,
    actor: Any,
    note: str,
    now: datetime,
    *,
    amount: int = 0,
    **links: int | None,
) -> Resolution:
    """Record the resolution of ``subject`` (once: a second one raises :class:`LineError`)
    and its audit row."""
    if resolved(kind, subject):
        raise LineError(_l("This has already been resolved: nothing was changed."))
    row = Resolution(
        kind=kind,
        subject=subject[:300],
        amount=amount,
        note=note.strip()[:500],
        actor=actor_label(actor),
        created_at=now,
        **links,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise LineError(_l("This has already been resolved: nothing was changed.")) from None
    record(
        actor,
        f"reconciliation.{kind}",
        "recon_resolution",
        row.id,
        after={"subject": subject, "amount": amount, **{k: v for k, v in links.items() if v}},
        note=note.strip(),
        now=now,
    )
    return row


def person(actor: Any) -> str:
    """The actor as payment rows name a person (``admin:<id>``)."""
    user_id = getattr(actor, "id", None)
    return f"admin:{user_id}" if user_id is not None else str(actor)[:80]
