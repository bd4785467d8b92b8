"""An administrator imports a BCA statement in a real browser: the transfers that match one
order exactly are confirmed, the rest are listed, and one is matched by hand."""

from __future__ import annotations

from factories import make_category, make_facility, make_product
from order_helpers import place
from sqlalchemy import select
from staff_helpers import PASSWORD, make_user

from shop.dashboard.timezone import jakarta_today
from shop.extensions import db
from shop.orders.models import Order
from shop.payments.models import Payment
from shop.shipping.services import ensure_default_rates
from shop.sqltypes import utcnow


def _bca(lines) -> str:
    day = jakarta_today(utcnow())
    out = [
        "No. rekening : 0613007788",
        "Nama : KOPERASI KARYA BINAAN NUSANTARA",
        f"Periode : {day:%d/%m/%Y} - {day:%d/%m/%Y}",
        "Kode Mata Uang : Rp",
        "",
        "Tanggal Transaksi,Keterangan,Cabang,Jumlah,Saldo",
    ]
    balance = 10_000_000
    for text, amount in lines:
        balance += amount
        out.append(f'\'{day:%d/%m},"{text}",\'0000,"{amount:,}.00 CR","{balance:,}.00"')
    out += ["", 'Saldo Awal,:,"10,000,000.00"', f'Saldo Akhir,:,"{balance:,}.00"']
    return "\r\n".join(out) + "\r\n"


def test_admin_imports_a_bca_statement_and_matches_a_line_by_hand(page, tmp_path):
    ensure_default_rates()
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi")
    basket = make_product(facility, make_category(), name="Keranjang Rotan Bundar", on_hand=5)
    admin = make_user(role="admin")
    db.session.commit()
    exact = place({basket.id: 1})
    forgot_code = place({basket.id: 1})
    amounts = dict(
        db.session.execute(
            select(Payment.order_id, Payment.amount).where(
                Payment.order_id.in_([exact.id, forgot_code.id])
            )
        ).all()
    )
    ids = (exact.id, forgot_code.id)
    numbers = (exact.number, forgot_code.number)
    statement = tmp_path / "mutasi-bca.csv"
    statement.write_text(
        _bca(
            [
                ("TRSF E-BANKING CR SITI RAHMA", amounts[exact.id]),
                ("TRSF E-BANKING CR BUDI TANPA KODE", forgot_code.total),
                ("BUNGA", 1_234),
            ]
        )
    )
    db.session.rollback()  # no read snapshot held open while the browser writes

    page.goto("/admin/rekonsiliasi/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/admin/rekonsiliasi/")

    page.get_by_label("Berkas mutasi rekening (CSV)").set_input_files(str(statement))
    page.get_by_label("Bank").select_option("auto")
    page.get_by_role("button", name="Impor", exact=True).click()
    page.wait_for_url("**/admin/rekonsiliasi/impor/*")
    flashes = page.locator(".flashes").inner_text()
    assert "3 baris baru" in flashes and "1 pesanan dikonfirmasi otomatis" in flashes

    # The exact transfer is matched; the lines left for a person are listed apart.
    page.get_by_role("link", name="Cocok", exact=True).click()
    assert "SITI RAHMA" in page.locator("#lines").inner_text()
    page.get_by_role("link", name="SITI RAHMA").click()
    assert numbers[0] in page.locator("#matches").inner_text()
    assert "melunasi pesanan" in page.locator("#matches").inner_text()
    page.go_back()

    page.get_by_role("link", name="Perlu dicocokkan").click()
    lines = page.locator("#lines").inner_text()
    assert "TANPA KODE" in lines and "BUNGA" in lines and "SITI RAHMA" not in lines

    page.get_by_role("link", name="TRSF E-BANKING CR BUDI TANPA KODE").click()
    candidates = page.locator("#candidates")
    assert numbers[1] in candidates.inner_text()
    assert "Jumlah yang mendekati" in candidates.inner_text()
    candidates.get_by_role("button", name=f"Cocokkan dengan {numbers[1]}").click()
    page.wait_for_url("**/admin/rekonsiliasi/baris/*")
    assert f"dicocokkan dengan pesanan {numbers[1]}" in page.locator(".flashes").inner_text()
    assert page.locator("#line-status").inner_text() == "Cocok"

    db.session.rollback()  # see what the browser's requests committed
    statuses = [db.session.get(Order, i).status for i in ids]
    assert statuses == ["paid", "paid"]
