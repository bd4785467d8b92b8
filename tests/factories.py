"""Small builders for test data; each flushes and returns the new row."""

from __future__ import annotations

import itertools

from shop.catalog.indexing import search_text_for
from shop.catalog.models import Category, Product
from shop.extensions import db
from shop.facilities.models import Facility

_seq = itertools.count(1)


def make_facility(**overrides) -> Facility:
    n = next(_seq)
    values = {
        "slug": f"lapas-uji-{n}",
        "name": f"Lapas Kelas IIA Uji {n}",
        "kind": "Lapas",
        "province": "Jawa Timur",
        "city": "Banyuwangi",
        "story": "Bengkel batik dan tenun.",
    }
    values.update(overrides)
    facility = Facility(**values)
    db.session.add(facility)
    db.session.flush()
    return facility


def make_category(**overrides) -> Category:
    n = next(_seq)
    values = {"slug": f"kategori-{n}", "name_id": f"Kategori {n}", "name_en": f"Category {n}"}
    values.update(overrides)
    category = Category(**values)
    db.session.add(category)
    db.session.flush()
    return category


def make_product(facility: Facility | None = None, category: Category | None = None, **overrides):
    n = next(_seq)
    facility = facility or make_facility()
    category = category or make_category()
    values = {
        "facility_id": facility.id,
        "province": facility.province,
        "category_id": category.id,
        "slug": f"produk-uji-{n}",
        "sku": f"SKU-{n}",
        "name": f"Produk Uji {n}",
        "description": "Dibuat di bengkel kerja.",
        "price": 150_000,
        "material_cost": 50_000,
        "weight_grams": 500,
        "status": "active",
        "on_hand": 5,
    }
    values.update(overrides)
    values.setdefault(
        "search_text",
        search_text_for(
            name=values["name"],
            description=values["description"],
            technique=values.get("technique", ""),
            materials=values.get("materials", ""),
            facility_name=facility.name,
            facility_city=facility.city,
            category_names=(category.name_id, category.name_en),
        ),
    )
    product = Product(**values)
    db.session.add(product)
    db.session.flush()
    return product


def make_dashboard_refund_row(tag: str):
    """A refund made in Stripe's dashboard, as the Stripe sync stores it (flushed)."""
    from shop.payments.stripe.balance_models import StripeBalanceTransaction
    from shop.sqltypes import utcnow

    row = StripeBalanceTransaction(
        txn_id=f"txn_{tag}",
        type="refund",
        amount=-10_000,
        net=-10_000,
        currency="idr",
        source_id=f"re_{tag}",
        created=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row
