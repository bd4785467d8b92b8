"""A staff member signs in, creates a product, publishes it and finds it in the shop."""

from __future__ import annotations

from factories import make_category, make_facility
from staff_helpers import PASSWORD, make_user

from shop.catalog.models import Product
from shop.extensions import db


def test_staff_creates_and_publishes_a_product(page, app, monkeypatch):
    # Photos have their own browser test (test_dashboard.py); this one publishes without.
    monkeypatch.setitem(app.config, "PUBLISH_REQUIRES_PHOTO", False)
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi")
    make_category(name_id="Kain Batik", name_en="Batik Cloth")
    staff = make_user(facility)
    db.session.commit()

    page.goto("/dasbor/produk")  # signed out: sent to sign in, and back afterwards
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/dasbor/produk")
    assert "Lapas Kelas IIA Banyuwangi" in page.locator(".dash-facility").inner_text()

    page.get_by_role("link", name="Produk baru").click()
    page.get_by_label("Nama", exact=True).fill("Batik Tulis Gajah Oling")
    page.get_by_label("Kategori").select_option(label="Kain Batik")
    page.get_by_label("Deskripsi").fill("Batik tulis motif gajah oling dengan pewarna alam.")
    page.get_by_label("Harga (Rp)").fill("450.000")
    page.get_by_label("Biaya bahan (Rp)").fill("120000")
    page.get_by_label("Berat (gram, setelah dikemas)").fill("350")
    page.get_by_label("SKU (kode stok)").fill("BTG-01")
    page.get_by_label("Nama depan atau nama samaran pembuat").fill("Wati")
    page.get_by_label("Pembuat setuju namanya ditampilkan di halaman produk").check()
    page.get_by_role("button", name="Simpan sebagai draf").click()
    page.wait_for_url("**/dasbor/produk/*")
    assert "Produk disimpan sebagai draf." in page.locator(".flashes").inner_text()

    page.get_by_role("button", name="Terbitkan").click()
    assert "Diterbitkan" in page.locator(".flashes").inner_text()
    db.session.rollback()  # end the read snapshot taken before the browser wrote
    product = db.session.scalar(db.select(Product).where(Product.sku == "BTG-01"))
    assert product.status == "active" and product.price == 450_000

    page.goto("/produk")
    assert page.get_by_text("Batik Tulis Gajah Oling").first.is_visible()
