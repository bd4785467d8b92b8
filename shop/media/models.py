from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow


class ProductPhoto(db.Model):
    """A product photo; files are stored as variants named by the content hash.

    ``widths`` lists the variant widths that exist; each width exists as WebP and JPEG:
    ``{content_hash}-{width}.webp`` / ``.jpg``.
    """

    __tablename__ = "product_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    alt_text: Mapped[str] = mapped_column(String(300), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    widths: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product = relationship("Product", back_populates="photos", lazy="raise_on_sql")

    def variant_name(self, width: int, fmt: str) -> str:
        return f"{self.content_hash}-{width}.{'jpg' if fmt == 'jpeg' else fmt}"

    def height_for(self, width: int) -> int:
        return round(self.height * width / self.width)
