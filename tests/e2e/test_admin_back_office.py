"""The back office in a real browser at a phone's width: an administrator hides a
product (its staff read why) and unhides it, finds an order by its amount, extends its
deadline, adds a note, and finds all of it in the audit log."""

from __future__ import annotations

from e2e_helpers import open_section_menu
from factories import make_category, make_facility, make_product
from order_helpers import place
from sqlalchemy import select
from staff_helpers import PASSWORD, make_user

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.i18n import format_rupiah
from shop.inventory.models import StockAllocation
from shop.orders.models import Order
from shop.shipping.services import ensure_default_rates

PHONE = {"width": 390, "height": 844}


def sign_in(page, email: str, path: str) -> None:
    page.goto(path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"**{path}")


def test_admin_moderates_a_product_and_works_an_order(browser, live_server):
    ensure_default_rates()
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi")
    basket = make_product(facility, make_category(), name="Keranjang Rotan Bundar", on_hand=4)
    staff = make_user(facility)
    admin = make_user(role="admin")
    db.session.commit()
    order = place({basket.id: 1})
    order_id, number, due, deadline = (
        order.id,
        order.number,
        order.amount_due,
        order.payment_deadline,
    )
    product_id = basket.id
    db.session.rollback()  # no read snapshot held open while the browser writes

    admin_context = browser.new_context(base_url=live_server.url, locale="id-ID", viewport=PHONE)
    staff_context = browser.new_context(base_url=live_server.url, locale="id-ID", viewport=PHONE)
    try:
        page = admin_context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, admin.email, "/admin/produk")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.get_by_label("Nama atau SKU").fill("keranjang rotan")
        page.get_by_role("button", name="Saring").click()
        page.get_by_role("link", name="Keranjang Rotan Bundar").click()
        page.wait_for_url(f"**/admin/produk/{product_id}")
        page.get_by_label("Mengapa disembunyikan?").fill("Foto memperlihatkan wajah pembuat")
        page.get_by_role("button", name="Sembunyikan dari toko").click()
        assert "Produk disembunyikan dari toko" in page.locator(".flashes").inner_text()
        assert page.locator("#hidden-reason").inner_text() == "Foto memperlihatkan wajah pembuat"

        staff_page = staff_context.new_page()
        staff_page.set_default_timeout(10_000)
        sign_in(staff_page, staff.email, f"/dasbor/produk/{product_id}")
        notice = staff_page.locator("#hidden-notice").inner_text()
        assert "Disembunyikan oleh administrator" in notice
        assert "Foto memperlihatkan wajah pembuat" in notice

        page.get_by_role("button", name="Tampilkan lagi").click()
        assert "Produk tidak lagi disembunyikan." in page.locator(".flashes").inner_text()
        staff_page.reload()
        assert staff_page.locator("#hidden-notice").count() == 0

        open_section_menu(page).get_by_role("link", name="Pesanan", exact=True).click()
        page.wait_for_url("**/admin/pesanan")
        page.get_by_label("Nomor pesanan, e-mail, telepon, atau jumlah persis").fill(
            format_rupiah(due)
        )
        page.locator("#main").get_by_role("button", name="Cari", exact=True).click()
        page.get_by_role("link", name=number).click()
        page.wait_for_url(f"**/admin/pesanan/{order_id}")

        page.get_by_label("Perpanjang (hari)").fill("2")
        page.get_by_label("Alasan", exact=True).fill("Bank libur panjang")
        page.get_by_role("button", name="Perpanjang", exact=True).click()
        assert "Batas waktu pembayaran diperpanjang" in page.locator(".flashes").inner_text()
        note = page.get_by_role("textbox", name="Catatan internal")
        note.fill("Pembeli menelepon, transfer Senin.")
        page.get_by_role("button", name="Tambah catatan").click()
        timeline = page.locator("#timeline").inner_text()
        assert "Pembeli menelepon, transfer Senin." in timeline
        assert "order.extend_deadline" in timeline and "Bank libur panjang" in timeline

        open_section_menu(page).get_by_role("link", name="Log audit").click()
        page.wait_for_url("**/admin/audit")
        log = page.locator("#audit-log").inner_text()
        for action in ("product.hide", "product.unhide", "order.extend_deadline", "order.note"):
            assert action in log, action
        assert "Foto memperlihatkan wajah pembuat" in log
        page.get_by_label("Tindakan").select_option("product.hide")
        page.locator("#main").get_by_role("button", name="Cari", exact=True).click()
        log = page.locator("#audit-log").inner_text()
        assert "product.hide" in log and "order.note" not in log
    finally:
        admin_context.close()
        staff_context.close()

    db.session.rollback()  # see what the browser's requests committed
    extended = db.session.get(Order, order_id)
    assert extended.payment_deadline > deadline
    holds = db.session.scalars(
        select(StockAllocation.expires_at).where(StockAllocation.order_id == order_id)
    )
    assert set(holds) == {extended.payment_deadline}
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.user_id == admin.id))
    assert sorted(actions) == [
        "order.extend_deadline",
        "order.note",
        "product.hide",
        "product.unhide",
    ]
