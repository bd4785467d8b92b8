"""Every staff change of a product or its stock writes exactly one audit row: who (the
user), which facility, before and after."""

from __future__ import annotations

from factories import make_category, make_facility, make_product
from sqlalchemy import select
from staff_helpers import csrf_token, make_user, sign_in

from shop.audit.models import AuditEntry
from shop.catalog.models import Product
from shop.extensions import db
from shop.facilities.models import Facility


def _audit_rows() -> list[AuditEntry]:
    db.session.commit()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/dasbor/produk"), **data})


def test_each_staff_product_and_stock_change_writes_one_audit_row(app):
    facility = make_facility()
    category = make_category()
    staff = make_user(facility)
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 303
    form = {
        "name": "Tas Rotan Bundar",
        "category_id": str(category.id),
        "description": "Anyaman rotan.",
        "price": "150000",
        "material_cost": "50000",
        "weight_grams": "400",
        "sku": "tr-1",
    }
    assert _post(client, "/dasbor/produk/baru", form).status_code == 303
    product = db.session.scalar(select(Product).where(Product.facility_id == facility.id))
    (created,) = _audit_rows()
    assert (created.action, created.object_type, created.object_id) == (
        "product.create",
        "product",
        product.id,
    )
    assert (created.user_id, created.actor, created.facility_id) == (
        staff.id,
        staff.email,
        facility.id,
    )
    assert created.after["name"] == "Tas Rotan Bundar" and created.after["status"] == "draft"

    url = f"/dasbor/produk/{product.id}"
    edit = {**form, "price": "175000", "version": str(product.version)}
    assert _post(client, url, edit).status_code == 303
    updated = _audit_rows()[-1]
    assert updated.action == "product.update"
    assert (updated.before, updated.after) == ({"price": 150_000}, {"price": 175_000})

    db.session.refresh(product)
    status = {"target": "archived", "version": str(product.version)}
    assert _post(client, f"{url}/status", status).status_code == 303
    published = _audit_rows()[-1]
    assert (published.action, published.before, published.after) == (
        "product.status",
        {"status": "draft"},
        {"status": "archived"},
    )

    stock = {"reason": "production", "change": "7", "note": "batch Juli"}
    assert _post(client, f"/dasbor/stok/{product.id}", stock).status_code == 303
    adjusted = _audit_rows()[-1]
    assert (adjusted.action, adjusted.before, adjusted.after) == (
        "stock.adjust",
        {"on_hand": 0},
        {"on_hand": 7},
    )
    assert adjusted.note == "production: batch Juli" and adjusted.user_id == staff.id

    threshold = {"threshold": "3"}
    assert _post(client, f"/dasbor/stok/{product.id}/batas", threshold).status_code == 303
    rows = _audit_rows()
    assert (rows[-1].action, rows[-1].before, rows[-1].after) == (
        "stock.threshold",
        {"low_stock_threshold": 1},
        {"low_stock_threshold": 3},
    )
    assert len(rows) == 5
    assert {row.facility_id for row in rows} == {facility.id}


def test_refused_changes_write_no_audit_row(app):
    product = make_product(on_hand=2)
    staff = make_user(db.session.get(Facility, product.facility_id))
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 303
    stock = {"reason": "damaged", "change": "-5", "note": ""}
    response = _post(client, f"/dasbor/stok/{product.id}", stock)
    assert response.status_code == 200
    assert _audit_rows() == []
