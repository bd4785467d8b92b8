"""Accounts, journal entries and postings.

A posting's ``amount`` is signed: debits are positive, credits negative, so an entry
balances when its postings sum to zero and the trial balance is the sum of all postings.
Rows are only ever inserted; a mistake is corrected by a reversing entry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

ACCOUNT_KINDS = ("asset", "liability", "income", "expense", "equity")


class Account(db.Model):
    __tablename__ = "ledger_account"
    __table_args__ = (
        CheckConstraint(f"kind IN {ACCOUNT_KINDS!r}", name="kind_known"),
        UniqueConstraint("code", "facility_id", name="uq_ledger_account_code_facility"),
        # NULLs are distinct in a unique constraint: one marketplace account per code.
        Index(
            "uq_ledger_account_code_shared",
            "code",
            unique=True,
            sqlite_where=text("facility_id IS NULL"),
            postgresql_where=text("facility_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id"), index=True)


class JournalEntry(db.Model):
    """One money event, unique on its source: posting the same source twice is a no-op."""

    __tablename__ = "journal_entry"
    __table_args__ = (
        UniqueConstraint("source_type", "source_id", "kind", name="uq_journal_entry_source"),
        Index("ix_journal_entry_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(120))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("shop_order.id"))
    memo: Mapped[str] = mapped_column(String(300), default="")
    actor: Mapped[str] = mapped_column(String(80), default="system")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    postings = relationship("Posting", order_by="Posting.id", lazy="raise_on_sql")


class Posting(db.Model):
    __tablename__ = "posting"
    __table_args__ = (CheckConstraint("amount <> 0", name="amount_nonzero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)  # debit > 0, credit < 0
    # The order part a facility's share belongs to (per-part balances, refunds).
    facility_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("facility_order.id"), index=True
    )
