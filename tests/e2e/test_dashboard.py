"""Staff run their facility from the dashboard in a real browser: create a product, upload
two photos, describe them, publish, find it in the shop, add stock, ship a paid order."""

from __future__ import annotations

import io

from factories import make_category, make_facility, make_product
from order_helpers import place
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select
from staff_helpers import PASSWORD, make_user

from shop.catalog.models import Product
from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.media.models import ProductPhoto
from shop.orders.models import FacilityOrder
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.shipping.services import ensure_default_rates
from shop.uow import begin_write


def _jpeg(path, seed: int) -> str:
    noise = Image.effect_noise((1200, 900), 30 + seed).convert("RGB")
    tint = Image.new("RGB", (1200, 900), (160, 90 + seed * 40, 40))
    out = io.BytesIO()
    Image.blend(noise, tint, 0.6).save(out, "JPEG", quality=85)
    path.write_bytes(out.getvalue())
    return str(path)


def test_staff_run_their_facility_from_the_dashboard(page, tmp_path):
    ensure_default_rates()
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi")
    category = make_category(name_id="Kain Batik", name_en="Batik Cloth")
    basket = make_product(facility, category, name="Keranjang Rotan Bundar", on_hand=4)
    staff = make_user(facility)
    db.session.commit()
    order = place({basket.id: 1})
    begin_write()
    confirm_bank_transfer(order.id, order.amount_due, "admin:1", "BRI 123")
    db.session.commit()

    page.goto("/dasbor/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/dasbor/")
    assert page.locator("#waiting").inner_text() == "1"

    # A new product, with two photos described and published.
    dash_nav = page.get_by_role("navigation", name="Dasbor")
    dash_nav.get_by_role("link", name="Produk", exact=True).click()
    page.get_by_role("link", name="Produk baru").click()
    page.get_by_label("Nama", exact=True).fill("Batik Tulis Gajah Oling")
    page.get_by_label("Kategori").select_option(label="Kain Batik")
    page.get_by_label("Deskripsi", exact=True).fill("Batik tulis motif gajah oling, pewarna alam.")
    page.get_by_label("Harga (Rp)").fill("450.000")
    page.get_by_label("Berat (gram, setelah dikemas)").fill("350")
    page.get_by_label("SKU (kode stok)").fill("BTG-01")
    page.get_by_role("button", name="Simpan sebagai draf").click()
    page.wait_for_url("**/dasbor/produk/*")

    page.get_by_role("button", name="Terbitkan").click()  # no photo yet: refused, told why
    assert "Tambahkan paling sedikit satu foto" in page.locator(".flashes").inner_text()

    page.get_by_label("Tambah foto").set_input_files(
        [_jpeg(tmp_path / "depan.jpg", 1), _jpeg(tmp_path / "detail.jpg", 2)]
    )
    page.get_by_role("button", name="Unggah").click()
    # dashboard.js sends them one by one, then loads the page afresh.
    expect(page.locator(".photo-card")).to_have_count(2)
    flashes = page.locator(".flashes").inner_text()
    assert "Ditambahkan: depan.jpg" in flashes and "Ditambahkan: detail.jpg" in flashes

    for n, text in ((1, "Kain batik gajah oling terbentang"), (2, "Detail motif gajah oling")):
        card = page.locator(".photo-card").nth(n - 1)
        card.get_by_label(f"Deskripsi (teks alternatif) foto {n}").fill(text)
        card.get_by_role("button", name="Simpan deskripsi").click()
        assert "Deskripsi foto disimpan." in page.locator(".flashes").inner_text()

    page.get_by_role("button", name="Terbitkan").click()
    assert "Diterbitkan" in page.locator(".flashes").inner_text()
    db.session.rollback()
    product = db.session.scalar(select(Product).where(Product.sku == "BTG-01"))
    assert product.status == "active"
    alts = db.session.scalars(
        select(ProductPhoto.alt_text)
        .where(ProductPhoto.product_id == product.id)
        .order_by(ProductPhoto.position)
    ).all()
    assert alts == ["Kain batik gajah oling terbentang", "Detail motif gajah oling"]

    page.goto("/produk")
    assert page.get_by_text("Batik Tulis Gajah Oling").first.is_visible()
    assert page.get_by_alt_text("Kain batik gajah oling terbentang").first.is_visible()

    # Stock: a production batch of 10.
    page.goto(f"/dasbor/produk/{product.id}")
    page.get_by_role("link", name="Stok: 0 di gudang, 0 tersedia").click()
    page.get_by_label("Alasan").select_option(label="Hasil produksi baru")
    page.get_by_label("Perubahan (buah)").fill("10")
    page.get_by_label("Catatan").fill("Produksi minggu ini")
    page.get_by_role("button", name="Simpan penyesuaian").click()
    assert page.locator("#stat-on-hand").inner_text() == "10"
    assert "Produksi minggu ini" in page.locator("table").inner_text()

    # The paid order: pack it, then ship it with a tracking number.
    dash_nav.get_by_role("link", name="Pesanan", exact=True).click()
    page.get_by_role("link", name=order.number).click()
    page.get_by_role("button", name="Tandai sudah dikemas").click()
    assert "Ditandai sudah dikemas" in page.locator(".flashes").inner_text()
    page.get_by_label("Kurir").select_option("jne")
    page.get_by_label("Nomor resi").fill("JNE0099887766")
    page.get_by_role("button", name="Tandai sudah dikirim").click()
    assert "Dikirim." in page.locator(".flashes").inner_text()

    db.session.rollback()
    part = db.session.scalar(select(FacilityOrder).where(FacilityOrder.order_id == order.id))
    assert (part.status, part.tracking_number) == ("shipped", "JNE0099887766")
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "part_shipped"))
    assert mail.to_addr == order.email and "JNE0099887766" in mail.text_body
