"""A settlement's makers' premi, shared out to the makers recorded on the products sold."""

from __future__ import annotations

from datetime import date

from money_data import DEC_NOW, NOV_10, NOV_20, part_of, refund_part, sell
from order_helpers import shop_with_products
from staff_helpers import make_user, sign_in

from shop.extensions import db
from shop.facilities.models import Facility
from shop.makers.models import product_maker
from shop.makers.services import create_maker
from shop.settlements import services as settle
from shop.settlements.makers import premi_per_maker


def test_premi_is_shared_by_line_profit_then_equally_over_each_products_makers(app):
    # Two products of one facility (Rp 150.000 each, no material cost: all profit).
    shared, alone, unmarked = shop_with_products(on_hand=(9, 9, 9), facilities=1)
    facility_id = shared.facility_id
    wati = create_maker("test", facility_id, "Wati", date(2026, 1, 5))
    budi = create_maker("test", facility_id, "Budi", date(2026, 1, 5))
    db.session.flush()
    db.session.execute(
        product_maker.insert(),
        [
            {"product_id": shared.id, "maker_id": wati.id},
            {"product_id": shared.id, "maker_id": budi.id},
            {"product_id": alone.id, "maker_id": wati.id},
        ],
    )
    db.session.commit()
    order = sell({shared.id: 1, alone.id: 1, unmarked.id: 1}, NOV_10)
    part = part_of(order, facility_id)
    # A refund later in the month lowers the premi that is settled.
    refund_part(order, part, 30_000, NOV_20)
    settlement = settle.build(facility_id, 2026, 11, "admin", now=DEC_NOW)
    db.session.commit()

    rows = premi_per_maker(settlement.id)
    assert sum(r.amount for r in rows) == settlement.premi
    by_name = {r.name or None: r.amount for r in rows}
    third = settlement.premi // 3  # three lines of equal profit
    assert abs(by_name["Budi"] - third / 2) <= 1
    assert abs(by_name["Wati"] - (third + third / 2)) <= 2
    assert abs(by_name[None] - third) <= 1  # the product with no maker recorded
    assert rows[-1].maker_id is None  # the unassigned rest comes last

    # The facility's staff see it on their statement once it is approved.
    settle.approve(settlement.id, "admin")
    db.session.commit()
    staff = app.test_client()
    sign_in(staff, make_user(db.session.get(Facility, facility_id)).email)
    page = staff.get(f"/dasbor/penyelesaian/{settlement.id}").get_data(as_text=True)
    assert "Premi per pembuat" in page and "Wati" in page and "Budi" in page
    assert "Belum dibagikan ke pembuat" in page
