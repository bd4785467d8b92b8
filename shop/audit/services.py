"""Writing the audit log. Services call :func:`record` inside their own transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.sqltypes import utcnow
from shop.system_text import Note, note_columns


def _plain(value: Any) -> Any:
    """JSON-safe copy of a before/after value (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def record(
    actor: Any,
    action: str,
    object_type: str,
    object_id: int | None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    facility_id: int | None = None,
    note: str | Note = "",
    now: datetime | None = None,
) -> AuditEntry:
    """One audit row. ``actor`` is a User (or anything with ``id`` and ``email``) or a
    plain label such as ``"system"``; ``before``/``after`` hold only what changed."""
    user_id = getattr(actor, "id", None)
    label = getattr(actor, "email", None) or str(actor)
    text, note_msg = note_columns(note, limit=500)
    entry = AuditEntry(
        created_at=now or utcnow(),
        user_id=user_id,
        actor=label[:254],
        facility_id=facility_id,
        action=action[:80],
        object_type=object_type[:40],
        object_id=object_id,
        before=_plain(before),
        after=_plain(after),
        note=text,
        note_msg=note_msg,
    )
    db.session.add(entry)
    return entry


def changes(obj: Any, fields: list[str], new: dict) -> tuple[dict, dict]:
    """``(before, after)`` of the ``fields`` whose value in ``new`` differs from ``obj``'s."""
    before, after = {}, {}
    for name in fields:
        if name in new and getattr(obj, name) != new[name]:
            before[name], after[name] = getattr(obj, name), new[name]
    return before, after
