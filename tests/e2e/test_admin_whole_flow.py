"""The administrator's whole month in a real browser, on the demo seed's history: import
this month's BCA statement (matches confirmed, exceptions listed, one resolved), sync
with Stripe, approve a facility's monthly settlement, mark it paid, download its CSV;
the facility's staff then read it on their dashboard."""

from __future__ import annotations

import csv

from card_helpers_e2e import card_paid_order
from fake_stripe.fixtures import fake_stripe, stripe_app  # noqa: F401  (fixtures)
from playwright.sync_api import expect
from sqlalchemy import select

from shop.catalog.models import Product
from shop.core.timezone import jakarta_today
from shop.demo.seed import ADMIN_EMAIL, DEMO_PASSWORD, staff_email
from shop.extensions import db
from shop.facilities.models import Facility
from shop.ledger.check import problems
from shop.orders.models import Order
from shop.reconciliation.models import StatementLine
from shop.settlements.models import Settlement
from shop.sqltypes import utcnow

UNKNOWN = "250000.00 HENDRA"  # the exceptions list shows 60 characters of a line


def _sign_in(page, email: str, path: str) -> None:
    page.goto(path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"**{path}")


def test_admin_reconciles_syncs_and_settles_the_demo_month(
    page,
    browser,
    live_server,
    runner,
    tmp_path,
    stripe_app,  # noqa: F811
    fake_stripe,  # noqa: F811
):
    statements = tmp_path / "statements"
    seeded = runner.invoke(
        args=[
            "seed-demo",
            "--facilities",
            "2",
            "--products",
            "40",
            "--months",
            "2",
            "--orders",
            "8",
            "--seed",
            "4",
            "--statements-dir",
            str(statements),
        ]  # fmt: skip
    )
    assert seeded.exit_code == 0, seeded.output
    # One card payment Stripe knows about, paid out to the bank: what the sync will find.
    product_id = db.session.scalar(
        select(Product.id)
        .where(Product.status == "active", Product.on_hand > Product.allocated)
        .order_by(Product.id)
    )
    card_paid_order(fake_stripe, {product_id: 1})
    fake_stripe.create_payout()
    draft = db.session.scalar(
        select(Settlement).where(Settlement.state == "draft").order_by(Settlement.id)
    )
    assert draft is not None, seeded.output
    draft_id, month = draft.id, f"{draft.period_start:%Y-%m}"
    facility = db.session.get(Facility, draft.facility_id)
    staff = staff_email(facility.slug)
    awaiting_before = db.session.scalar(
        select(db.func.count(Order.id)).where(Order.status == "awaiting_payment")
    )
    current = statements / f"bca-{jakarta_today(utcnow()):%Y-%m}.csv"
    db.session.rollback()  # no read snapshot held open while the browser writes

    # 1. This month's statement: three exact transfers confirm their orders.
    _sign_in(page, ADMIN_EMAIL, "/admin/rekonsiliasi/")
    page.get_by_label("Berkas mutasi rekening (CSV)").set_input_files(str(current))
    page.get_by_label("Bank").select_option("bca")
    page.get_by_role("button", name="Impor", exact=True).click()
    page.wait_for_url("**/admin/rekonsiliasi/impor/*")
    flashes = page.locator(".flashes").inner_text()
    assert "6 baris baru" in flashes and "3 pesanan dikonfirmasi otomatis" in flashes

    # 2. The three the import could not place are on the exceptions list.
    page.goto("/admin/rekonsiliasi/pengecualian")
    listed = page.locator("#exceptions").inner_text()
    assert UNKNOWN in listed and "SWITCHING CR TRF 451" in listed
    assert "TRSF E-BANKING CR" in listed

    # 3. Resolve one: the unknown transfer is not a payment for an order.
    page.locator("#exceptions").get_by_role("link", name=UNKNOWN).click()
    page.wait_for_url("**/admin/rekonsiliasi/baris/*")
    page.get_by_label("Mengapa ini bukan milik kita?").fill("Titipan koperasi, bukan pesanan")
    page.get_by_role("button", name="Tandai bukan milik kita").click()
    page.wait_for_url("**/admin/rekonsiliasi/baris/*")
    expect(page.locator("#line-status")).to_have_text("Bukan milik kita")
    page.goto("/admin/rekonsiliasi/pengecualian")
    assert UNKNOWN not in page.locator("#exceptions").inner_text()

    # 4. Stripe: the card payment and its payout come in.
    page.goto("/admin/stripe")
    page.get_by_role("button", name="Sinkronkan dengan Stripe sekarang").click()
    page.wait_for_url("**/admin/stripe")
    assert "1 pencairan baru" in page.locator(".flashes").inner_text()
    assert "Rp " in page.locator("#stripe-payouts").inner_text()

    # 5. Last month's draft settlement: approve, mark paid, download the CSV.
    page.goto(f"/admin/penyelesaian/{draft_id}")
    expect(page.locator("#statement-state")).to_have_text("Draf")
    page.get_by_role("button", name="Setujui").click()
    expect(page.locator("#statement-state")).to_have_text("Disetujui")
    page.get_by_label("Referensi transfer bank").fill("MANDIRI 55120")
    page.get_by_label("Tanggal transfer").fill(jakarta_today(utcnow()).isoformat())
    page.get_by_role("button", name="Tandai dibayar").click()
    expect(page.locator("#statement-state")).to_have_text("Lunas")
    assert "MANDIRI 55120" in page.locator("#statement-paid").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh CSV").click()
    with open(download_info.value.path(), encoding="utf-8") as saved:
        rows = list(csv.reader(saved))
    assert any(row and row[0] == "Premi pembuat" for row in rows)

    db.session.rollback()  # what the browser's requests committed
    settlement = db.session.get(Settlement, draft_id)
    assert (settlement.state, settlement.paid_reference) == ("paid", "MANDIRI 55120")
    awaiting_after = db.session.scalar(
        select(db.func.count(Order.id)).where(Order.status == "awaiting_payment")
    )
    assert awaiting_after == awaiting_before - 3
    assert (
        db.session.scalar(
            select(StatementLine.status).where(StatementLine.description.contains(UNKNOWN))
        )
        == "not_ours"
    )
    assert problems() == []
    db.session.rollback()

    # 6. The facility's staff read the paid statement on their dashboard.
    context = browser.new_context(base_url=live_server.url, locale="id-ID")
    context.set_default_timeout(10_000)
    staff_page = context.new_page()
    try:
        _sign_in(staff_page, staff, "/dasbor/penyelesaian")
        staff_page.get_by_role("link", name=month).click()
        staff_page.wait_for_url(f"**/dasbor/penyelesaian/{draft_id}")
        assert staff_page.locator("#statement-state").inner_text() == "Lunas"
    finally:
        context.close()
