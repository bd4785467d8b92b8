"""An administrator matches a bank statement line to an order and confirms it, in a real
browser: find the order by the amount as the bank writes it, confirm, the order is paid."""

from __future__ import annotations

from factories import make_category, make_facility, make_product
from order_helpers import place, stock
from sqlalchemy import select
from staff_helpers import PASSWORD, make_user

from shop.extensions import db
from shop.i18n import format_rupiah
from shop.mail.models import OutboxMessage
from shop.orders.models import Order
from shop.shipping.services import ensure_default_rates


def test_admin_finds_a_transfer_by_amount_and_confirms_it(page):
    ensure_default_rates()
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi")
    basket = make_product(facility, make_category(), name="Keranjang Rotan Bundar", on_hand=4)
    admin = make_user(role="admin")
    db.session.commit()
    order = place({basket.id: 1})
    order_id, number, due = order.id, order.number, order.amount_due
    db.session.rollback()  # no read snapshot held open while the browser writes

    page.goto("/admin/transfer")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/admin/transfer")

    # The amount as the bank statement shows it, with the thousands dots.
    page.get_by_label("Jumlah (Rp)").fill(format_rupiah(due))
    page.get_by_role("button", name="Cari", exact=True).last.click()
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/admin/transfer/{order_id}")

    page.get_by_label("Jumlah yang diterima (Rp)").fill(format_rupiah(due))
    page.get_by_label("Referensi bank (opsional)").fill("BRI 0042")
    page.get_by_role("button", name="Konfirmasi transfer").click()
    page.wait_for_url("**/admin/transfer")
    assert f"Pesanan {number} lunas" in page.locator(".flashes").inner_text()

    db.session.rollback()  # see what the browser's requests committed
    paid = db.session.get(Order, order_id)
    assert paid.status == "paid"
    assert stock(basket.id) == (3, 0)  # the held unit is now sold
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "payment_confirmed")
    ).one()
    assert mail.to_addr == paid.email
