"""Shipping rates per courier and zone, editable by administrators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow


class ShippingRate(db.Model):
    """Fee for the first kilogram and each further (started) kilogram."""

    __tablename__ = "shipping_rate"
    __table_args__ = (
        UniqueConstraint("courier", "zone", name="uq_shipping_rate_courier_zone"),
        CheckConstraint("zone BETWEEN 1 AND 4", name="zone_known"),
        CheckConstraint("first_kg > 0 AND next_kg >= 0", name="fees_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    courier: Mapped[str] = mapped_column(String(10))
    zone: Mapped[int] = mapped_column(Integer)
    first_kg: Mapped[int] = mapped_column(Integer)
    next_kg: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(80), default="seed")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
