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
    assert adjusted.note_msg == {
        "msgid": "%(reason)s: %(note)s",
        "params": {"reason": {"msgid": "New production batch", "params": {}}, "note": "batch Juli"},
    }
    assert adjusted.user_id == staff.id

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


def test_each_fulfilment_step_writes_one_audit_row(app):
    from dash_data import paid_order

    from shop.orders.models import FacilityOrder
    from shop.shipping.services import ensure_default_rates

    ensure_default_rates()
    facility = make_facility()
    product = make_product(facility, make_category(), on_hand=3)
    staff = make_user(facility)
    db.session.commit()
    order = paid_order({product.id: 1})
    part_id = db.session.scalar(select(FacilityOrder.id).where(FacilityOrder.order_id == order.id))
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 303
    base = f"/dasbor/pesanan/{part_id}"
    assert _post(client, f"{base}/dikemas", {}).status_code == 303
    ship = {"courier": "jne", "tracking_number": "JNE0012345678"}
    assert _post(client, f"{base}/kirim", ship).status_code == 303
    rows = [r for r in _audit_rows() if r.object_type == "facility_order"]
    assert [(r.action, r.before, r.after) for r in rows] == [
        ("order_part.pack", {"status": "processing"}, {"status": "packed"}),
        (
            "order_part.ship",
            {"status": "packed"},
            {"status": "shipped", "courier": "jne", "tracking_number": "JNE0012345678"},
        ),
    ]
    assert {(r.actor, r.facility_id, r.object_id) for r in rows} == {
        (staff.email, facility.id, part_id)
    }
    # A refused step (already shipped: cannot pack again) writes nothing.
    _post(client, f"{base}/dikemas", {})
    assert len([r for r in _audit_rows() if r.object_type == "facility_order"]) == 2


def test_photo_changes_write_one_audit_row_each(app):
    from io import BytesIO

    from dash_data import noisy_jpeg

    from shop.media.models import ProductPhoto

    facility = make_facility()
    product = make_product(facility, make_category())
    staff = make_user(facility)
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 303
    token = csrf_token(client, f"/dasbor/produk/{product.id}")

    upload = client.post(
        f"/dasbor/produk/{product.id}/foto",
        data={"csrf_token": token, "photos": [(BytesIO(noisy_jpeg()), "kain.jpg")]},
        content_type="multipart/form-data",
    )
    assert upload.status_code in (302, 303)
    photo_id = db.session.scalar(
        select(ProductPhoto.id).where(ProductPhoto.product_id == product.id)
    )
    client.post(
        f"/dasbor/produk/{product.id}/foto/{photo_id}",
        data={"csrf_token": token, "action": "save", "alt_text": "Kain tenun biru"},
    )
    rows = [r for r in _audit_rows() if r.action.startswith("photo.")]
    assert [r.action for r in rows] == ["photo.add", "photo.saved"]
    assert rows[0].after == {"photos": ["kain.jpg"]}
    assert rows[1].after["alt_text"] == "Kain tenun biru"
    assert {(r.actor, r.facility_id, r.object_id) for r in rows} == {
        (staff.email, facility.id, product.id)
    }
