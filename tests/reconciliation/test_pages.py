"""The import pages over HTTP, the CLI, and who may use them."""

from __future__ import annotations

import io
import re

import pytest
from order_helpers import place, shop_with_products
from recon_helpers import SAMPLES, bca_csv, due, today
from sqlalchemy import func, select
from staff_helpers import csrf_token, make_user, sign_in

from shop.extensions import db
from shop.orders.models import Order
from shop.reconciliation.models import StatementImport, StatementLine

INDEX = "/admin/rekonsiliasi/"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def upload(client, content: bytes, bank: str = "auto", filename: str = "mutasi.csv"):
    token = csrf_token(client, INDEX)
    return client.post(
        INDEX,
        data={"csrf_token": token, "bank": bank, "statement": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def order_status(order_id: int) -> str:
    db.session.commit()
    return db.session.scalar(select(Order.status).where(Order.id == order_id))


def test_upload_confirms_matched_orders_and_lists_the_rest(admin):
    (product,) = shop_with_products(on_hand=(3,))
    order = place({product.id: 1})
    content = bca_csv(
        [(today(), "TRSF E-BANKING CR SITI", due(order), "CR"), (today(), "BUNGA", 1_234, "CR")]
    )
    response = upload(admin, content, filename="bca-nov.csv")
    assert response.status_code == 303
    page = html_of(admin.get(response.location))
    assert "bca-nov.csv diimpor: 2 baris baru, 0 sudah pernah diimpor, 1 pesanan" in page
    assert order_status(order.id) == "paid"
    rows = re.findall(r'<tr data-status="(\w+)">', page)
    assert sorted(rows) == ["matched", "unmatched"]
    left = html_of(admin.get(response.location + "?status=unmatched"))
    assert "BUNGA" in left and "TRSF E-BANKING CR SITI" not in left

    listing = html_of(admin.get(INDEX))
    row = listing[listing.index("bca-nov.csv") :]
    # lines, credits, matched, left
    assert re.findall(r'<td class="num">(?:<a[^>]*>)?(\d+)', row)[:4] == ["2", "2", "1", "1"]

    again = upload(admin, content, filename="bca-nov.csv")
    assert "0 baris baru, 2 sudah pernah diimpor" in html_of(admin.get(again.location))


def test_upload_refusals_are_explained_and_nothing_is_written(admin):
    response = upload(admin, b"", filename="kosong.csv")
    assert response.status_code == 400 and "Berkasnya kosong." in html_of(response)
    response = upload(admin, b"a,b\n1,2\n")
    assert response.status_code == 400
    assert "tidak dikenali sebagai BCA, Mandiri, BNI atau BRI" in html_of(response)
    token = csrf_token(admin, INDEX)
    response = admin.post(INDEX, data={"csrf_token": token, "bank": "auto"})
    assert response.status_code == 400
    assert "Pilih berkas mutasi yang diekspor dari bank." in html_of(response)
    huge = b"Tanggal Transaksi,Keterangan\n'01/11,\"" + b"x" * 200_000 + b'"\n'
    response = upload(admin, huge, bank="bca")
    assert response.status_code == 400 and "bukan teks CSV" in html_of(response)
    response = upload(admin, (SAMPLES / "bca.csv").read_bytes(), bank="bogus")
    assert response.status_code == 400
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StatementImport)) == 0


def test_bad_rows_are_listed_on_the_import_page(admin):
    text = (SAMPLES / "bca.csv").read_text().replace('"10,000.00 DB"', '"10,000.00"')
    response = upload(admin, text.encode(), bank="bca")
    html = html_of(admin.get(response.location))
    errors = html[html.index('id="row-errors"') :]
    assert "Baris 9: Jumlahnya tanpa tanda CR atau DB." in errors
    assert "Baris 14: Tertunda (PEND): belum dibukukan bank." in html
    english = html_of(admin.get(response.location, headers={"Accept-Language": "en"}))
    assert "Line 9: The amount has no CR or DB mark." in english


def test_a_generic_csv_asks_for_its_columns_then_imports(admin):
    content = (SAMPLES / "generic.csv").read_bytes()
    response = upload(admin, content, bank="csv", filename="lain.csv")
    assert response.status_code == 200
    html = html_of(response)
    assert "Pilih kolom" in html and '<option value="Uraian">Uraian</option>' in html
    content_field = re.search(r'name="content" type="hidden" value="([^"]*)"', html)
    assert content_field and "Tanggal;Uraian" in content_field.group(1)
    token = csrf_token(admin, INDEX)
    form = {
        "csrf_token": token,
        "content": content.decode(),
        "filename": "lain.csv",
        "date": "Tanggal",
        "description": "Uraian",
        "reference": "Referensi",
    }
    response = admin.post("/admin/rekonsiliasi/kolom", data=form)
    assert response.status_code == 400
    assert "Pilih kolom jumlah, atau kolom debit dan kolom kredit sekaligus." in html_of(response)
    response = admin.post("/admin/rekonsiliasi/kolom", data={**form, "amount": "Nominal"})
    assert response.status_code == 303
    db.session.commit()
    amounts = db.session.scalars(select(StatementLine.amount).order_by(StatementLine.id)).all()
    assert amounts == [168_123, 1_500_123, 7_500, 2_062_921]


def test_only_administrators_reach_the_statements(app, admin):
    staff = app.test_client()
    assert sign_in(staff, make_user().email).status_code == 303
    db.session.commit()
    anonymous = app.test_client()
    assert "/masuk" in anonymous.get(INDEX).location
    assert staff.get(INDEX).status_code == 403
    response = staff.post(
        INDEX,
        data={
            "csrf_token": csrf_token(staff),
            "bank": "bca",
            "statement": (io.BytesIO((SAMPLES / "bca.csv").read_bytes()), "x.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StatementLine)) == 0
    assert admin.get("/admin/rekonsiliasi/impor/999999999").status_code == 404
    assert admin.get("/admin/rekonsiliasi/baris/999999999").status_code == 404
    huge = "99999999999999999999"
    assert admin.get(f"/admin/rekonsiliasi/impor/{huge}").status_code == 404
    assert admin.get(f"/admin/rekonsiliasi/baris/{huge}").status_code == 404
    token = csrf_token(admin, INDEX)
    response = admin.post(f"/admin/rekonsiliasi/baris/{huge}/cocokkan", data={"csrf_token": token})
    assert response.status_code == 404


def test_the_cli_imports_and_confirms(app, runner, tmp_path):
    (product,) = shop_with_products(on_hand=(3,))
    order = place({product.id: 1})
    path = tmp_path / "bca.csv"
    path.write_bytes(bca_csv([(today(), "TRSF SITI", due(order), "CR")]))
    db.session.commit()
    result = runner.invoke(args=["import-statement", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 new line(s), 0 already imported, 1 order(s) confirmed" in result.output
    assert order_status(order.id) == "paid"
    result = runner.invoke(args=["import-statement", str(path), "--bank", "bca"])
    assert "0 new line(s), 1 already imported, 0 order(s) confirmed" in result.output


def test_the_cli_reports_bad_rows_and_needs_columns_for_a_generic_csv(runner):
    result = runner.invoke(args=["import-statement", str(SAMPLES / "generic.csv"), "--bank", "csv"])
    assert result.exit_code == 2 and "--amount-col" in result.output
    result = runner.invoke(
        args=[
            "import-statement",
            str(SAMPLES / "generic.csv"),
            "--bank",
            "csv",
            "--date-col",
            "Tanggal",
            "--description-col",
            "Uraian",
            "--amount-col",
            "Nominal",
        ]
    )
    assert result.exit_code == 0 and "4 new line(s)" in result.output
    result = runner.invoke(args=["import-statement", str(SAMPLES / "bca.csv")])
    assert "line 14: skipped: Pending (PEND): not yet booked" in result.output
    result = runner.invoke(args=["import-statement", str(SAMPLES / "generic.csv")])
    assert result.exit_code == 1 and "import it as a generic CSV" in result.output


@pytest.mark.parametrize("name", ["bca.csv", "mandiri.csv", "bni.csv", "bri.csv"])
def test_the_demo_copies_match_the_test_samples(name):
    from pathlib import Path

    from shop.demo import __file__ as demo_init

    demo = Path(demo_init).parent / "statements" / name
    assert demo.read_bytes() == (SAMPLES / name).read_bytes()
