"""The reports page against a known data set: every number, and totals equal the ledger."""

from __future__ import annotations

import csv
import io

import pytest
from factories import make_category, make_facility, make_product
from money_data import DEC_NOW, NOV_10, NOV_20, part_of, refund_part, sell
from staff_helpers import make_user, sign_in

from shop.extensions import db
from shop.ledger.services import balance
from shop.settlements import reports
from shop.shipping.services import ensure_default_rates


@pytest.fixture
def data(app):
    ensure_default_rates()
    batik, kayu = (
        make_category(name_id="Batik", name_en="Batik"),
        make_category(name_id="Kerajinan Kayu", name_en="Woodcraft"),
    )
    east = make_facility(name="Lapas Malang", province="Jawa Timur")
    bali = make_facility(name="Lapas Kerobokan", province="Bali")
    cloth = make_product(east, batik, name="Kain Batik Malang", sku="MLG-1", on_hand=9)
    bowl = make_product(east, kayu, name="Mangkuk Kayu", sku="MLG-2", on_hand=9)
    sarong = make_product(bali, batik, name="Sarung Endek", sku="BLI-1", on_hand=9)
    db.session.commit()
    first = sell({cloth.id: 2, sarong.id: 1}, NOV_10)
    second = sell({bowl.id: 1}, NOV_20)
    refund_part(first, part_of(first, east.id), 25_000, NOV_20)
    third = sell({sarong.id: 1}, DEC_NOW)
    return {"east": east, "bali": bali, "orders": (first, second, third)}


def test_numbers_of_a_known_month_pair(data):
    report = reports.report(reports.months((2026, 11), (2026, 12)))
    by_facility = dict(report.by_facility)
    east, bali = by_facility["Lapas Malang"], by_facility["Lapas Kerobokan"]
    assert (east.sales, east.refunds) == (450_000, 25_000)
    assert (bali.sales, bali.refunds) == (300_000, 0)
    assert (bali.material_cost, bali.premi, bali.pnbp, bali.capital) == (
        100_000,
        100_000,
        30_000,
        70_000,
    )
    assert report.by_category == [("Batik", 600_000), ("Kerajinan Kayu", 150_000)]
    assert report.by_province == [("Bali", 300_000), ("Jawa Timur", 450_000)]
    assert report.by_month == [("2026-11", 600_000), ("2026-12", 150_000)]
    cash = dict(report.cash)
    paid_in = sum(o.amount_due for o in data["orders"])
    assert cash["bank"]["collected"] == paid_in
    assert cash["bank"]["refunds"] == -25_000
    assert cash["bank"]["net"] == paid_in - 25_000 == balance("bank")
    assert cash["stripe"]["net"] == 0
    # Totals equal the ledger: what facilities are owed, and the shares account by account.
    total = report.total
    owed = -balance(("fac_material", "fac_premi", "fac_pnbp", "fac_capital", "fac_shipping"))
    assert total.net == owed
    assert total.premi == -balance("fac_premi")
    assert total.pnbp == -balance("fac_pnbp")
    assert total.capital == -balance("fac_capital")
    assert total.material_cost == -balance("fac_material")
    assert sum(a for _c, a in report.by_category) == total.sales == 750_000


def test_one_month_leaves_the_other_out(data):
    report = reports.report(reports.months((2026, 12), (2026, 12)))
    assert [(n, r.sales) for n, r in report.by_facility] == [("Lapas Kerobokan", 150_000)]
    assert report.by_category == [("Batik", 150_000)]


def test_recap_lists_products_and_money_per_facility(data):
    east, bali = reports.recap(2026, 11)[::-1]  # sorted by name: Kerobokan, Malang
    assert (east.facility, east.province) == ("Lapas Malang", "Jawa Timur")
    assert east.products == [
        ("Kain Batik Malang", "MLG-1", 2, 300_000),
        ("Mangkuk Kayu", "MLG-2", 1, 150_000),
    ]
    assert (east.money.sales, east.money.refunds) == (450_000, 25_000)
    assert bali.products == [("Sarung Endek", "BLI-1", 1, 150_000)]


def test_pages_and_csv_are_for_administrators(app, data):
    admin = app.test_client()
    sign_in(admin, make_user(role="admin").email)
    db.session.commit()
    page = admin.get("/admin/laporan?dari=2026-11&sampai=2026-12")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Penjualan per kategori" in body and "<svg" in body
    assert "Rp 600.000" in body and "Kerajinan Kayu" in body
    rows = list(
        csv.reader(
            io.StringIO(
                admin.get("/admin/laporan/category.csv?dari=2026-11&sampai=2026-12").get_data(
                    as_text=True
                )
            )
        )
    )
    assert rows == [["Kategori", "Penjualan"], ["Batik", "600000"], ["Kerajinan Kayu", "150000"]]
    rows = list(
        csv.reader(
            io.StringIO(admin.get("/admin/laporan/rekap.csv?bulan=2026-11").get_data(as_text=True))
        )
    )
    assert ["Lapas Malang", "Jawa Timur", "Kain Batik Malang", "MLG-1", "2", "300000"] in rows
    assert ["Lapas Kerobokan", "Bali", "Premi pembuat", "", "", "50000"] in rows
    recap = admin.get("/admin/laporan/rekap?bulan=2026-11").get_data(as_text=True)
    assert "Mangkuk Kayu" in recap

    bad = admin.get("/admin/laporan?dari=２０２６-11&sampai=<script>")
    assert bad.status_code == 400
    assert "Tulis bulan sebagai YYYY-MM" in bad.get_data(as_text=True)
    assert "<script>" not in bad.get_data(as_text=True)
    assert admin.get("/admin/laporan/rekap?bulan=9999-99").status_code == 400
    assert admin.get("/admin/laporan/nope.csv").status_code == 404

    staff = app.test_client()
    sign_in(staff, make_user(data["east"]).email)
    db.session.commit()
    for path in ("/admin/laporan", "/admin/laporan/facility.csv", "/admin/laporan/rekap"):
        assert staff.get(path).status_code == 403
