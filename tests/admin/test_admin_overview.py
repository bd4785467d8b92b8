"""The administrators' front page: today's numbers across the marketplace."""

from __future__ import annotations

from datetime import timedelta

from order_helpers import place, shop_with_products
from sqlalchemy import update

from shop.admin.overview import overview
from shop.extensions import db
from shop.orders.models import FacilityOrder, Order
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.sqltypes import utcnow
from shop.uow import begin_write


def _paid(product_id: int, paid_days_ago: float = 0) -> Order:
    order = place({product_id: 1})
    begin_write()
    confirm_bank_transfer(order.id, order.amount_due, "admin:1", "BRI")
    db.session.commit()
    if paid_days_ago:
        when = utcnow() - timedelta(days=paid_days_ago)
        db.session.execute(update(Order).where(Order.id == order.id).values(paid_at=when))
        db.session.commit()
    return db.session.get(Order, order.id)


def test_todays_numbers(app, admin):
    a, b, c, d = shop_with_products(on_hand=(5, 5, 5, 5))
    waiting = place({a.id: 1})
    db.session.commit()
    today_paid = _paid(b.id)
    _paid(c.id, paid_days_ago=5)  # placed today (by placed_at), paid "5 days ago": late
    shipped = _paid(d.id, paid_days_ago=6)
    db.session.execute(
        update(FacilityOrder).where(FacilityOrder.order_id == shipped.id).values(status="shipped")
    )
    db.session.commit()

    numbers = overview(utcnow(), late_days=3)
    assert numbers.orders_today == 4
    assert numbers.sales_today == today_paid.total
    assert numbers.awaiting_payment == 1
    assert numbers.late_parts == 1 and len(numbers.late) == 1
    assert numbers.refunds_due == 0

    html = admin.get("/admin/").get_data(as_text=True)
    assert "Hari ini di seluruh toko" in html
    assert "Terlambat dikirim (dibayar lebih dari 3 hari lalu)" in html
    late = html[html.index('id="late-title"') :]
    assert db.session.get(Order, shipped.id).number not in late.split("</section>")[0]
    assert 'href="/admin/transfer?tab=review"' in html
    assert waiting.number  # the awaiting order is counted, not listed
