"""A visitor searches, filters, opens a product and switches language."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "catalog"))

from catalog_data import small_shop  # noqa: E402


def test_visitor_searches_filters_opens_a_product_and_switches_language(page):
    small_shop()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"

    page.get_by_label("Cari produk").fill("kain")
    page.get_by_label("Cari produk").press("Enter")
    page.wait_for_url("**/produk?q=kain")
    assert page.locator("h1").inner_text() == "Hasil untuk “kain”"
    titles = page.locator(".card-title").all_inner_texts()
    assert set(titles) == {"Kain Tenun Ikat", "Kain Batik Tulis Kawung"}

    # choosing a province applies the filter (JS submits on change; the button works too)
    page.get_by_label("Provinsi").select_option("Bali")
    page.wait_for_url("**provinsi=Bali**")
    assert page.locator(".card-title").all_inner_texts() == ["Kain Tenun Ikat"]
    assert page.get_by_label("Kata pencarian").input_value() == "kain"

    page.get_by_role("link", name="Kain Tenun Ikat").click()
    page.wait_for_url("**/produk/kain-tenun-ikat")
    assert page.locator("h1").inner_text() == "Kain Tenun Ikat"
    assert page.locator("#money-title").inner_text() == "Ke mana Rp 900.000 Anda mengalir"

    page.get_by_role("link", name="EN", exact=True).click()
    page.wait_for_url("**/produk/kain-tenun-ikat")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#money-title").inner_text() == "Where your Rp 900.000 goes"
    assert page.get_by_role("link", name="Products", exact=True).is_visible()


def test_gallery_thumbnails_work_with_the_keyboard(page):
    small_shop()
    page.goto("/produk/kain-batik-tulis-kawung")
    first, second = page.locator(".gallery-slide").all()
    assert first.is_visible() and not second.is_visible()
    page.locator('.thumbs a[href="#foto-2"]').focus()
    page.keyboard.press("Enter")
    assert second.is_visible() and not first.is_visible()
