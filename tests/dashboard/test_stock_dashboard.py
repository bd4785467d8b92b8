"""Stock pages: adjustments with reasons, never below what unpaid orders hold, the ledger
adds up to on_hand, filters, scoped CSV, low-stock threshold."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from dash_data import paid_order
from factories import make_category, make_facility, make_product
from order_helpers import place, stock
from sqlalchemy import func, select, update
from staff_helpers import csrf_token, make_user, sign_in

from shop.extensions import db
from shop.inventory import stock_services
from shop.inventory.models import StockMovement
from shop.orders.models import FacilityOrder
from shop.shipping.services import ensure_default_rates
from shop.sqltypes import utcnow

EN = {"Accept-Language": "en"}


@pytest.fixture
def setup(app):
    ensure_default_rates()
    facility = make_facility(name="Lapas Rotan")
    category = make_category()
    product = make_product(facility, category, name="Keranjang Rotan", on_hand=0)
    staff = make_user(facility)
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 303
    return facility, category, product, staff, client


def _adjust(client, product, reason, change, note=""):
    url = f"/dasbor/stok/{product.id}"
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, "/dasbor/stok"),
            "reason": reason,
            "change": str(change),
            "note": note,
        },
        headers=EN,
    )


def _ledger_sum(product_id: int) -> int:
    db.session.commit()
    return db.session.scalar(
        select(func.coalesce(func.sum(StockMovement.delta), 0)).where(
            StockMovement.product_id == product_id
        )
    )


def test_adjust_with_reason_records_a_movement(setup):
    _f, _c, product, staff, client = setup
    response = _adjust(client, product, "production", 12, "Batch 3 bengkel rotan")
    assert response.status_code == 303
    assert stock(product.id) == (12, 0)
    movement = db.session.scalars(select(StockMovement)).one()
    assert (movement.delta, movement.reason_code, movement.kind) == (12, "production", "restock")
    assert movement.reason == "Batch 3 bengkel rotan" and movement.actor == staff.email
    page = client.get(f"/dasbor/stok/{product.id}", headers=EN).get_data(as_text=True)
    assert "New production batch" in page and "Batch 3 bengkel rotan" in page
    assert 'id="stat-on-hand">12<' in page


@pytest.mark.parametrize(
    ("reason", "change", "message"),
    [
        ("damaged", 2, "write a negative number"),
        ("production", -3, "write a positive number"),
        ("returned", -1, "write a positive number"),
        ("correction", 0, "Write how many pieces to add or remove."),
        ("stolen", 1, "Not a valid choice"),
        ("correction", "", "Write how many pieces to add or remove."),
    ],
)
def test_adjustment_form_refuses_with_a_message(setup, reason, change, message):
    *_, product, _staff, client = setup
    response = _adjust(client, product, reason, change, "catatan")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'value="catatan"' in html  # the input is kept
    assert stock(product.id) == (0, 0)
    assert _ledger_sum(product.id) == 0


def test_adjustments_never_push_on_hand_below_allocated(setup):
    *_, product, _staff, client = setup
    _adjust(client, product, "production", 3)
    place({product.id: 2})  # unpaid: 2 of 3 held
    assert stock(product.id) == (3, 2)
    response = _adjust(client, product, "damaged", -2, "kena air")
    html = response.get_data(as_text=True)
    assert "3 on hand, 2 of them held for unpaid orders, so at most 1 can be removed" in html
    assert stock(product.id) == (3, 2)
    with pytest.raises(stock_services.AdjustmentRefused):
        stock_services.adjust_stock(product.facility_id, product.id, "correction", -3, "", "t")
    db.session.rollback()
    assert _adjust(client, product, "damaged", -1).status_code == 303
    assert stock(product.id) == (2, 2)
    assert _ledger_sum(product.id) == 2


def test_the_ledger_sums_to_on_hand_through_every_kind_of_change(setup):
    _f, _c, product, _staff, client = setup
    _adjust(client, product, "production", 10)
    _adjust(client, product, "damaged", -1)
    order = paid_order({product.id: 3})  # sale: -3
    part = db.session.scalar(select(FacilityOrder).where(FacilityOrder.order_id == order.id))
    _adjust(client, product, "returned", 1)
    _adjust(client, product, "correction", -2)
    client.post(
        f"/dasbor/pesanan/{part.id}/batal",
        data={"csrf_token": csrf_token(client, "/dasbor/stok"), "reason": "Rusak saat dikemas"},
    )  # cancelled after payment: +3 back on the shelf
    on_hand, allocated = stock(product.id)
    assert (on_hand, allocated) == (10 - 1 - 3 + 1 - 2 + 3, 0)
    assert _ledger_sum(product.id) == on_hand
    codes = db.session.scalars(select(StockMovement.reason_code).order_by(StockMovement.id)).all()
    assert codes == ["production", "damaged", "sale", "returned", "correction", "cancelled"]
    f = stock_services.LedgerFilter(product_id=product.id)
    assert stock_services.ledger_total(product.facility_id, f) == on_hand


def _movement(product, delta, code, note="", days_ago=0):
    db.session.add(
        StockMovement(
            product_id=product.id,
            delta=delta,
            kind="adjustment",
            reason_code=code,
            actor="t@lapas.test",
            reason=note,
            created_at=utcnow() - timedelta(days=days_ago),
        )
    )
    db.session.execute(
        update(product.__table__)
        .where(product.__table__.c.id == product.id)
        .values(on_hand=product.__table__.c.on_hand + delta)
    )


def test_ledger_filters_and_scoped_csv(setup):
    facility, category, product, _staff, client = setup
    other_mine = make_product(facility, category, name="Tas Anyam", on_hand=0)
    foreign = make_product(make_facility(), category, name="Produk Tetangga", on_hand=0)
    _movement(product, 5, "production", "lama", days_ago=20)
    _movement(product, -1, "damaged", '=HYPERLINK("http://x")', days_ago=1)
    _movement(other_mine, 4, "production", "baru")
    _movement(foreign, 9, "production", "rahasia tetangga")
    db.session.commit()

    page = client.get("/dasbor/stok/riwayat", headers=EN).get_data(as_text=True)
    assert "Keranjang Rotan" in page and "Tas Anyam" in page
    assert "Produk Tetangga" not in page and "rahasia tetangga" not in page
    assert "3 movements, adding up to +8 pieces." in page

    by_reason = client.get("/dasbor/stok/riwayat?reason=damaged", headers=EN)
    assert "1 movements, adding up to -1 pieces." in by_reason.get_data(as_text=True)
    recent = (utcnow() - timedelta(days=3)).date().isoformat()
    by_date = client.get(f"/dasbor/stok/riwayat?from={recent}", headers=EN)
    assert "2 movements" in by_date.get_data(as_text=True)

    response = client.get(f"/dasbor/stok/riwayat.csv?product={product.id}")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["tanggal (WIB)", "produk", "sku", "perubahan"]  # the staff's language
    english = client.get(f"/dasbor/stok/riwayat.csv?product={product.id}", headers=EN)
    assert (
        english.get_data(as_text=True).splitlines()[0]
        == "date (WIB),product,sku,change,reason,note,order,by"
    )
    assert [(r[1], r[3], r[4]) for r in rows[1:]] == [
        ("Keranjang Rotan", "5", "production"),
        ("Keranjang Rotan", "-1", "damaged"),
    ]
    assert rows[2][5].startswith("'=")  # a formula in a note is not run by spreadsheets
    everything = client.get("/dasbor/stok/riwayat.csv").get_data(as_text=True)
    assert "Tas Anyam" in everything and "Produk Tetangga" not in everything
    assert "rahasia" not in everything
    assert sum(int(r[3]) for r in list(csv.reader(io.StringIO(everything)))[1:]) == 8
    # Another facility's product in the filter: 404, for the page and the export.
    assert client.get(f"/dasbor/stok/riwayat?product={foreign.id}").status_code == 404
    assert client.get(f"/dasbor/stok/riwayat.csv?product={foreign.id}").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["to=9999-12-31", "from=0001-01-01", "from=0001-01-01&to=9999-12-31", "to=٢٠٢٦-١٢-٠١"],
)
def test_ledger_dates_out_of_range_are_ignored_not_a_crash(setup, query):
    _facility, _category, product, _staff, client = setup
    _movement(product, 5, "production", "batch")
    db.session.commit()
    page = client.get(f"/dasbor/stok/riwayat?{query}", headers=EN)
    assert page.status_code == 200
    assert "1 movements, adding up to +5 pieces." in page.get_data(as_text=True)
    export = client.get(f"/dasbor/stok/riwayat.csv?{query}", headers=EN)
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert export.status_code == 200 and len(rows) == 2  # header and the movement, whole
    assert rows[1][3] == "5"


@pytest.mark.parametrize("raw", ["99999999999999999999", "²", "٣", "abc"])
def test_ledger_product_filter_that_is_no_id_answers_404(setup, raw):
    client = setup[-1]
    assert client.get(f"/dasbor/stok/riwayat?product={raw}").status_code == 404
    assert client.get(f"/dasbor/stok/riwayat.csv?product={raw}").status_code == 404


def test_threshold_and_low_stock_list(setup):
    facility, category, product, _staff, client = setup
    plenty = make_product(facility, category, name="Tikar Pandan", on_hand=50)
    make_product(facility, category, name="Arsip Lama", on_hand=0, status="archived")
    db.session.commit()
    _adjust(client, product, "production", 4)
    url = f"/dasbor/stok/{product.id}/batas"
    token = csrf_token(client, "/dasbor/stok")
    assert client.post(url, data={"csrf_token": token, "threshold": "5"}).status_code == 303
    bad = client.post(url, data={"csrf_token": token, "threshold": "-1"}, headers=EN)
    assert "Between 0 and 100000." in bad.get_data(as_text=True)
    db.session.commit()
    db.session.refresh(product)
    assert product.low_stock_threshold == 5 and product.version == 1  # no edit conflict
    home = client.get("/dasbor/", headers=EN).get_data(as_text=True)
    low = home.split('id="low-stock"')[1].split("</ul>")[0]
    assert "Keranjang Rotan" in low and "4 available (threshold 5)" in low
    assert "Tikar Pandan" not in low and "Arsip Lama" not in low
    listing = client.get("/dasbor/stok?low=1").get_data(as_text=True)
    assert "Keranjang Rotan" in listing and plenty.name not in listing


def test_stock_pages_of_another_facility_are_404(setup):
    *_, client = setup
    foreign = make_product(make_facility(), make_category(), on_hand=7)
    db.session.commit()
    token = csrf_token(client, "/dasbor/stok")
    assert client.get(f"/dasbor/stok/{foreign.id}").status_code == 404
    data = {"csrf_token": token, "reason": "damaged", "change": "-7"}
    assert client.post(f"/dasbor/stok/{foreign.id}", data=data).status_code == 404
    data = {"csrf_token": token, "threshold": "3"}
    assert client.post(f"/dasbor/stok/{foreign.id}/batas", data=data).status_code == 404
    assert stock(foreign.id) == (7, 0)
    with pytest.raises(LookupError):
        stock_services.adjust_stock(foreign.facility_id + 1000, foreign.id, "damaged", -1, "", "x")


@pytest.mark.parametrize("typed", ["abc", "²", "٣", "99999999999999999999", "1.5"])
def test_a_change_that_is_no_whole_number_is_told_in_indonesian(setup, typed):
    _facility, _category, product, _staff, client = setup
    response = client.post(
        f"/dasbor/stok/{product.id}",
        data={
            "csrf_token": csrf_token(client, "/dasbor/stok"),
            "reason": "production",
            "change": typed,
            "note": "x" * 301,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tulis bilangan bulat, misalnya 10." in html
    assert f'value="{typed}"' in html  # the form again with what was typed
    assert "Not a valid integer value" not in html
    # WTForms' own messages are in Indonesian too (Length on the note).
    assert "Isian tidak boleh lebih dari 300 karakter." in html
    assert _ledger_sum(product.id) == 0
