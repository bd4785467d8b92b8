"""The administrators' facility screens over HTTP: forms, errors, audit rows."""

from __future__ import annotations

import io

from factories import make_facility, make_product
from PIL import Image
from sqlalchemy import select
from staff_helpers import csrf_token

from shop.audit.models import AuditEntry
from shop.catalog.models import Product
from shop.extensions import db
from shop.facilities.models import Facility, FacilitySplit

NEW = {
    "name": "Lapas Kelas IIB Sumbawa Besar",
    "kind": "Lapas",
    "province": "Nusa Tenggara Barat",
    "city": "Sumbawa Besar",
    "address": "Jl. Garuda No. 1",
    "phone": "0371-21234",
    "whatsapp": "0812-3456-7890",
    "email": "bengkel@lapas-sumbawa.test",
    "story": "Tenun kre alang dari bengkel kerja.",
    "bank_name": "BRI",
    "bank_account_number": "0123-01-000123-30-1",
    "bank_account_holder": "Bendahara Lapas Sumbawa",
}


def _audit(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _post(admin, path: str, form_path: str, **data):
    return admin.post(path, data={"csrf_token": csrf_token(admin, form_path), **data})


def test_admin_adds_a_facility_with_its_own_split(app, admin):
    page = admin.get("/admin/fasilitas/baru").get_data(as_text=True)
    assert 'value="50"' in page and 'value="35"' in page  # the default split
    response = _post(
        admin,
        "/admin/fasilitas/baru",
        "/admin/fasilitas/baru",
        **NEW,
        premi_pct="60",
        pnbp_pct="15",
        capital_pct="25",
    )
    assert response.status_code == 303
    facility = db.session.scalar(select(Facility).where(Facility.name == NEW["name"]))
    assert facility.bank_account_holder == "Bendahara Lapas Sumbawa" and facility.active
    html = admin.get(response.location).get_data(as_text=True)
    assert "Fasilitas Lapas Kelas IIB Sumbawa Besar ditambahkan." in html
    assert "Berlaku hari ini: 60% premi pembuat · 15% PNBP · 25% modal produksi." in html
    assert len(_audit("facility.create")) == 1
    listing = admin.get("/admin/fasilitas").get_data(as_text=True)
    assert "Lapas Kelas IIB Sumbawa Besar" in listing and "60/15/25" in listing
    public = admin.get(f"/fasilitas/{facility.slug}").get_data(as_text=True)
    assert "60% pembuat · 15% PNBP · 25% modal" in public


def test_a_split_that_does_not_add_up_is_refused_with_the_input_kept(app, admin):
    response = _post(
        admin,
        "/admin/fasilitas/baru",
        "/admin/fasilitas/baru",
        **NEW,
        premi_pct="60",
        pnbp_pct="15",
        capital_pct="35",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Jumlah ketiga bagian harus 100% (sekarang 110%)." in html
    assert 'value="Lapas Kelas IIB Sumbawa Besar"' in html and 'value="35"' in html
    assert db.session.scalar(select(Facility).where(Facility.name == NEW["name"])) is None
    for hostile in ("٦٠", "-5", "1e2", "<b>", "99999999999999999999"):
        response = _post(
            admin,
            "/admin/fasilitas/baru",
            "/admin/fasilitas/baru",
            **NEW,
            premi_pct=hostile,
            pnbp_pct="15",
            capital_pct="25",
        )
        assert response.status_code == 400, hostile
        assert "Tulis persentase bulat" in response.get_data(
            as_text=True
        ) or "Antara 0 dan 100." in response.get_data(as_text=True)
    assert _audit("facility.create") == []


def test_edit_and_a_dated_split_change(app, admin):
    facility = make_facility(name="Rutan Kelas IIB Wonosobo")
    db.session.commit()
    path = f"/admin/fasilitas/{facility.id}"
    data = {**NEW, "name": "Rutan Kelas IIB Wonosobo", "city": "Wonosobo"}
    assert _post(admin, path, path, **data).status_code == 303
    (entry,) = _audit("facility.update")
    assert entry.after["city"] == "Wonosobo" and entry.before["city"] == "Banyuwangi"

    response = _post(
        admin,
        f"{path}/bagi-hasil",
        path,
        premi_pct="30",
        pnbp_pct="0",
        capital_pct="70",
        valid_from="2099-01-01",
    )
    assert response.status_code == 303
    row = db.session.scalar(select(FacilitySplit).where(FacilitySplit.facility_id == facility.id))
    assert (row.premi_pct, row.capital_pct, str(row.valid_from)) == (30, 70, "2099-01-01")
    html = admin.get(path).get_data(as_text=True)
    assert "Berlaku hari ini: 50% premi" in html and "akan datang" in html

    response = _post(
        admin,
        f"{path}/bagi-hasil",
        path,
        premi_pct="30",
        pnbp_pct="0",
        capital_pct="70",
        valid_from="2001-02-31",
    )
    assert response.status_code == 400
    assert "Tulis tanggal sebagai tahun-bulan-hari" in response.get_data(as_text=True)
    response = _post(
        admin,
        f"{path}/bagi-hasil",
        path,
        premi_pct="30",
        pnbp_pct="0",
        capital_pct="70",
        valid_from="2001-01-01",
    )
    assert response.status_code == 400
    assert "Pembagian baru berlaku mulai hari ini" in response.get_data(as_text=True)
    assert len(_audit("facility.split")) == 1


def test_deactivate_and_reactivate_over_http(app, admin):
    facility = make_facility(name="LPKA Kelas II Palu")
    product = make_product(facility, name="Kursi Rotan Palu")
    db.session.commit()
    path = f"/admin/fasilitas/{facility.id}"
    response = _post(admin, f"{path}/nonaktifkan", path)
    assert response.status_code == 303
    html = admin.get(response.location).get_data(as_text=True)
    assert "LPKA Kelas II Palu nonaktif; 1 produk keluar dari toko." in html
    assert admin.get(f"/produk/{product.slug}").status_code == 404
    # Twice is refused with a message, not a 500.
    response = _post(admin, f"{path}/nonaktifkan", path)
    assert "Fasilitas ini sudah nonaktif." in admin.get(response.location).get_data(as_text=True)
    assert _post(admin, f"{path}/aktifkan", path).status_code == 303
    assert db.session.get(Product, product.id).status == "active"
    assert len(_audit("facility.deactivate")) == 1 and len(_audit("facility.reactivate")) == 1


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (150, 90, 40)).save(out, "JPEG")
    return out.getvalue()


def test_facility_photo_goes_through_the_pipeline(app, admin):
    facility = make_facility()
    db.session.commit()
    path = f"/admin/fasilitas/{facility.id}"
    response = admin.post(
        f"{path}/foto",
        data={"csrf_token": csrf_token(admin, path), "photo": (io.BytesIO(_jpeg()), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    db.session.expire_all()
    facility = db.session.get(Facility, facility.id)
    assert facility.photo_hash and facility.photo_widths
    public = admin.get(f"/fasilitas/{facility.slug}").get_data(as_text=True)
    assert f"/media/{facility.photo_hash}-" in public
    assert len(_audit("facility.photo")) == 1

    response = admin.post(
        f"{path}/foto",
        data={
            "csrf_token": csrf_token(admin, path),
            "photo": (io.BytesIO(b"not a photo"), "x.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Ditolak:" in response.get_data(as_text=True)
    assert len(_audit("facility.photo")) == 1


def test_unknown_facility_is_404(app, admin):
    assert admin.get("/admin/fasilitas/999999999").status_code == 404
    assert admin.get("/admin/fasilitas/99999999999999999999999").status_code == 404
