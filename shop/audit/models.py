"""One row per change someone made: who, when, what, before → after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id"),
        Index("ix_audit_entry_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The person (NULL for the system: cron, webhooks), and a label kept if they go.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor: Mapped[str] = mapped_column(String(254))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    note: Mapped[str] = mapped_column(String(500), default="")
    # The shop's own note (shop.system_text), shown in the reader's language.
    note_msg: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
