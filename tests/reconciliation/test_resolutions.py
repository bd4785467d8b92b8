"""Resolving the queue at the bank: money not found for a paid order, and write-offs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from order_helpers import place, shop_with_products
from recon_helpers import bca_csv, due, lines_by_amount, today
from sqlalchemy import func, select
from staff_helpers import csrf_token, make_user, sign_in

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.i18n import format_rupiah
from shop.ledger.check import problems
from shop.ledger.models import JournalEntry
from shop.ledger.services import balance
from shop.orders.models import Order
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.payments.models import Payment
from shop.reconciliation.models import Resolution, StatementLine, StatementMatch
from shop.reconciliation.services import import_statement
from shop.sqltypes import utcnow
from shop.uow import unit_of_work

EXCEPTIONS = "/admin/rekonsiliasi/pengecualian"


@pytest.fixture
def product(app):
    (product,) = shop_with_products(on_hand=(5,))
    return product


def html_of(response) -> str:
    return response.get_data(as_text=True)


def run_import(*lines: tuple[int, str]) -> None:
    import_statement(
        bca_csv([(today(), text, amount, "CR") for amount, text in lines]), "bca.csv", "tester"
    )
    db.session.commit()


def payment_of(order_id: int) -> Payment:
    db.session.commit()
    return db.session.scalar(
        select(Payment)
        .where(Payment.order_id == order_id)
        .execution_options(populate_existing=True)
    )


def entries() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


def audit_actions() -> list[str]:
    db.session.commit()
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def kinds(client) -> list[str]:
    page = html_of(client.get(EXCEPTIONS))
    if 'id="exceptions"' not in page:
        return []
    table = page[page.index('id="exceptions"') :]
    return [part.split('"', 1)[0] for part in table.split('data-kind="')[1:]]


def confirmed_by_hand(product, days_ago: int, reference: str) -> Order:
    order = place({product.id: 1})
    with unit_of_work():
        confirm_bank_transfer(
            order.id,
            due(order),
            "admin:1",
            reference,
            now=utcnow() - timedelta(days=days_ago),
        )
    return order


# ---- paid in the shop, no money found ------------------------------------------------------


def test_a_confirmed_transfer_no_statement_shows_is_listed_then_linked_once(app, admin, product):
    old = confirmed_by_hand(product, 5, "MANUAL-OLD")
    recent = confirmed_by_hand(product, 1, "MANUAL-NEW")
    assert "no_money" not in kinds(admin)  # no statement imported: nothing to say yet
    run_import((due(old), "TRSF E-BANKING CR SITI"), (due(old) + 500, "LAIN"))
    page = html_of(admin.get(EXCEPTIONS))
    row = page[page.index('data-kind="no_money"') :]
    assert old.number in row and recent.number not in page  # recent: still within grace
    assert "tetapi tidak ada baris rekening koran" in row

    payment = payment_of(old.id)
    path = f"/admin/rekonsiliasi/tanpa-uang/{payment.id}"
    assert f'href="{path}"' in page
    form_page = html_of(admin.get(path))
    line = lines_by_amount()[due(old)]
    assert "TRSF E-BANKING CR SITI" in form_page and f'value="{line.id}"' in form_page
    other = lines_by_amount()[due(old) + 500]
    assert f'value="{other.id}"' in form_page  # near enough to be shown

    token = csrf_token(admin, path)
    missing_note = admin.post(path, data={"csrf_token": token, "target": line.id, "note": ""})
    assert missing_note.status_code == 400
    assert "Tulis catatan" in html_of(missing_note)
    wrong = admin.post(path, data={"csrf_token": token, "target": other.id, "note": "salah pilih"})
    assert wrong.status_code == 409
    body = html_of(wrong)
    assert "Jumlahnya berbeda" in body and "salah pilih" in body  # the note is kept
    before = entries()

    done = admin.post(path, data={"csrf_token": token, "target": line.id, "note": "ketemu"})
    assert done.status_code == 303
    assert "no_money" not in kinds(admin)
    assert db.session.get(StatementLine, line.id).status == "matched"
    match = db.session.scalar(select(StatementMatch).where(StatementMatch.line_id == line.id))
    assert (match.order_id, match.payment_id, match.note) == (old.id, payment.id, "ketemu")
    assert entries() == before  # the money was posted when confirmed: nothing again
    assert "reconciliation.no_money" in audit_actions()
    again = admin.post(path, data={"csrf_token": token, "target": line.id, "note": "x"})
    assert again.status_code == 409 and "tidak sedang menunggu uangnya" in html_of(again)
    assert problems() == []


def test_linking_needs_csrf_and_an_administrator(app, admin, product):
    old = confirmed_by_hand(product, 5, "MANUAL-CSRF")
    run_import((due(old), "TRSF SITI"))
    payment = payment_of(old.id)
    line = lines_by_amount()[due(old)]
    path = f"/admin/rekonsiliasi/tanpa-uang/{payment.id}"
    assert admin.post(path, data={"target": line.id, "note": "x"}).status_code == 400
    staff = app.test_client()
    sign_in(staff, make_user().email)
    assert staff.get(path).status_code == 403
    token = csrf_token(staff)
    refused = staff.post(path, data={"csrf_token": token, "target": line.id, "note": "x"})
    assert refused.status_code == 403
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/masuk" in anonymous.location
    assert db.session.get(StatementLine, line.id).status == "unmatched"
    assert db.session.scalar(select(func.count()).select_from(Resolution)) == 0


# ---- write-offs ----------------------------------------------------------------------------


def post_write_off_line(client, line_id: int, **data):
    path = f"/admin/rekonsiliasi/baris/{line_id}"
    token = csrf_token(client, path)
    fields = {f"writeoff-{name}": value for name, value in data.items()}
    return client.post(f"{path}/hapus-selisih", data={"csrf_token": token, **fields})


def test_a_line_a_little_short_is_matched_and_the_difference_written_off(app, admin, product):
    order = place({product.id: 1})
    run_import((order.total - 5_000, "TRSF KURANG SEDIKIT"))
    line = lines_by_amount()[order.total - 5_000]
    page = html_of(admin.get(f"/admin/rekonsiliasi/baris/{line.id}"))
    assert 'id="write-off-form"' in page and format_rupiah(10_000) in page

    response = post_write_off_line(admin, line.id, order_number=order.number, note="biaya bank")
    assert response.status_code == 303
    db.session.commit()
    assert db.session.get(StatementLine, line.id).status == "written_off"
    assert db.session.get(Order, order.id).status == "paid"
    assert payment_of(order.id).status == "succeeded"
    assert balance("write_offs") == 5_000
    assert balance("bank") == order.total - 5_000
    assert "reconciliation.write_off" in audit_actions()
    resolution = db.session.scalar(select(Resolution).where(Resolution.kind == "write_off"))
    assert (resolution.amount, resolution.line_id) == (5_000, line.id)
    assert resolution.note == "biaya bank"
    assert kinds(admin) == []
    assert problems() == []
    again = post_write_off_line(admin, line.id, order_number=order.number, note="lagi")
    assert again.status_code == 409 and balance("write_offs") == 5_000
    # The month's report shows it among the marketplace's own costs, page and CSV.
    month = f"{today():%Y-%m}"
    page = html_of(admin.get(f"/admin/laporan?dari={month}&sampai={month}"))
    table = page[page.index('id="table-marketplace"') :]
    row = table[table.index("Biaya: kekurangan kecil yang dihapuskan") :]
    assert format_rupiah(5_000) in row[: row.index("</tr>")]
    csv_text = html_of(admin.get(f"/admin/laporan/marketplace.csv?dari={month}&sampai={month}"))
    assert "Biaya: kekurangan kecil yang dihapuskan,5000" in csv_text


def test_a_difference_above_the_limit_is_refused_and_nothing_changes(app, admin, product):
    order = place({product.id: 1})
    run_import((order.total - 20_000, "TRSF KURANG BANYAK"))
    line = lines_by_amount()[order.total - 20_000]
    before = entries()
    response = post_write_off_line(admin, line.id, order_number=order.number, note="coba")
    assert response.status_code == 409
    body = html_of(response)
    assert "lebih dari" in body and format_rupiah(20_000) in body and "coba" in body
    db.session.commit()
    assert db.session.get(StatementLine, line.id).status == "unmatched"
    assert db.session.get(Order, order.id).status == "awaiting_payment"
    assert entries() == before and balance("write_offs") == 0

    saved = app.config["WRITE_OFF_LIMIT"]
    app.config["WRITE_OFF_LIMIT"] = 25_000
    try:
        response = post_write_off_line(admin, line.id, order_number=order.number, note="naik")
    finally:
        app.config["WRITE_OFF_LIMIT"] = saved
    assert response.status_code == 303 and balance("write_offs") == 20_000
    assert problems() == []


def test_a_shortfall_left_after_matching_is_written_off_from_the_queue(app, admin, product):
    order = place({product.id: 1})
    with unit_of_work():
        confirm_bank_transfer(order.id, order.total - 3_000, "admin:1", "KURANG-1")
    page = html_of(admin.get(EXCEPTIONS))
    payment = payment_of(order.id)
    path = f"/admin/rekonsiliasi/selisih/{payment.id}"
    assert f'href="{path}"' in page and f"Hapus selisih {format_rupiah(3_000)}" in page
    assert format_rupiah(3_000) in html_of(admin.get(path))
    token = csrf_token(admin, path)
    assert admin.post(path, data={"csrf_token": token, "note": ""}).status_code == 400
    response = admin.post(path, data={"csrf_token": token, "note": "pembulatan"})
    assert response.status_code == 303
    db.session.commit()
    assert db.session.get(Order, order.id).status == "paid"
    assert balance("write_offs") == 3_000 and balance("refunds_due") == 0
    assert "transfer_review" not in kinds(admin)
    assert problems() == []
    staff = app.test_client()
    sign_in(staff, make_user().email)
    assert staff.post(path, data={"csrf_token": csrf_token(staff), "note": "x"}).status_code == 403
