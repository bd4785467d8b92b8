"""Premi per maker: a settlement's makers' premi shared out to the makers recorded on the
products sold, so the facility can pay each one's share into their savings.

Each part's premi (as settled: a refund after the sale lowers it) is shared over its
order lines by their profit (price less material cost), and each line's share equally
over the product's makers. Premi of a product with no maker recorded stays with the
facility, listed as not yet assigned. Makers are those linked to the product now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from shop.extensions import db
from shop.ledger.allocation import allocate
from shop.makers.models import Maker, product_maker
from shop.orders.models import OrderLine
from shop.settlements.models import SettlementItem


@dataclass(frozen=True)
class MakerPremi:
    maker_id: int | None  # None: premi of products with no maker recorded
    name: str
    amount: int


def premi_per_maker(settlement_id: int) -> list[MakerPremi]:
    """Each maker's premi in this settlement, by name; the unassigned rest last."""
    premi_of_part = {
        part_id: -int(total)
        for part_id, total in db.session.execute(
            select(SettlementItem.facility_order_id, func.sum(SettlementItem.amount))
            .where(
                SettlementItem.settlement_id == settlement_id,
                SettlementItem.code == "fac_premi",
                SettlementItem.facility_order_id.is_not(None),
            )
            .group_by(SettlementItem.facility_order_id)
        )
        if total
    }
    if not premi_of_part:
        return []
    lines = db.session.execute(
        select(
            OrderLine.facility_order_id,
            OrderLine.product_id,
            OrderLine.line_total - OrderLine.material_cost * OrderLine.quantity,
        )
        .where(OrderLine.facility_order_id.in_(list(premi_of_part)))
        .order_by(OrderLine.facility_order_id, OrderLine.id)
    ).all()
    makers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for product_id, maker_id, name in db.session.execute(
        select(product_maker.c.product_id, Maker.id, Maker.name)
        .join(Maker, Maker.id == product_maker.c.maker_id)
        .where(product_maker.c.product_id.in_({line.product_id for line in lines}))
        .order_by(Maker.id)
    ):
        makers[product_id].append((maker_id, name))

    by_part: dict[int, list] = defaultdict(list)
    for line in lines:
        by_part[line.facility_order_id].append(line)
    totals: dict[tuple[int | None, str], int] = defaultdict(int)
    for part_id, part_lines in by_part.items():
        shares = allocate(premi_of_part[part_id], [profit for _p, _pr, profit in part_lines])
        for (_part, product_id, _profit), share in zip(part_lines, shares, strict=True):
            who = makers.get(product_id) or [(None, "")]
            for (maker_id, name), piece in zip(who, allocate(share, [1] * len(who)), strict=True):
                totals[(maker_id, name)] += piece
    rows = [MakerPremi(mid, name, amount) for (mid, name), amount in totals.items() if amount]
    return sorted(rows, key=lambda r: (r.maker_id is None, r.name.lower(), r.maker_id or 0))
