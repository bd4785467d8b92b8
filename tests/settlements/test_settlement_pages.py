"""Settlement pages: administrators build, approve and pay; staff read their own."""

from __future__ import annotations

import csv
import io

import pytest
from money_data import NOV_10, OCT_10, part_of, refund_part, sell
from order_helpers import shop_with_products
from sqlalchemy import select
from staff_helpers import csrf_token, make_user, sign_in

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.ledger.check import problems
from shop.settlements.models import Settlement


@pytest.fixture
def sold(app):
    a1, b1 = shop_with_products(on_hand=(9, 9), facilities=2)
    order = sell({a1.id: 2, b1.id: 1}, NOV_10)
    return {"home": a1.facility_id, "other": b1.facility_id, "order": order}


def _form(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/penyelesaian"), **data})


def test_admin_builds_approves_pays_and_downloads(admin, sold):
    page = admin.get("/admin/penyelesaian").get_data(as_text=True)
    assert "Buat draf penyelesaian" in page

    response = _form(
        admin, "/admin/penyelesaian", {"facility_id": sold["home"], "month": "2026-11"}
    )
    assert response.status_code == 303
    s = db.session.scalar(select(Settlement))
    assert response.location.endswith(f"/admin/penyelesaian/{s.id}")
    page = admin.get(f"/admin/penyelesaian/{s.id}").get_data(as_text=True)
    part = part_of(sold["order"], sold["home"])
    assert sold["order"].number in page
    assert "Draf" in page and "Premi pembuat" in page
    assert "Rp 300.000" in page  # two pieces of Rp 150.000

    assert _form(admin, f"/admin/penyelesaian/{s.id}/setujui", {}).status_code == 303
    page = admin.get(f"/admin/penyelesaian/{s.id}").get_data(as_text=True)
    assert "Disetujui" in page
    # an approved settlement cannot be deleted: refused in Indonesian, nothing changes
    response = _form(admin, f"/admin/penyelesaian/{s.id}/hapus", {})
    assert response.status_code == 400
    assert "Hanya draf" in response.get_data(as_text=True)

    bad = _form(
        admin, f"/admin/penyelesaian/{s.id}/dibayar", {"reference": "", "paid_on": "2026-12-02"}
    )
    assert bad.status_code == 400
    assert 'value="2026-12-02"' in bad.get_data(as_text=True)
    assert "Tulis referensi" in bad.get_data(as_text=True)
    response = _form(
        admin,
        f"/admin/penyelesaian/{s.id}/dibayar",
        {"reference": "TRF-77", "paid_on": "2026-12-01"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Settlement, s.id).state == "paid"
    assert problems() == []

    response = admin.get(f"/admin/penyelesaian/{s.id}.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert ["Premi pembuat", str(s.premi)] in rows
    assert [sold["order"].number, "300000", str(part.shipping_fee)] == rows[-1][:3]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == s.id))
    assert set(actions) >= {"settlement.build", "settlement.approve", "settlement.paid"}


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "Tulis bulan sebagai YYYY-MM"),
        ("２０２６-１１", "Tulis bulan sebagai YYYY-MM"),
        ("<b>x</b>", "Tulis bulan sebagai YYYY-MM"),
        ("2026-10", "Tidak ada yang terutang"),
        ("2099-01", "Bulan itu belum berakhir"),
    ],
)
def test_bad_months_are_refused_with_the_input_kept(admin, sold, month, message):
    response = _form(admin, "/admin/penyelesaian", {"facility_id": sold["home"], "month": month})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert "<b>x</b>" not in body
    assert db.session.scalar(select(Settlement)) is None


def test_staff_see_only_their_own_approved_statements(app, admin, sold):
    _form(admin, "/admin/penyelesaian", {"facility_id": sold["home"], "month": "2026-11"})
    _form(admin, "/admin/penyelesaian", {"facility_id": sold["other"], "month": "2026-11"})
    mine, theirs = db.session.scalars(select(Settlement).order_by(Settlement.id)).all()
    assert mine.facility_id == sold["home"]

    staff = app.test_client()
    user = make_user(db.session.get(type(mine.facility), sold["home"]))
    db.session.commit()
    sign_in(staff, user.email)
    assert staff.get(f"/dasbor/penyelesaian/{mine.id}").status_code == 404  # still a draft
    assert "Belum ada penyelesaian" in staff.get("/dasbor/penyelesaian").get_data(as_text=True)

    for s in (mine, theirs):
        _form(admin, f"/admin/penyelesaian/{s.id}/setujui", {})
    page = staff.get("/dasbor/penyelesaian").get_data(as_text=True)
    assert f"/dasbor/penyelesaian/{mine.id}" in page
    assert f"/dasbor/penyelesaian/{theirs.id}" not in page
    page = staff.get(f"/dasbor/penyelesaian/{mine.id}").get_data(as_text=True)
    assert sold["order"].number in page and "Disetujui" in page
    assert staff.get(f"/dasbor/penyelesaian/{theirs.id}").status_code == 404
    assert staff.get(f"/dasbor/penyelesaian/{theirs.id}.csv").status_code == 404
    assert staff.get(f"/dasbor/penyelesaian/{mine.id}.csv").mimetype == "text/csv"
    assert staff.get("/admin/penyelesaian").status_code == 403
    assert staff.get(f"/admin/penyelesaian/{mine.id}").status_code == 403


def test_public_page_shows_paid_shares_per_facility_and_month_in_both_languages(
    client, admin, sold
):
    assert "Belum ada penyelesaian yang dibayar" in client.get("/ke-mana-uangnya").get_data(
        as_text=True
    )
    for facility in (sold["home"], sold["other"]):
        _form(admin, "/admin/penyelesaian", {"facility_id": facility, "month": "2026-11"})
    paid, unpaid = db.session.scalars(select(Settlement).order_by(Settlement.id)).all()
    _form(admin, f"/admin/penyelesaian/{paid.id}/setujui", {})
    _form(
        admin,
        f"/admin/penyelesaian/{paid.id}/dibayar",
        {"reference": "T1", "paid_on": "2026-12-01"},
    )

    page = client.get("/ke-mana-uangnya").get_data(as_text=True)
    assert "Ke mana uangnya" in page and "Premi untuk pembuat" in page
    table = page[page.index('id="money-went"') :]
    assert paid.facility.name in table and "2026-11" in table
    assert "Rp 100.000" in table  # premi of two pieces: 50% of (2 × 150.000 − 2 × 50.000)
    assert unpaid.facility.name not in table  # not paid yet: not counted
    assert sold["order"].number not in page and "Siti" not in page  # no personal data
    english = client.get("/ke-mana-uangnya", headers={"Accept-Language": "en"})
    assert "Premi for the makers" in english.get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/ke-mana-uangnya"' in home  # linked from the footer


def test_a_month_of_refunds_only_is_not_settled_but_carried_forward(app, admin):
    (product,) = shop_with_products(on_hand=(5,))
    order = sell({product.id: 1}, OCT_10)
    _form(admin, "/admin/penyelesaian", {"facility_id": product.facility_id, "month": "2026-10"})
    refund_part(order, part_of(order, product.facility_id), 40_000, NOV_10)

    response = _form(
        admin, "/admin/penyelesaian", {"facility_id": product.facility_id, "month": "2026-11"}
    )

    assert response.status_code == 400
    assert "dipotong dari penyelesaian berikutnya" in response.get_data(as_text=True)
    months = db.session.scalars(select(Settlement.period_start)).all()
    assert [m.isoformat() for m in months] == ["2026-10-01"]
    assert problems() == []
