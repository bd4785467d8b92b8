"""The facility's own settlement statements (approved or paid), printable and as CSV."""

from __future__ import annotations

from flask import abort, render_template

from shop.accounts.scoping import staff_facility_id, staff_required
from shop.dashboard import bp
from shop.settlements import services, statements
from shop.settlements.makers import premi_per_maker

VISIBLE = ("approved", "paid")  # a draft may still change or vanish


def _own_or_404(settlement_id: int):
    settlement = services.get(settlement_id, staff_facility_id())
    if settlement is None or settlement.state not in VISIBLE:
        abort(404)
    return settlement


@bp.get("/penyelesaian")
@staff_required
def settlements():
    return render_template(
        "settlements/staff_list.html",
        settlements=services.listing(staff_facility_id(), VISIBLE),
    )


@bp.get("/penyelesaian/<id:settlement_id>")
@staff_required
def settlement(settlement_id: int):
    s = _own_or_404(settlement_id)
    return render_template(
        "settlements/staff_statement.html",
        s=s,
        rows=statements.summary_rows(s),
        parts=services.parts(s.id),
        makers=premi_per_maker(s.id),
    )


@bp.get("/penyelesaian/<id:settlement_id>.csv")
@staff_required
def settlement_csv(settlement_id: int):
    return statements.csv_response(_own_or_404(settlement_id))
