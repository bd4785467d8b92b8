"""One list of everything that does not add up, each with its reason and its link."""

from __future__ import annotations

from order_helpers import place, shop_with_products
from recon_helpers import bca_csv, today
from sqlalchemy import select
from staff_helpers import make_user, sign_in

from shop.extensions import db
from shop.i18n import format_rupiah
from shop.orders import services as orders
from shop.orders.models import FacilityOrder
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.reconciliation.services import import_statement
from shop.uow import unit_of_work


def test_the_exceptions_page_lists_each_kind_with_its_reason_and_link(app):
    admin_user = make_user(role="admin")
    a, b = shop_with_products(on_hand=(5, 5), facilities=2)
    short = place({a.id: 1})
    with unit_of_work():
        confirm_bank_transfer(short.id, short.total - 5_000, "admin:test", "SHORT-1")
    cancelled = place({a.id: 1, b.id: 1})
    with unit_of_work():
        confirm_bank_transfer(cancelled.id, cancelled.amount_due, "admin:test", "OK-1")
    part_id = db.session.scalar(
        select(FacilityOrder.id).where(FacilityOrder.order_id == cancelled.id)
    )
    with unit_of_work():
        orders.cancel_paid_part(part_id, "staff:1", "rusak")
    import_statement(
        bca_csv([(today(), "TRSF DARI ORANG LAIN", 777_777, "CR")]), "bca.csv", "tester"
    )
    db.session.commit()

    client = app.test_client()
    sign_in(client, admin_user.email)
    html = client.get("/admin/rekonsiliasi/pengecualian").get_data(as_text=True)
    table = html[html.index('id="exceptions"') :]
    kinds = set(part.split('"', 1)[0] for part in table.split('data-kind="')[1:])
    assert {"statement_line", "transfer_review", "refund_due"} <= kinds
    assert "Uang masuk ke bank yang tidak cocok dengan pesanan toko mana pun." in table
    assert format_rupiah(777_777) in table
    assert "Yang masuk kurang dari total pesanan" in table and short.number in table
    assert f'href="/admin/pengembalian/{cancelled.id}"' in table
    assert f'href="/admin/transfer/{short.id}"' in table


def test_exceptions_are_for_administrators_only(app):
    staff = app.test_client()
    sign_in(staff, make_user().email)
    assert staff.get("/admin/rekonsiliasi/pengecualian").status_code == 403
    anonymous = app.test_client().get("/admin/rekonsiliasi/pengecualian")
    assert anonymous.status_code == 302 and "/masuk" in anonymous.location
