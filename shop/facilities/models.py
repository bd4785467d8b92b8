from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
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
    # The base split: what applies on days before the facility's first dated split
    # (``FacilitySplit``). Read the split through ``shop.facilities.services.split_at``
    # (or ``split_now``), never from these columns directly.
    premi_pct: Mapped[int] = mapped_column(Integer, default=50)
    pnbp_pct: Mapped[int] = mapped_column(Integer, default=15)
    capital_pct: Mapped[int] = mapped_column(Integer, default=35)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An inactive facility's products leave the public shop (its orders stay).
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Where settlements are paid.
    bank_name: Mapped[str] = mapped_column(String(80), default="", server_default="")
    bank_account_number: Mapped[str] = mapped_column(String(40), default="", server_default="")
    bank_account_holder: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # The photo of the public facility page (variants named by content hash, as products').
    photo_hash: Mapped[str | None] = mapped_column(String(64))
    photo_width: Mapped[int | None] = mapped_column(Integer)
    photo_height: Mapped[int | None] = mapped_column(Integer)
    photo_widths: Mapped[list[int] | None] = mapped_column(JSON)

    products = relationship("Product", back_populates="facility", lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"<Facility {self.slug}>"


class FacilityPhoto:
    """The facility's photo in the shape the ``picture`` macros read (as ProductPhoto)."""

    def __init__(self, facility: Facility) -> None:
        self.content_hash = facility.photo_hash
        self.width = facility.photo_width
        self.height = facility.photo_height
        self.widths = facility.photo_widths or []
        self.alt_text = facility.name

    def variant_name(self, width: int, fmt: str) -> str:
        return f"{self.content_hash}-{width}.{'jpg' if fmt == 'jpeg' else fmt}"

    def height_for(self, width: int) -> int:
        return round(self.height * width / self.width)


def facility_photo(facility: Facility) -> FacilityPhoto | None:
    return FacilityPhoto(facility) if facility.photo_hash and facility.photo_widths else None


class FacilitySplit(db.Model):
    """A facility's revenue split from ``valid_from`` (a Jakarta date) until the next row."""

    __tablename__ = "facility_split"
    __table_args__ = (
        UniqueConstraint("facility_id", "valid_from"),
        CheckConstraint(
            "premi_pct >= 0 AND pnbp_pct >= 0 AND capital_pct >= 0 "
            "AND premi_pct + pnbp_pct + capital_pct = 100",
            name="split_is_whole",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    premi_pct: Mapped[int] = mapped_column(Integer)
    pnbp_pct: Mapped[int] = mapped_column(Integer)
    capital_pct: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_by: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FacilityPausedProduct(db.Model):
    """A product taken out of the shop because its facility was deactivated; reactivating
    the facility publishes exactly these again."""

    __tablename__ = "facility_paused_product"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True
    )
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
