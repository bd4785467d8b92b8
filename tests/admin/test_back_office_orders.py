"""Every order for administrators: filters and search (number, e-mail, phone, amount),
CSV, the whole timeline in order, and the actions, each writing one audit row."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from order_helpers import BUYER, place, shop_with_products, stock
from sqlalchemy import select, update
from staff_helpers import csrf_token

from shop.admin.order_services import parse_amount
from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.i18n import format_rupiah
from shop.inventory.models import StockAllocation
from shop.mail.models import OutboxMessage
from shop.orders.models import FacilityOrder, Order, OrderNote
from shop.payments import refunds
from shop.sqltypes import utcnow
from shop.uow import unit_of_work

BUDI = replace(BUYER, name="Budi Santoso", email="budi@contoh.id", phone="+6285712345678")


def html_of(response) -> str:
    return response.get_data(as_text=True)


def found(admin, **query) -> set[str]:
    """Order numbers on the list page for ``query``."""
    html = html_of(admin.get("/admin/pesanan", query_string=query))
    assert 'id="admin-orders"' in html or "Tidak ada pesanan yang cocok." in html
    return {n for n in NUMBERS if n in html}


NUMBERS: list[str] = []


@pytest.fixture
def orders(admin):
    north, south = shop_with_products(on_hand=(9, 9), facilities=2)
    siti = place({north.id: 1})
    budi = place({south.id: 2}, buyer=BUDI)
    card = place({north.id: 1}, payment_method="card")
    NUMBERS[:] = [siti.number, budi.number, card.number]
    return siti, budi, card, north, south


def test_search_by_number_email_phone_and_amount_in_each_form(admin, orders):
    siti, budi, card, *_ = orders
    assert found(admin, q=budi.number.lower()) == {budi.number}
    assert found(admin, q="BUDI@contoh") == {budi.number}
    assert found(admin, q="0857-1234-5678") == {budi.number}
    assert found(admin, q="+62 857 1234 5678") == {budi.number}
    dotted = format_rupiah(siti.amount_due)  # "Rp 168.123"
    for typed in (dotted, dotted.removeprefix("Rp "), str(siti.amount_due)):
        assert found(admin, q=typed) == {siti.number}, typed
    assert siti.amount_due != siti.total  # the unique code makes the amount findable
    assert found(admin, q="Rp 1") == set()
    assert found(admin, q="١٦٨١٢٣") == set()  # not ASCII digits: not an amount


def test_filters(admin, orders):
    siti, budi, card, north, south = orders
    assert found(admin) == {siti.number, budi.number, card.number}
    assert found(admin, method="card") == {card.number}
    assert found(admin, method="bank_transfer") == {siti.number, budi.number}
    assert found(admin, facility=south.facility_id) == {budi.number}
    assert found(admin, facility=north.facility_id) == {siti.number, card.number}
    db.session.execute(update(Order).where(Order.id == siti.id).values(status="cancelled"))
    old = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 10:00 WIB, 10 March
    db.session.execute(update(Order).where(Order.id == budi.id).values(placed_at=old))
    db.session.commit()
    assert found(admin, status="cancelled") == {siti.number}
    assert found(admin, status="awaiting_payment") == {budi.number, card.number}
    assert found(admin, **{"from": "2026-03-10", "to": "2026-03-10"}) == {budi.number}
    assert found(admin, to="2026-03-09") == set()
    assert found(admin, min=str(budi.amount_due), max=f"Rp {budi.amount_due:,}".replace(",", "."))
    in_range = found(admin, min=str(budi.amount_due), max=str(budi.amount_due))
    assert in_range == {budi.number}
    # Hostile values are ignored, never a 500.
    hostile = {"facility": "99999999999999999999", "from": "9999-12-31", "min": "x", "page": "-1"}
    assert admin.get("/admin/pesanan", query_string=hostile).status_code == 200


def test_list_is_paged(admin, orders, monkeypatch):
    from shop.admin import order_services as admin_services

    monkeypatch.setattr(admin_services, "PER_PAGE", 2)
    first = html_of(admin.get("/admin/pesanan"))
    second = html_of(admin.get("/admin/pesanan?page=2"))
    assert "Halaman 1 dari 2" in first and 'href="/admin/pesanan?page=2"' in first
    on_first = {n for n in NUMBERS if n in first}
    on_second = {n for n in NUMBERS if n in second}
    assert len(on_first) == 2 and len(on_second) == 1 and not on_first & on_second


def test_csv_of_the_filtered_list(admin, orders):
    siti, budi, card, *_ = orders
    response = admin.get("/admin/pesanan.csv", query_string={"method": "bank_transfer"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(html_of(response))))
    assert rows[0][:3] == ["number", "placed (WIB)", "status"]
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {siti.number, budi.number}
    budi_row = by_number[budi.number]
    assert budi_row[2:7] == [
        "awaiting_payment",
        "bank_transfer",
        "Budi Santoso",
        "budi@contoh.id",
        "'+6285712345678",  # a leading + would run as a formula in a spreadsheet
    ]
    assert int(budi_row[10]) == budi.amount_due and int(budi_row[9]) == budi.total


def post(admin, path, data):
    return admin.post(path, data={"csrf_token": csrf_token(admin, "/admin/pesanan"), **data})


def audit_rows() -> list[AuditEntry]:
    db.session.commit()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_extend_deadline_moves_the_stock_hold_too(admin, admin_user, orders):
    siti, _budi, card, north, _south = orders
    before = siti.payment_deadline
    response = post(
        admin, f"/admin/pesanan/{siti.id}/tenggat", {"days": "2", "reason": "Bank libur"}
    )
    assert response.status_code == 303
    db.session.commit()
    order = db.session.get(Order, siti.id)
    assert order.payment_deadline == before + timedelta(days=2)
    expiries = db.session.scalars(
        select(StockAllocation.expires_at).where(StockAllocation.order_id == siti.id)
    )
    assert set(expiries) == {order.payment_deadline}
    (row,) = audit_rows()
    assert (row.action, row.object_type, row.object_id, row.user_id) == (
        "order.extend_deadline",
        "order",
        siti.id,
        admin_user.id,
    )
    assert row.before == {"payment_deadline": before.isoformat()}
    assert row.after == {"payment_deadline": order.payment_deadline.isoformat()}
    assert row.note == "Bank libur"

    refused = post(admin, f"/admin/pesanan/{card.id}/tenggat", {"days": "2", "reason": "x"})
    assert refused.status_code == 400
    assert "tidak dapat diperpanjang di sini" in html_of(refused)
    bad = post(admin, f"/admin/pesanan/{siti.id}/tenggat", {"days": "٣", "reason": "x"})
    assert bad.status_code == 400 and "dari 1 sampai 14" in html_of(bad)
    too_many = post(admin, f"/admin/pesanan/{siti.id}/tenggat", {"days": "30", "reason": "x"})
    assert too_many.status_code == 400 and 'value="30"' in html_of(too_many)
    assert len(audit_rows()) == 1


def test_cancel_unpaid_releases_stock(admin, orders):
    siti, _budi, _card, north, _south = orders
    held = stock(north.id)
    response = post(admin, f"/admin/pesanan/{siti.id}/batal", {"reason": "Pembeli minta batal"})
    assert response.status_code == 303
    db.session.commit()
    assert db.session.get(Order, siti.id).status == "cancelled"
    assert stock(north.id) == (held[0], held[1] - 1)
    (row,) = audit_rows()
    assert (row.action, row.before, row.after, row.note) == (
        "order.cancel",
        {"status": "awaiting_payment"},
        {"status": "cancelled"},
        "Pembeli minta batal",
    )
    again = post(admin, f"/admin/pesanan/{siti.id}/batal", {"reason": "lagi"})
    assert again.status_code == 400 and len(audit_rows()) == 1


def test_note_and_resend_each_write_one_audit_row(admin, orders):
    siti, *_ = orders
    response = post(admin, f"/admin/pesanan/{siti.id}/catatan", {"body": "Pembeli menelepon."})
    assert response.status_code == 303
    (note,) = db.session.scalars(select(OrderNote).where(OrderNote.order_id == siti.id))
    assert note.body == "Pembeli menelepon."
    (row,) = audit_rows()
    assert row.action == "order.note" and row.after == {"note_id": note.id, "body": note.body}

    (message,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.order_id == siti.id))
    pending = post(admin, f"/admin/pesanan/{siti.id}/email/{message.id}", {})
    assert pending.status_code == 400 and "masih menunggu dikirim" in html_of(pending)
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id).values(status="failed")
    )
    db.session.commit()
    assert post(admin, f"/admin/pesanan/{siti.id}/email/{message.id}", {}).status_code == 303
    copies = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.order_id == siti.id)
            .order_by(OutboxMessage.id)
        )
    )
    assert len(copies) == 2 and copies[1].status == "pending"
    assert (copies[1].subject, copies[1].to_addr) == (message.subject, message.to_addr)
    rows = audit_rows()
    assert len(rows) == 2 and rows[1].action == "order.resend_email"
    assert rows[1].before == {"message_id": message.id, "status": "failed"}
    assert rows[1].after == {"message_id": copies[1].id, "status": "pending"}
    other_order = orders[1]
    wrong = post(admin, f"/admin/pesanan/{other_order.id}/email/{message.id}", {})
    assert wrong.status_code == 404


def test_timeline_holds_every_kind_of_event_oldest_first(admin, orders):
    siti, *_ = orders
    path = f"/admin/transfer/{siti.id}"
    confirm = {"csrf_token": csrf_token(admin, path), "amount": str(siti.amount_due)}
    assert admin.post(path, data=confirm).status_code == 303
    part_id = db.session.scalar(select(FacilityOrder.id).where(FacilityOrder.order_id == siti.id))
    with unit_of_work():
        refunds.refund_by_bank(
            refunds.RefundRequest(
                siti.id,
                10_000,
                "bank_transfer",
                "Barang rusak",
                part_id=part_id,
                reference="TRX-10",
                refund_account="BCA 1 Siti",
            ),
            "admin:test",
        )
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.order_id == siti.id))
    for mail in mails:
        mail.status, mail.sent_at = "sent", utcnow()
    db.session.commit()
    assert (
        post(admin, f"/admin/pesanan/{siti.id}/catatan", {"body": "Sudah dicek."}).status_code
        == 303
    )

    html = html_of(admin.get(f"/admin/pesanan/{siti.id}"))
    table = html[html.index('id="timeline"') :]
    kinds = [part.split('"', 1)[0] for part in table.split('data-kind="')[1:]]
    for kind in ("order", "payment", "payment_change", "money", "stock", "mail", "note", "audit"):
        assert kind in kinds, kind
    times = [chunk.split("<td>", 1)[1][:19] for chunk in table.split('data-kind="')[1:]]
    assert times == sorted(times)
    refund_at = len(kinds) - 1 - kinds[::-1].index("money")  # the refund, after the capture
    assert kinds.index("order") < kinds.index("stock") < refund_at < kinds.index("note")
    assert "Uang dikembalikan: Rp 10.000" in table and "Barang rusak" in table
    assert "E-mail terkirim:" in table and "Sudah dicek." in table
    assert "Menunggu pembayaran → Lunas" in table
    assert "Tindakan administrator:" in table and "order.note" in table


def test_parse_amount():
    assert parse_amount("Rp 168.123") == parse_amount("168.123") == parse_amount("168123") == 168123
    assert parse_amount("rp168.123") == 168123
    for bad in ("", "168,123.00", "16.81.23", "١٢٣", "0", "Rp", "99999999999"):
        assert parse_amount(bad) is None, bad
