"""An administrator adds a facility with a 60/15/25 split and invites a staff member, who
follows the emailed link, sets a password and lists a product: in a real browser, at a
phone's width."""

from __future__ import annotations

import io
import re

from e2e_helpers import open_section_menu
from factories import make_category
from PIL import Image
from sqlalchemy import select
from staff_helpers import PASSWORD, make_user

from shop.catalog.models import Product
from shop.extensions import db
from shop.facilities.models import Facility
from shop.facilities.services import split_now
from shop.mail.models import OutboxMessage


def _jpeg(path) -> str:
    noise = Image.effect_noise((1000, 800), 40).convert("RGB")
    out = io.BytesIO()
    Image.blend(noise, Image.new("RGB", (1000, 800), (170, 110, 50)), 0.6).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_admin_adds_a_facility_and_invites_staff_who_list_a_product(page, tmp_path):
    make_category(name_id="Anyaman", name_en="Weaving")
    admin = make_user(role="admin")
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto("/admin/fasilitas/baru")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/admin/fasilitas/baru")

    page.get_by_label("Nama", exact=True).fill("Lapas Kelas IIA Kupang")
    page.get_by_label("Jenis").select_option("Lapas")
    page.get_by_label("Provinsi").fill("Nusa Tenggara Timur")
    page.get_by_label("Kota").fill("Kupang")
    page.get_by_label("WhatsApp").fill("0812-3456-7890")
    page.get_by_label("Cerita untuk halaman publik").fill("Bengkel tenun ikat dan anyaman lontar.")
    page.get_by_label("Bank").fill("BNI")
    page.get_by_label("Nomor rekening").fill("0123456789")
    page.get_by_label("Atas nama").fill("Bendahara Lapas Kupang")
    page.get_by_label("Premi pembuat (%)").fill("60")
    page.get_by_label("PNBP (%)").fill("15")
    page.get_by_label("Modal produksi (%)").fill("25")
    page.get_by_role("button", name="Tambah fasilitas").click()
    page.wait_for_url(re.compile(r".*/admin/fasilitas/\d+$"))
    assert "Berlaku hari ini: 60% premi pembuat" in page.content()

    db.session.rollback()
    facility = db.session.scalar(select(Facility).where(Facility.name == "Lapas Kelas IIA Kupang"))
    assert split_now(facility.id).premi_pct == 60

    page.goto("/admin/orang/baru")
    page.get_by_label("Email").fill("maria@lapas-kupang.test")
    page.get_by_label("Nama", exact=True).fill("Maria")
    page.get_by_label("Peran").select_option("staff")
    page.get_by_label("Fasilitas (untuk staf)").select_option(label="Lapas Kelas IIA Kupang")
    page.get_by_role("button", name="Buat akun dan kirim tautan").click()
    assert "Tautan untuk mengatur kata sandi sudah dikirim" in page.locator(".flashes").inner_text()
    open_section_menu(page).get_by_role("button", name="Keluar").click()

    db.session.rollback()
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "account_invite")
    ).one()
    assert mail.to_addr == "maria@lapas-kupang.test"
    (link,) = re.findall(r"http://shop\.test(/akun/undangan/\S+)", mail.text_body)
    db.session.rollback()

    page.goto(link)
    page.get_by_label("Kata sandi baru", exact=True).fill("tenun ikat kupang timor")
    page.get_by_label("Ulangi kata sandi baru").fill("tenun ikat kupang timor")
    page.get_by_role("button", name="Simpan kata sandi dan masuk").click()
    page.wait_for_url("**/dasbor/")
    assert "Lapas Kelas IIA Kupang" in page.locator(".dash-facility").inner_text()

    page.goto("/dasbor/produk/baru")
    page.get_by_label("Nama", exact=True).fill("Tas Anyaman Lontar")
    page.get_by_label("Kategori").select_option(label="Anyaman")
    page.get_by_label("Deskripsi", exact=True).fill("Tas anyaman daun lontar, dibuat tangan.")
    page.get_by_label("Harga (Rp)").fill("175.000")
    page.get_by_label("Berat (gram, setelah dikemas)").fill("300")
    page.get_by_label("SKU (kode stok)").fill("TAL-01")
    page.get_by_role("button", name="Simpan sebagai draf").click()
    page.wait_for_url("**/dasbor/produk/*")
    page.get_by_label("Tambah foto").set_input_files([_jpeg(tmp_path / "tas.jpg")])
    page.get_by_role("button", name="Unggah").click()
    card = page.locator(".photo-card").first
    card.get_by_label("Deskripsi (teks alternatif) foto 1").fill("Tas anyaman lontar cokelat")
    card.get_by_role("button", name="Simpan deskripsi").click()
    page.get_by_role("button", name="Terbitkan").click()
    assert "Diterbitkan" in page.locator(".flashes").inner_text()

    page.goto("/produk/" + db.session.scalar(select(Product.slug).where(Product.sku == "TAL-01")))
    db.session.rollback()
    assert page.get_by_role("heading", name="Tas Anyaman Lontar").is_visible()
    assert "60%" in page.content()  # the facility's split on the product page
