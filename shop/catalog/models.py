from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db
from shop.sqltypes import UTCDateTime, utcnow

PRODUCT_STATUSES = ("draft", "active", "archived")
FACET_COLUMNS_INDEX = "ix_product_facet_columns"
# The price bands a search's price facet counts and links to: [from, to) in rupiah,
# None = open. Changing them needs a migration: ``Product.price_band`` stores the band.
PRICE_BANDS: tuple[tuple[int | None, int | None], ...] = (
    (None, 100_000),
    (100_000, 250_000),
    (250_000, 500_000),
    (500_000, None),
)


def _price_band_sql() -> str:
    """The index of a price's band in PRICE_BANDS, as SQL over ``price``."""
    whens = " ".join(
        f"WHEN price < {high} THEN {i}" for i, (_, high) in enumerate(PRICE_BANDS) if high
    )
    return f"CASE {whens} ELSE {len(PRICE_BANDS) - 1} END"


class Category(db.Model):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_id: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id

    def description(self, locale: str) -> str:
        return self.description_en if locale == "en" else self.description_id


class Product(db.Model):
    """One listed item. Stock lives on the row: ``on_hand`` and ``allocated``."""

    __tablename__ = "product"
    __table_args__ = (
        UniqueConstraint("facility_id", "sku", name="uq_product_facility_sku"),
        CheckConstraint(f"status IN {PRODUCT_STATUSES!r}", name="status_known"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("material_cost >= 0", name="material_cost_nonnegative"),
        CheckConstraint("weight_grams > 0", name="weight_positive"),
        CheckConstraint("on_hand >= 0", name="on_hand_nonnegative"),
        CheckConstraint("allocated >= 0 AND allocated <= on_hand", name="allocated_within_on_hand"),
        CheckConstraint("low_stock_threshold >= 0", name="low_stock_nonnegative"),
        # One index per listing filter and sort: equality filters, the sort, the id (its
        # tie-break), then every other column the listing tests, so a deep page's skipped
        # rows are read from the index alone (migration 0022; 0007 before).
        Index(
            "ix_product_status_created",
            "status",
            "created_at",
            "id",
            "hidden_at",
            "facility_id",
            "price",
        ),
        Index("ix_product_status_price", "status", "price", "id", "hidden_at", "facility_id"),
        # A price band, newest first: an equality on the band reads the band's products in
        # order instead of skipping every product outside it (migration 0025).
        Index(
            "ix_product_band_created",
            "status",
            "price_band",
            "created_at",
            "id",
            "hidden_at",
            "price",
        ),
        Index(
            "ix_product_category_created",
            "status",
            "category_id",
            "created_at",
            "id",
            "hidden_at",
            "price",
        ),
        Index("ix_product_category_price", "status", "category_id", "price", "id", "hidden_at"),
        Index(
            "ix_product_facility_created", "status", "facility_id", "created_at", "id", "hidden_at"
        ),
        Index("ix_product_facility_price", "status", "facility_id", "price", "id", "hidden_at"),
        # A province spans several facilities: its pages in order need the province on
        # the product (migration 0023).
        Index("ix_product_province_created", "status", "province", "created_at", "id", "hidden_at"),
        Index("ix_product_province_price", "status", "province", "price", "id", "hidden_at"),
        # A search's facets on SQLite: the category, facility and price of a thousand
        # matches by id, without reading their wide rows (migration 0026).
        Index(FACET_COLUMNS_INDEX, "id", "category_id", "facility_id", "price", "price_band"),
        # Facet counts read from the index alone (migration 0006).
        Index("ix_product_status_category", "status", "category_id"),
        Index("ix_product_status_facility", "status", "facility_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    # The facility's province, copied for the province listing's index: set when the
    # product is created, rewritten when its facility's province changes (migration 0023).
    province: Mapped[str] = mapped_column(String(80), server_default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    technique: Mapped[str] = mapped_column(String(200), default="")
    materials: Mapped[str] = mapped_column(String(300), default="")
    dimensions: Mapped[str] = mapped_column(String(120), default="")
    price: Mapped[int] = mapped_column(Integer)
    # Computed by the database from the price, so no write can leave it behind (stored;
    # on SQLite, migration 0025 adds it virtual, its index holding the values).
    price_band: Mapped[int] = mapped_column(
        SmallInteger, Computed(_price_band_sql(), persisted=True)
    )
    material_cost: Mapped[int] = mapped_column(Integer, default=0)
    weight_grams: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    one_of_a_kind: Mapped[bool] = mapped_column(Boolean, default=False)
    maker_name: Mapped[str] = mapped_column(String(80), default="")
    maker_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=1)
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Hidden by an administrator (moderation): out of the public catalog and unbuyable
    # whatever its status; the reason is shown to the facility (migration 0011).
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    facility = relationship("Facility", back_populates="products", lazy="raise_on_sql")
    category = relationship("Category", lazy="raise_on_sql")
    photos = relationship(
        "ProductPhoto",
        back_populates="product",
        order_by="ProductPhoto.position",
        lazy="raise_on_sql",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def for_sale(self) -> bool:
        """Published by its facility and not hidden by an administrator."""
        return self.status == "active" and self.hidden_at is None

    @property
    def available(self) -> int:
        return max(self.on_hand - self.allocated, 0)

    @property
    def public_maker(self) -> str:
        """The maker's first name or pseudonym, only when they consented to be named."""
        return self.maker_name if self.maker_consent and self.maker_name else ""

    @property
    def main_photo(self):
        return self.photos[0] if self.photos else None

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


class SearchTerm(db.Model):
    """One word of the catalog's text: what a misspelt search word is corrected to
    (shop/catalog/indexing.py keeps it, shop/catalog/search.py reads it)."""

    __tablename__ = "search_term"

    term: Mapped[str] = mapped_column(String(40), primary_key=True)
    # Candidates for a correction are read by length (±2) on SQLite.
    length: Mapped[int] = mapped_column(Integer, index=True)


class CatalogVersion(db.Model):
    """One row: a number raised by every change a public page shows (shop/catalog/
    freshness.py), so that each process knows when its kept pages are out of date."""

    __tablename__ = "catalog_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
