"""A maker (first name or pseudonym, consented) and the products they worked on."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, String, Table, true
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

# Which makers made which product: the money core splits a part's premi over these.
product_maker = Table(
    "product_maker",
    db.metadata,
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    Column("maker_id", ForeignKey("maker.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Maker(db.Model):
    """Only what the maker agreed to show: a first name or pseudonym. No other personal
    data is kept; the consent's date and who recorded it are."""

    __tablename__ = "maker"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    consent_on: Mapped[date] = mapped_column(Date)
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    consent_recorded_by: Mapped[str] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Maker {self.id} {self.name!r}>"
