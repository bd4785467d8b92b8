"""Issue 14: a visitor with the English interface searches as people type."""

import sys
from pathlib import Path

from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "catalog"))

from search_relevance_data import relevance_shop  # noqa: E402


def test_english_visitor_finds_bags_gets_batik_for_battik_and_filters_by_facility(page):
    relevance_shop()
    page.goto("/")
    page.get_by_role("link", name="EN", exact=True).click()
    page.wait_for_function("document.documentElement.lang === 'en'")

    box = page.get_by_label("Search products")
    box.fill("bag")
    box.press("Enter")
    page.wait_for_url("**/produk?q=bag")
    titles = page.locator(".card-title").all_inner_texts()
    assert set(titles) == {
        "Tas Anyaman Pandan",
        "Tas Rotan Bundar",
        "Tas Kulit Selempang",
        "Tas Rajut Benang",
    }
    assert page.locator(".result-count").inner_text() == "4 products"

    # As the visitor types, the box offers completions (a datalist filled from JSON).
    box = page.get_by_label("Search products")
    box.fill("")
    box.press_sequentially("keranj")
    expect(page.locator("#suggest-0 option")).to_have_count(2)
    assert set(page.locator("#suggest-0 option").evaluate_all("os => os.map(o => o.value)")) == {
        "Keranjang Bambu Kecil",
        "Keranjang Rotan Besar",
    }

    box.fill("battik")
    box.press("Enter")
    page.wait_for_url("**/produk?q=battik")
    line = page.locator(".did-you-mean")
    assert line.inner_text() == "Showing results for batik; search instead for battik"
    titles = page.locator(".card-title").all_inner_texts()
    assert set(titles) == {
        "Kain Batik Tulis Kawung",
        "Kain Batik Cap Parang",
        "Selendang Batik Mega Mendung",
        "Kemeja Batik Lengan Panjang",
    }
    assert page.locator(".result-count").inner_text() == "4 products"

    # The facility filter counts this search's matches; choosing one applies it.
    facility = page.get_by_label("Facility")
    options = facility.locator("option").all_inner_texts()
    assert options == [
        "All facilities",
        "Lapas Kelas IIA Kerobokan (2)",
        "Lapas Kelas IIB Tasikmalaya (2)",
    ]
    facility.select_option("lapas-tasikmalaya")
    page.wait_for_url("**fasilitas=lapas-tasikmalaya**")
    assert page.locator(".card-title").count() == 2
    assert page.locator(".result-count").inner_text() == "2 products"
    assert page.locator(".did-you-mean").is_visible()

    # "search instead for" searches the word as typed.
    page.get_by_role("link", name="battik").click()
    page.wait_for_url("**persis=1**")
    assert page.locator(".result-count").inner_text() == "No products found"
