"""Builders shared by the catalog tests (a small, varied shop)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from factories import make_category, make_facility, make_product

from shop.extensions import db
from shop.media.models import ProductPhoto


def add_photo(product, position: int = 0, alt: str = "") -> ProductPhoto:
    photo = ProductPhoto(
        product_id=product.id,
        position=position,
        alt_text=alt,
        content_hash=f"{product.id:04d}{position:02d}" + "a" * 58,
        width=1600,
        height=1200,
        widths=[400, 800, 1600],
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def small_shop() -> dict:
    """Two facilities in two provinces, three categories, six products of every kind."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    bwi = make_facility(
        slug="lapas-banyuwangi",
        name="Lapas Kelas IIA Banyuwangi",
        province="Jawa Timur",
        city="Banyuwangi",
        whatsapp="0812-3456-7890",
        story="Bengkel batik tulis sejak 2015.",
    )
    dps = make_facility(
        slug="lapas-kerobokan",
        name="Lapas Kelas IIA Kerobokan",
        province="Bali",
        city="Denpasar",
        premi_pct=40,
        pnbp_pct=20,
        capital_pct=40,
    )
    batik = make_category(slug="batik-tulis", name_id="Batik Tulis", name_en="Hand-drawn Batik")
    rotan = make_category(slug="anyaman-rotan", name_id="Anyaman Rotan", name_en="Rattan Weaving")
    tenun = make_category(slug="tenun", name_id="Tenun", name_en="Woven Cloth")
    products = {
        "batik": make_product(
            bwi,
            batik,
            slug="kain-batik-tulis-kawung",
            name="Kain Batik Tulis Kawung",
            technique="batik tulis",
            materials="katun primisima, malam, pewarna alam",
            price=450_000,
            material_cost=150_000,
            created_at=start,
        ),
        "batik2": make_product(
            bwi,
            batik,
            slug="selendang-batik-parang",
            name="Selendang Batik Parang",
            technique="batik cap",
            price=175_000,
            on_hand=1,
            created_at=start + timedelta(days=1),
        ),
        "tas": make_product(
            dps,
            rotan,
            slug="tas-rotan-bundar",
            name="Tas Rotan Bundar",
            materials="rotan",
            price=250_000,
            on_hand=0,
            created_at=start + timedelta(days=2),
        ),
        "tenun": make_product(
            dps,
            tenun,
            slug="kain-tenun-ikat",
            name="Kain Tenun Ikat",
            description="Kain tenun ikat dengan motif tradisional Bali.",
            price=900_000,
            created_at=start + timedelta(days=3),
        ),
        "draft": make_product(bwi, batik, slug="batik-draf", name="Batik Draf", status="draft"),
        "archived": make_product(
            bwi, batik, slug="batik-lama", name="Batik Lama", status="archived"
        ),
    }
    add_photo(products["batik"], 0, alt="Kain batik kawung coklat terlipat")
    add_photo(products["batik"], 1)
    db.session.commit()
    return {"facilities": (bwi, dps), "categories": (batik, rotan, tenun), **products}
