"""The dashboard home: sales today and this month, work waiting, low stock, best sellers,
and a 90-day sales chart drawn on the server (SVG, with the numbers as a table too)."""

from __future__ import annotations

from flask import render_template

from shop.accounts.scoping import staff_facility_id, staff_required
from shop.dashboard import bp, stats
from shop.inventory import stock_services
from shop.sqltypes import utcnow


@bp.get("/")
@staff_required
def home():
    facility_id = staff_facility_id()
    now = utcnow()
    summary = stats.summary(facility_id, now)
    return render_template(
        "dashboard/home.html",
        summary=summary,
        chart=stats.chart(summary.daily),
        low_stock=stock_services.low_stock(facility_id),
        best_sellers=stats.best_sellers(facility_id, now),
    )
