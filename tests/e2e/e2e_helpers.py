"""Steps several browser tests take the same way."""

from __future__ import annotations

BUYER = {
    "Nama lengkap": "Siti Rahma",
    "Email": "siti@example.com",
    "Telepon / WhatsApp": "0812 3456 7890",
    "Alamat jalan": "Jl. Melati No. 5",
    "Kota / kabupaten": "Jakarta Selatan",
    "Kecamatan": "Tebet",
    "Kode pos": "12810",
}


def fill_buyer_details(page, **overrides: str) -> None:
    """Fill the checkout details form (Indonesian labels) as the buyer Siti would."""
    for label, value in {**BUYER, **overrides}.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("Provinsi").select_option("DKI Jakarta")


def open_section_menu(page):
    """On a phone the dashboard's and administrators' menu is folded: open it."""
    page.locator(".dash-menu summary").click()
    return page.locator(".dash-menu")
