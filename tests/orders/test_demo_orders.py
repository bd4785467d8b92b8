import random

from order_helpers import assert_stock_invariants, shop_with_products
from sqlalchemy import select

from shop.demo.orders import seed_demo_orders
from shop.extensions import db
from shop.orders.models import FacilityOrder, Order


def test_demo_orders_go_through_the_real_services(app):
    shop_with_products(on_hand=(20, 20, 20, 20, 1, 20), facilities=3)
    placed = seed_demo_orders(30, random.Random(7))
    assert 20 <= placed <= 30
    db.session.commit()
    statuses = db.session.execute(select(Order.status)).scalars().all()
    assert len(statuses) == placed
    assert {"paid", "awaiting_payment", "expired"} <= set(statuses)
    shipped = (
        db.session.execute(
            select(FacilityOrder.tracking_number).where(FacilityOrder.status == "shipped")
        )
        .scalars()
        .all()
    )
    assert shipped and all(shipped)
    assert_stock_invariants()
