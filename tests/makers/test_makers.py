"""Makers: recorded with consent by their facility's staff, linked to its products."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_facility, make_product
from sqlalchemy import select
from staff_helpers import csrf_token, make_user, sign_in

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.makers import services
from shop.makers.models import Maker


def _audit(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_record_edit_retire_and_link_each_write_one_audit_row(app):
    facility = make_facility()
    staff = make_user(facility)
    sarung, kursi = make_product(facility), make_product(facility)
    maker = services.create_maker(staff, facility.id, "  Bu   Wati ", date(2026, 11, 30))
    assert maker.name == "Bu Wati" and maker.consent_recorded_by == staff.email
    (entry,) = _audit("maker.create")
    assert entry.before == {} and entry.after == {
        "name": "Bu Wati",
        "consent_on": "2026-11-30",
        "active": True,
    }
    assert entry.facility_id == facility.id and entry.user_id == staff.id

    services.update_maker(staff, maker, "Wati", date(2026, 11, 30))
    (entry,) = _audit("maker.update")
    assert (entry.before, entry.after) == ({"name": "Bu Wati"}, {"name": "Wati"})

    assert services.set_products(staff, maker, [sarung.id, kursi.id]) == sorted(
        [sarung.id, kursi.id]
    )
    assert services.set_products(staff, maker, [kursi.id]) == [kursi.id]
    entries = _audit("maker.products")
    assert len(entries) == 2
    assert entries[1].before == {"products": sorted([sarung.id, kursi.id])}
    assert entries[1].after == {"products": [kursi.id]}
    assert [m.id for m in services.makers_of_product(kursi.id)] == [maker.id]
    assert services.makers_of_product(sarung.id) == []

    services.set_active(staff, maker, False)
    (entry,) = _audit("maker.retire")
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})
    assert [m.id for m in services.makers_of_product(kursi.id)] == [maker.id]  # still linked
    with pytest.raises(services.MakerError):
        services.set_active(staff, maker, False)


def test_no_name_no_consent_day_or_a_future_consent_is_refused(app):
    facility = make_facility()
    staff = make_user(facility)
    with pytest.raises(services.MakerError):
        services.create_maker(staff, facility.id, "   ", date(2026, 1, 1))
    with pytest.raises(services.MakerError):
        services.create_maker(staff, facility.id, "Wati", None)
    with pytest.raises(services.MakerError):
        services.create_maker(staff, facility.id, "Wati", date(2027, 1, 2), today=date(2027, 1, 1))
    assert _audit("maker.create") == []


def test_another_facilitys_product_cannot_be_linked(app):
    home, other = make_facility(), make_facility()
    staff = make_user(home)
    theirs = make_product(other)
    maker = services.create_maker(staff, home.id, "Wati", date(2026, 1, 1))
    with pytest.raises(services.MakerError):
        services.set_products(staff, maker, [theirs.id])
    assert services.product_ids(maker.id) == []


def test_staff_record_a_maker_and_link_a_product_over_http(app):
    facility = make_facility()
    staff = make_user(facility)
    product = make_product(facility, name="Tas Anyaman Pandan")
    db.session.commit()
    client = app.test_client()
    sign_in(client, staff.email)
    page = client.get("/dasbor/pembuat/baru")
    assert page.status_code == 200
    # Without consent: refused, in Indonesian, with the input kept.
    response = client.post(
        "/dasbor/pembuat/baru",
        data={
            "csrf_token": csrf_token(client, "/dasbor/pembuat/baru"),
            "name": "Yanti",
            "consent_on": "2026-11-29",
        },
    )
    html = response.get_data(as_text=True)
    assert "Pembuat hanya disebut namanya dengan persetujuannya." in html
    assert 'value="Yanti"' in html
    response = client.post(
        "/dasbor/pembuat/baru",
        data={
            "csrf_token": csrf_token(client, "/dasbor/pembuat/baru"),
            "name": "Yanti",
            "consent": "y",
            "consent_on": "2026-11-29",
        },
    )
    assert response.status_code == 303
    maker = db.session.scalar(select(Maker).where(Maker.name == "Yanti"))
    path = f"/dasbor/pembuat/{maker.id}"
    assert "Tas Anyaman Pandan" in client.get(path).get_data(as_text=True)
    response = client.post(
        f"{path}/produk", data={"csrf_token": csrf_token(client, path), "products": [product.id]}
    )
    assert response.status_code == 303
    assert services.product_ids(maker.id) == [product.id]
    assert "Yanti" in client.get("/dasbor/pembuat").get_data(as_text=True)

    # Another facility's staff: 404 on every maker route.
    outsider = app.test_client()
    sign_in(outsider, make_user(make_facility()).email)
    db.session.commit()
    assert outsider.get(path).status_code == 404
    token = csrf_token(outsider)
    assert outsider.post(f"{path}/pensiun", data={"csrf_token": token}).status_code == 404
    assert "Yanti" not in outsider.get("/dasbor/pembuat").get_data(as_text=True)
    assert client.get("/dasbor/pembuat/99999999999999999999").status_code == 404
