from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

FACILITY_KINDS = ("Lapas", "Rutan", "LPKA", "LPP")


class Facility(db.Model):
    """A correctional facility that runs workshops and sells what they make."""

    __tablename__ = "facility"
    __table_args__ = (
        CheckConstraint(f"kind IN {FACILITY_KINDS!r}", name="kind_known"),
        CheckConstraint(
            "premi_pct >= 0 AND pnbp_pct >= 0 AND capital_pct >= 0 "
            "AND premi_pct + pnbp_pct + capital_pct = 100",
            name="split_is_whole",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    province: Mapped[str] = mapped_column(String(80), index=True)
    city: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(Text, default="")
    story: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    whatsapp: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    premi_pct: Mapped[int] = mapped_column(Integer, default=50)
    pnbp_pct: Mapped[int] = mapped_column(Integer, default=15)
    capital_pct: Mapped[int] = mapped_column(Integer, default=35)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    products = relationship("Product", back_populates="facility", lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"<Facility {self.slug}>"
