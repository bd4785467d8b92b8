"""The overview's numbers on a known data set: Jakarta day boundaries, this facility only,
paid orders only, cancelled parts left out; the SVG chart and its data table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from dash_data import paid_order
from factories import make_category, make_facility, make_product
from order_helpers import place
from sqlalchemy import select, update
from staff_helpers import make_user, sign_in

from shop.dashboard import stats
from shop.extensions import db
from shop.orders import services as orders
from shop.orders.models import FacilityOrder, Order
from shop.shipping.services import ensure_default_rates
from shop.uow import begin_write

EN = {"Accept-Language": "en"}
NOW = datetime(2026, 3, 16, 5, 0, tzinfo=UTC)  # 12:00 WIB on 16 March


def _paid_at(order, when: datetime) -> None:
    db.session.execute(update(Order).where(Order.id == order.id).values(paid_at=when))
    db.session.commit()


@pytest.fixture
def data(app):
    ensure_default_rates()
    category = make_category()
    home = make_facility(name="Lapas Kayu")
    other = make_facility(name="Lapas Lain", province="Bali")
    bowl = make_product(home, category, name="Mangkuk Jati", price=100_000, on_hand=50)
    box = make_product(home, category, name="Kotak Ukir", price=250_000, on_hand=50)
    foreign = make_product(other, category, name="Produk Lain", price=999_000, on_hand=50)
    staff = make_user(home)
    db.session.commit()
    # 00:30 WIB on 16 March (still 15 March in UTC): today.
    _paid_at(paid_order({bowl.id: 2, foreign.id: 1}), datetime(2026, 3, 15, 17, 30, tzinfo=UTC))
    # 23:30 WIB on 15 March: this month, not today.
    _paid_at(paid_order({box.id: 1}), datetime(2026, 3, 15, 16, 30, tzinfo=UTC))
    # 28 February WIB: last month, inside 30 and 90 days.
    _paid_at(paid_order({bowl.id: 1, box.id: 1}), datetime(2026, 2, 28, 10, 0, tzinfo=UTC))
    # Paid today but this facility's part was cancelled: not a sale.
    cancelled = paid_order({box.id: 3})
    _paid_at(cancelled, datetime(2026, 3, 16, 1, 0, tzinfo=UTC))
    part = db.session.scalar(select(FacilityOrder.id).where(FacilityOrder.order_id == cancelled.id))
    begin_write()
    orders.cancel_paid_part(part, "staff", "pecah")
    db.session.commit()
    # Unpaid: not a sale.
    place({bowl.id: 4})
    # 100 days ago: outside the chart.
    _paid_at(paid_order({bowl.id: 5}), datetime(2025, 12, 6, 3, 0, tzinfo=UTC))
    return home, staff


def test_sales_numbers_for_a_known_data_set(data):
    home, _staff = data
    summary = stats.summary(home.id, NOW)
    assert summary.today == 200_000
    assert summary.month == 200_000 + 250_000
    assert summary.waiting == 4  # four paid parts of this facility still to pack
    daily = dict(summary.daily)
    assert len(summary.daily) == 90 and summary.daily[-1][0] == date(2026, 3, 16)
    assert daily[date(2026, 3, 16)] == 200_000
    assert daily[date(2026, 3, 15)] == 250_000
    assert daily[date(2026, 2, 28)] == 350_000
    assert summary.ninety_days == 800_000
    best = stats.best_sellers(home.id, NOW)
    assert [(b.name, b.quantity, b.revenue) for b in best] == [
        ("Mangkuk Jati", 3, 300_000),
        ("Kotak Ukir", 2, 500_000),
    ]


def test_chart_geometry():
    daily = [(date(2026, 3, d), amount) for d, amount in ((1, 0), (2, 30_000), (3, 100_000))]
    chart = stats.chart(daily)
    assert chart.top == 100_000
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.day == date(2026, 3, 3) and tallest.y + tallest.height == chart.plot_bottom
    assert chart.bars[0].height == 0
    assert chart.ticks and chart.ticks[0][1] == date(2026, 3, 1)


def test_overview_page_shows_numbers_chart_and_table(data, app, monkeypatch):
    _home, staff = data
    monkeypatch.setattr("shop.dashboard.home_views.utcnow", lambda: NOW)
    client = app.test_client()
    sign_in(client, staff.email)
    html = client.get("/dasbor/", headers=EN).get_data(as_text=True)
    assert 'id="sales-today">Rp 200.000<' in html
    assert 'id="sales-month">Rp 450.000<' in html
    assert "Produk Lain" not in html and "999.000" not in html
    assert '<svg viewBox="0 0 720 240" role="img" aria-labelledby="chart-title chart-desc"' in html
    assert '<title id="chart-title">Sales per day, last 90 days</title>' in html
    assert html.count('class="chart-bar"') == 3
    assert '<td>2026-02-28</td><td class="num">Rp 350.000</td>' in html
    assert "Mangkuk Jati — 3 sold, Rp 300.000" in html
    assert "<script>" not in html and 'style="' not in html
