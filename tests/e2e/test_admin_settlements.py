"""An administrator settles a facility's month in a real browser (build, approve, mark
paid, download the CSV); the facility's staff then read the statement on the dashboard."""

from __future__ import annotations

import csv
import secrets
from datetime import timedelta

from factories import make_category, make_facility, make_product
from order_helpers import place
from playwright.sync_api import expect
from sqlalchemy import select
from staff_helpers import PASSWORD, make_user

from shop.core.timezone import day_start, jakarta_today
from shop.extensions import db
from shop.ledger.check import problems
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.settlements.models import Settlement
from shop.shipping.services import ensure_default_rates
from shop.sqltypes import utcnow
from shop.uow import begin_write


def _sell_last_month(items: dict[int, int]):
    """Place and pay an order at noon on the 10th of last month (WIB), through the real
    services; returns it and its month as ``"YYYY-MM"``."""
    last_month = jakarta_today(utcnow()).replace(day=1) - timedelta(days=1)
    when = day_start(last_month.replace(day=10)) + timedelta(hours=12)
    order = place(items, now=when)
    begin_write()
    confirm_bank_transfer(order.id, order.amount_due, "admin", secrets.token_hex(4), now=when)
    db.session.commit()
    return order, f"{last_month:%Y-%m}"


def _sign_in(page, email: str, path: str) -> None:
    page.goto(path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"**{path}")


def test_admin_settles_a_month_and_the_facility_reads_it(page, browser, live_server):
    ensure_default_rates()
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi")
    basket = make_product(facility, make_category(), name="Keranjang Rotan Bundar", on_hand=4)
    admin = make_user(role="admin")
    staff = make_user(facility)
    db.session.commit()
    order, month = _sell_last_month({basket.id: 2})
    number, facility_id = order.number, facility.id
    db.session.rollback()  # no read snapshot held open while the browser writes

    _sign_in(page, admin.email, "/admin/penyelesaian")
    page.get_by_label("Fasilitas").select_option(str(facility_id))
    page.get_by_label("Bulan (YYYY-MM)").fill(month)
    page.get_by_role("button", name="Buat draf penyelesaian").click()
    page.wait_for_url("**/admin/penyelesaian/*")
    assert "Draf penyelesaian dibuat" in page.locator(".flashes").inner_text()
    assert number in page.locator("#statement-parts").inner_text()
    assert page.locator("#row-premi td").inner_text() == "Rp 100.000"

    page.get_by_role("button", name="Setujui").click()
    expect(page.locator("#statement-state")).to_have_text("Disetujui")
    page.get_by_label("Referensi transfer bank").fill("BRI 7781")
    page.get_by_label("Tanggal transfer").fill(jakarta_today(utcnow()).isoformat())
    page.get_by_role("button", name="Tandai dibayar").click()
    expect(page.locator("#statement-state")).to_have_text("Lunas")
    assert "BRI 7781" in page.locator("#statement-paid").inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh CSV").click()
    download = download_info.value
    with open(download.path(), encoding="utf-8") as saved:
        rows = list(csv.reader(saved))
    assert ["Premi pembuat", "100000"] in rows
    assert rows[-1][0] == number

    db.session.rollback()
    settlement = db.session.scalar(select(Settlement))
    assert (settlement.state, settlement.paid_reference) == ("paid", "BRI 7781")
    assert problems() == []
    settlement_id = settlement.id
    db.session.rollback()

    context = browser.new_context(base_url=live_server.url, locale="id-ID")
    context.set_default_timeout(10_000)
    staff_page = context.new_page()
    try:
        _sign_in(staff_page, staff.email, "/dasbor/penyelesaian")
        staff_page.get_by_role("link", name=month).click()
        staff_page.wait_for_url(f"**/dasbor/penyelesaian/{settlement_id}")
        assert staff_page.locator("#statement-state").inner_text() == "Lunas"
        assert number in staff_page.locator("#statement-parts").inner_text()
        assert staff_page.locator("#row-amount td").inner_text().startswith("Rp ")
    finally:
        context.close()
