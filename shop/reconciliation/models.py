"""Imported bank statements, their lines, and what each credit line paid."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

LINE_STATUSES = ("unmatched", "matched", "not_ours", "debit", "written_off")
MATCH_KINDS = ("auto", "hand", "split")


class StatementImport(db.Model):
    """One uploaded file; its counts are what the import found (lines are shared between
    overlapping imports: a line belongs to the import that first brought it)."""

    __tablename__ = "statement_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    bank: Mapped[str] = mapped_column(String(10))
    account_no: Mapped[str] = mapped_column(String(40), default="")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)  # lines read from the file
    lines_new: Mapped[int] = mapped_column(Integer, default=0)
    lines_known: Mapped[int] = mapped_column(Integer, default=0)  # already imported before
    problems: Mapped[list | None] = mapped_column(JSON)  # [{"line": n, "reason": …, "kind": …}]
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class StatementLine(db.Model):
    """One booked movement on the shop's bank account."""

    __tablename__ = "statement_line"
    __table_args__ = (
        CheckConstraint(f"status IN {LINE_STATUSES!r}", name="status_known"),
        CheckConstraint("direction IN ('C', 'D')", name="direction_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("occurrence >= 1", name="occurrence_positive"),
        Index("ix_statement_line_import_status", "import_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("statement_import.id"))
    # sha256 of account, date, amount, direction, description, balance or reference and
    # occurrence: the same line in a second file (or an overlapping period) is not new.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    occurrence: Mapped[int] = mapped_column(Integer, default=1)
    source_line: Mapped[int] = mapped_column(Integer)
    bank: Mapped[str] = mapped_column(String(10))
    account_no: Mapped[str] = mapped_column(String(40), default="")
    booked_on: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    reference: Mapped[str] = mapped_column(String(120), default="")
    direction: Mapped[str] = mapped_column(String(1))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), default="unmatched")
    note: Mapped[str] = mapped_column(String(500), default="")
    handled_by: Mapped[str] = mapped_column(String(254), default="")
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        """What to name the line with in a payment's reference (≤ 255 characters)."""
        return (self.reference or self.description)[:255]


class StatementMatch(db.Model):
    """Part (or all) of a credit line given to one order through the bank-transfer
    confirmation; ``outcome`` is what that confirmation did (paid, underpaid, stock_gone)."""

    __tablename__ = "statement_match"
    __table_args__ = (
        CheckConstraint(f"kind IN {MATCH_KINDS!r}", name="kind_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("statement_line.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(254))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[str] = mapped_column(String(254), default="")


RESOLUTION_KINDS = ("no_money", "write_off", "dispute", "stripe_refund")


class Resolution(db.Model):
    """An exception an administrator resolved, once per ``(kind, subject)``: what it was
    about, what was linked or posted, and their note (the audit log has the rest)."""

    __tablename__ = "recon_resolution"
    __table_args__ = (
        CheckConstraint(f"kind IN {RESOLUTION_KINDS!r}", name="kind_known"),
        UniqueConstraint("kind", "subject", name="uq_recon_resolution_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # What was resolved: "payment:12", "stripe_txn:txn_…"
    subject: Mapped[str] = mapped_column(String(300))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("statement_line.id"))
    stripe_txn_id: Mapped[int | None] = mapped_column(ForeignKey("stripe_balance_transaction.id"))
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    note: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
