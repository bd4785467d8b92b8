"""With JavaScript the photo form sends one photo per request, with progress, so a large
batch never meets the per-request limits; without it the limits refuse what does not
fit, by name and with the reason."""

from __future__ import annotations

import io

from factories import make_category, make_facility, make_product
from PIL import Image
from playwright.sync_api import expect
from staff_helpers import PASSWORD, make_user

from shop.extensions import db


def _jpeg(path, seed: int) -> str:
    noise = Image.effect_noise((1000, 800), 30 + seed).convert("RGB")  # 0.8 megapixels
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=80)
    path.write_bytes(out.getvalue())
    return str(path)


def _sign_in_to_product(page, app, monkeypatch):
    # Two of these photos already pass the per-request budget of one megapixel.
    monkeypatch.setitem(app.config, "PHOTO_UPLOAD_MEGAPIXELS", 1)
    facility = make_facility()
    product = make_product(facility, make_category(), status="draft")
    staff = make_user(facility)
    db.session.commit()
    page.goto(f"/dasbor/produk/{product.id}")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"**/dasbor/produk/{product.id}")
    return product


def test_the_form_sends_one_photo_per_request_with_progress(page, app, monkeypatch, tmp_path):
    product = _sign_in_to_product(page, app, monkeypatch)
    files = [_jpeg(tmp_path / f"foto-{n}.jpg", n) for n in (1, 2, 3)]
    posts = []
    page.on(
        "request",
        lambda r: posts.append(r) if r.method == "POST" and r.url.endswith("/foto") else None,
    )
    statuses = []
    page.expose_function("noteStatus", lambda text: statuses.append(text))
    page.evaluate(
        """() => new MutationObserver(() => window.noteStatus(
             document.querySelector('.upload-status').textContent))
           .observe(document.querySelector('.upload-status'), {childList: true})"""
    )
    page.get_by_label("Tambah foto").set_input_files(files)
    page.get_by_role("button", name="Unggah").click()
    expect(page.locator(".photo-card")).to_have_count(3)  # the page loaded afresh
    assert page.url.endswith(f"/dasbor/produk/{product.id}#photos")
    flashes = page.locator(".flashes").inner_text()
    for n in (1, 2, 3):
        assert f"Ditambahkan: foto-{n}.jpg" in flashes
    assert page.locator(".photo-card").count() == 3
    assert len(posts) == 3  # one photo each
    assert "Mengirim foto 1 dari 3: foto-1.jpg" in statuses
    assert "Mengirim foto 3 dari 3: foto-3.jpg" in statuses


def test_without_javascript_the_limit_refuses_what_does_not_fit(
    browser, live_server, app, monkeypatch, tmp_path
):
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", java_script_enabled=False
    )
    try:
        page = context.new_page()
        product = _sign_in_to_product(page, app, monkeypatch)
        assert "paling banyak 1 megapiksel" in page.locator("#photos").inner_text()
        files = [_jpeg(tmp_path / f"foto-{n}.jpg", n) for n in (1, 2)]
        page.get_by_label("Tambah foto").set_input_files(files)
        page.get_by_role("button", name="Unggah").click()
        page.wait_for_url(f"**/dasbor/produk/{product.id}#photos")
        flashes = page.locator(".flashes").inner_text()
        assert "Ditambahkan: foto-1.jpg" in flashes
        assert (
            "Ditolak: foto-2.jpg — tidak diproses: paling banyak 1 megapiksel per unggahan; "
            "unggah lagi" in flashes
        )
        assert page.locator(".photo-card").count() == 1
    finally:
        context.close()
