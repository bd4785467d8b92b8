"""A facility cancels a paid part; an administrator refunds it by bank transfer, and part
of a card-paid order back to the card through (fake) Stripe; the buyer sees both refunds
on the order's tracking page."""

from __future__ import annotations

from card_helpers_e2e import card_paid_order
from factories import make_category, make_facility, make_product
from fake_stripe.fixtures import fake_stripe, stripe_app  # noqa: F401  (fixtures)
from order_helpers import place
from sqlalchemy import select
from staff_helpers import PASSWORD, make_user
from test_stripe import card_server  # noqa: F401  (the shop with Stripe keys, served)

from shop.extensions import db
from shop.i18n import format_rupiah
from shop.ledger.check import problems
from shop.orders.models import FacilityOrder, Order
from shop.payments import core
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.shipping.services import ensure_default_rates
from shop.uow import unit_of_work


def sign_in(page, email):
    page.goto("/masuk")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_cancelled_part_and_card_refund_reach_the_buyer(
    browser,
    stripe_app,  # noqa: F811
    fake_stripe,  # noqa: F811
    card_server,  # noqa: F811
):
    ensure_default_rates()
    banyuwangi = make_facility(name="Lapas Kelas IIA Banyuwangi")
    bali = make_facility(name="Lapas Kelas IIA Kerobokan", province="Bali")
    category = make_category()
    basket = make_product(banyuwangi, category, name="Keranjang Rotan Bundar", on_hand=4)
    batik = make_product(bali, category, name="Kain Batik Tulis", on_hand=4)
    staff = make_user(banyuwangi)
    admin = make_user(role="admin")
    db.session.commit()

    by_bank = place({basket.id: 1, batik.id: 1})
    with unit_of_work():
        confirm_bank_transfer(by_bank.id, by_bank.amount_due, "admin:setup", "BRI 1")
    by_card = card_paid_order(fake_stripe, {batik.id: 1})
    part = db.session.scalar(
        select(FacilityOrder).where(
            FacilityOrder.order_id == by_bank.id, FacilityOrder.facility_id == banyuwangi.id
        )
    )
    part_id, part_due = part.id, part.subtotal + part.shipping_fee
    bank_token, card_token = by_bank.public_token, by_card.public_token
    bank_id, card_id, card_number = by_bank.id, by_card.id, by_card.number
    db.session.rollback()  # no read snapshot held open while the browser writes

    # The facility cannot send its part.
    staff_page = browser.new_context(base_url=card_server, locale="id-ID").new_page()
    sign_in(staff_page, staff.email)
    staff_page.goto(f"/dasbor/pesanan/{part_id}")
    staff_page.locator("summary", has_text="Tidak bisa dikirim? Batalkan bagian ini").click()
    staff_page.get_by_label("Mengapa tidak bisa dikirim?").fill("Rotan patah saat dianyam")
    staff_page.get_by_role("button", name="Batalkan bagian ini").click()
    staff_page.wait_for_url(f"**/dasbor/pesanan/{part_id}")

    # An administrator sees it owed, and refunds it by bank transfer.
    page = browser.new_context(base_url=card_server, locale="id-ID").new_page()
    page.set_default_timeout(10_000)
    sign_in(page, admin.email)
    page.goto("/admin/pengembalian")
    assert format_rupiah(part_due) in page.locator("#refunds-owed").inner_text()
    page.locator("#refunds-owed").get_by_role("link").first.click()
    form = page.locator(f"#refund-part-{part_id}")
    assert form.get_by_label("Jumlah yang dikembalikan (Rp)").input_value() == str(part_due)
    form.get_by_label("Bank, nomor rekening dan nama pemilik rekening pembeli").fill(
        "BCA 1234567890 a.n. Siti Rahma"
    )
    form.get_by_label("Referensi bank untuk transfer pengembalian").fill("BCA-OUT-77")
    form.get_by_label("Alasan (terlihat oleh pembeli)").fill("Rotan patah")
    form.get_by_role("button", name="Kembalikan dana").click()
    assert "dikembalikan; pembeli sudah dikirimi email" in page.locator(".flashes").inner_text()
    assert "BCA-OUT-77" in page.locator("#refunds-made").inner_text()

    # Part of the card order goes back to the card.
    page.goto(f"/admin/pengembalian/{card_id}")
    card_part = page.locator("form[id^=refund-part-]").first
    assert card_part.get_by_label("Cara").input_value() == "card"
    card_part.get_by_label("Jumlah yang dikembalikan (Rp)").fill("Rp 25.000")
    card_part.get_by_label("Alasan (terlihat oleh pembeli)").fill("Warna berbeda dari foto")
    card_part.get_by_role("button", name="Kembalikan dana").click()
    assert "Rp 25.000 dikembalikan" in page.locator(".flashes").inner_text()
    assert len(fake_stripe.refunds) == 1
    (refund,) = fake_stripe.refunds.values()
    assert refund["amount"] == 2_500_000  # hundredths of a rupiah at Stripe

    # The buyer sees each refund on the tracking page.
    buyer = browser.new_context(base_url=card_server, locale="id-ID").new_page()
    buyer.goto(f"/pesanan/{bank_token}")
    refunds = buyer.locator("#refunds").inner_text()
    assert format_rupiah(part_due) in refunds and "lewat transfer bank" in refunds
    buyer.goto(f"/pesanan/{card_token}")
    refunds = buyer.locator("#refunds").inner_text()
    assert "Rp 25.000" in refunds and "dikembalikan ke kartu" in refunds and card_number

    db.session.rollback()
    assert core.refunds_due(bank_id) == 0
    assert db.session.get(Order, bank_id).status == "partially_refunded"
    assert db.session.get(FacilityOrder, part_id).refund_due is False
    assert problems() == []
