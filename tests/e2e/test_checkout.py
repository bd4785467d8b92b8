"""A buyer fills the cart from two facilities, pays by bank transfer, follows the order."""

from __future__ import annotations

import re

from e2e_helpers import fill_buyer_details
from factories import make_category, make_facility, make_product
from sqlalchemy import select

from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.orders.models import Order
from shop.shipping.services import ensure_default_rates


def two_facility_shop():
    ensure_default_rates()
    category = make_category(name_id="Kain", name_en="Cloth")
    java = make_facility(name="Lapas Kelas IIA Banyuwangi", province="Jawa Timur")
    bali = make_facility(name="Lapas Kelas IIA Kerobokan", province="Bali")
    batik = make_product(
        java,
        category,
        slug="batik-tulis-gajah-oling",
        name="Batik Tulis Gajah Oling",
        price=450_000,
        on_hand=1,
        one_of_a_kind=True,
        weight_grams=400,
    )
    tenun = make_product(
        bali,
        category,
        slug="tas-rotan-bundar",
        name="Tas Rotan Bundar",
        price=175_000,
        on_hand=4,
        weight_grams=700,
    )
    db.session.commit()
    return batik, tenun


def test_buyer_checks_out_by_bank_transfer_and_follows_the_order(page):
    batik, tenun = two_facility_shop()

    page.goto(f"/produk/{batik.slug}")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.wait_for_url("**/keranjang")
    page.goto(f"/produk/{tenun.slug}")
    page.get_by_label("Jumlah").fill("2")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.wait_for_url("**/keranjang")
    assert page.locator(".cart-link .badge").inner_text() == "3"
    assert page.locator(".cart-line").count() == 2
    assert "Rp 800.000" in page.locator(".cart-subtotal").inner_text()

    page.get_by_role("link", name="Checkout", exact=True).last.click()
    page.wait_for_url("**/checkout")
    fill_buyer_details(page, **{"Kode pos": "1281"})  # one digit short
    page.get_by_label("J&T Express").check()
    page.get_by_role("button", name="Lanjut ke ringkasan").click()
    assert page.locator(".field-error").inner_text() == "Kode pos terdiri dari 5 angka."
    assert page.get_by_label("Nama lengkap").input_value() == "Siti Rahma"
    page.get_by_label("Kode pos").fill("12810")
    page.get_by_role("button", name="Lanjut ke ringkasan").click()

    page.wait_for_url("**/checkout/ringkasan")
    parts = page.locator(".order-part h2").all_inner_texts()
    assert parts == [
        "Bagian 1: dari Lapas Kelas IIA Banyuwangi",
        "Bagian 2: dari Lapas Kelas IIA Kerobokan",
    ]
    # J&T: Jawa Timur → Jakarta zone 2, 1 kg: 17.000; Bali → Jakarta zone 3, 2 kg: 60.000.
    assert page.locator("#order-total").inner_text() == "Rp 877.000"
    page.get_by_role("button", name="Buat pesanan").click()

    page.wait_for_url(re.compile(r".*/pesanan/[\w-]+\?baru=1$"))
    db.session.commit()  # a fresh snapshot of what the server committed
    order = db.session.execute(select(Order)).scalar_one()
    assert page.locator("h1").inner_text() == f"Pesanan {order.number}"
    assert page.locator(".order-status").inner_text() == "Menunggu pembayaran"
    amount = f"Rp {order.amount_due:,}".replace(",", ".")
    assert page.locator("#amount-due").inner_text() == amount
    assert page.locator("#bank-account").inner_text() == "0123-01-000456-30-7"
    assert page.locator(".part-status").all_inner_texts() == ["Menunggu pembayaran"] * 2
    assert page.locator(".cart-link .badge").count() == 0  # cart emptied

    mail = db.session.execute(select(OutboxMessage)).scalar_one()
    link = re.search(r"http://shop\.test(/pesanan/[\w-]+)", mail.text_body).group(1)
    assert "Pesanan" in mail.subject and amount in mail.text_body

    # The secret link from the email, and the number + email form, lead to the same page.
    page.goto(link)
    assert page.locator("h1").inner_text() == f"Pesanan {order.number}"
    page.goto("/pesanan/cari")
    page.get_by_label("Nomor pesanan").fill(order.number)
    page.get_by_label("Email yang dipakai saat memesan").fill("siti@example.com")
    page.get_by_role("button", name="Tampilkan pesanan").click()
    page.wait_for_url(f"**{link}")
    assert "Jaga kerahasiaan" in page.locator("main").inner_text()

    # The one-of-a-kind batik is now held: its page says sold out.
    page.goto(f"/produk/{batik.slug}")
    assert page.get_by_role("button", name="Habis").is_disabled()
