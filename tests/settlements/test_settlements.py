"""Settlements settle ledger postings: once each, by period, draft → approved → paid."""

from __future__ import annotations

from datetime import date

import pytest
from money_data import (
    DEC_1_EARLY,
    DEC_NOW,
    FEB_NOW,
    JAN_NOW,
    NOV_10,
    NOV_20,
    NOV_30_LATE,
    cancel,
    part_of,
    refund_part,
    sell,
)
from order_helpers import shop_with_products
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.ledger.check import problems
from shop.ledger.models import JournalEntry
from shop.ledger.services import FACILITY_ACCOUNTS, balance
from shop.settlements import services as settle
from shop.settlements.models import Settlement, SettlementItem


@pytest.fixture
def world(app):
    a1, a2, b1 = shop_with_products(on_hand=(9, 9, 9), facilities=2)
    # facilities alternate: a1 and b1 at the first facility, a2 at the second
    return {"home": a1.facility_id, "other": a2.facility_id, "p": a1, "q": b1, "r": a2}


def _build(facility_id, year=2026, month=11, now=DEC_NOW):
    settlement = settle.build(facility_id, year, month, "admin@example.com", now=now)
    db.session.commit()
    return settlement


def test_a_month_settles_its_sales_shares_and_the_parts_in_it(world):
    first = sell({world["p"].id: 2, world["r"].id: 1}, NOV_10)
    second = sell({world["q"].id: 1}, NOV_30_LATE)
    sell({world["p"].id: 1}, DEC_1_EARLY)  # December in Jakarta: not this month
    part1, part2 = part_of(first, world["home"]), part_of(second, world["home"])

    s = _build(world["home"])

    assert (s.period_start, s.period_end, s.state) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
        "draft",
    )
    assert s.gross_sales == part1.subtotal + part2.subtotal == 450_000
    assert s.material_cost == 150_000
    assert (s.premi, s.pnbp, s.capital) == (150_000, 45_000, 105_000)
    assert s.profit == 300_000
    assert s.shipping == s.shipping_sold == part1.shipping_fee + part2.shipping_fee
    assert s.refunds == 0 and s.card_fees == 0
    assert s.amount == s.gross_sales + s.shipping_sold
    rows = settle.parts(s.id)
    assert sorted(r.order_number for r in rows) == sorted([first.number, second.number])
    assert sum(r.amount for r in rows) == s.amount
    # The other facility's part of the first order is not in it.
    assert {i.facility_order_id for i in db.session.scalars(select(SettlementItem))} == {
        part1.id,
        part2.id,
    }
    assert problems() == []


def test_a_part_is_settled_once_and_a_later_refund_lands_in_the_next_month(world):
    order = sell({world["p"].id: 1}, NOV_10)
    part = part_of(order, world["home"])
    november = _build(world["home"])
    settle.approve(november.id, "admin", now=DEC_NOW)
    db.session.commit()
    before = november.amount

    refund_part(order, part, 40_000, DEC_NOW)  # granted in December
    with pytest.raises(settle.SettlementError) as refused:
        settle.build(world["home"], 2026, 11, "admin", now=DEC_NOW)
    assert refused.value.code == "exists"
    db.session.rollback()

    # December holds only the refund: nothing is paid, it waits for the next sale.
    with pytest.raises(settle.SettlementError) as owes:
        settle.build(world["home"], 2026, 12, "admin", now=JAN_NOW)
    assert owes.value.code == "owes"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Settlement)) == 1

    january_sale = sell({world["q"].id: 1}, JAN_NOW)
    january = _build(world["home"], 2027, 1, now=FEB_NOW)
    sold = part_of(january_sale, world["home"])
    assert january.refunds == 40_000
    assert january.gross_sales == sold.subtotal
    assert january.amount == sold.subtotal + sold.shipping_fee - 40_000
    # the refund came out of the shares in proportion: they add up to it
    assert (
        january.material_cost + january.premi + january.pnbp + january.capital + january.shipping
    ) == january.amount
    db.session.refresh(november)
    assert november.amount == before
    settled = db.session.scalars(select(SettlementItem.posting_id)).all()
    assert len(settled) == len(set(settled))
    assert problems() == []


def test_a_part_cancelled_in_the_same_month_nets_to_nothing(world):
    order = sell({world["p"].id: 1, world["q"].id: 1}, NOV_10)
    cancel(part_of(order, world["home"]), NOV_20)
    s = _build(world["home"])
    part = part_of(order, world["home"])
    assert s.gross_sales == part.subtotal
    assert s.refunds == part.subtotal + part.shipping_fee
    assert s.amount == 0


def test_refused_periods(world):
    sell({world["p"].id: 1}, NOV_10)
    for year, month, now, code in [
        (2026, 12, DEC_NOW, "open"),  # December has not ended
        (2026, 13, DEC_NOW, "period"),
        (2026, 10, DEC_NOW, "empty"),  # nothing dated in or before October
    ]:
        with pytest.raises(settle.SettlementError) as refused:
            settle.build(world["home"], year, month, "admin", now=now)
        assert refused.value.code == code
        db.session.rollback()
    with pytest.raises(settle.SettlementError) as refused:
        settle.build(999_999, 2026, 11, "admin", now=DEC_NOW)
    assert refused.value.code == "facility"


def test_totals_equal_the_ledger_and_paying_empties_the_payable(world):
    o1 = sell({world["p"].id: 1, world["r"].id: 2}, NOV_10)
    sell({world["q"].id: 3}, NOV_20)
    refund_part(o1, part_of(o1, world["home"]), 25_000, NOV_20)
    home = world["home"]
    owed = -balance(FACILITY_ACCOUNTS, facility_id=home)

    s = _build(home)
    assert s.amount == owed == settle.unsettled_total(home) + s.amount
    for code, column in settle.SHARES.items():
        assert getattr(s, column) == -balance(code, facility_id=home)
    assert s.refunds == 25_000

    bank_before = balance("bank")
    settle.approve(s.id, "admin", now=DEC_NOW)
    settle.mark_paid(s.id, "TRF-001", date(2026, 12, 14), "admin", now=DEC_NOW)
    db.session.commit()
    assert balance(FACILITY_ACCOUNTS, facility_id=home) == 0
    assert balance("bank") == bank_before - s.amount
    assert problems() == []
    other = world["other"]
    assert -balance(FACILITY_ACCOUNTS, facility_id=other) == settle.unsettled_total(other) > 0


def test_transitions_and_refusals(world, runner):
    sell({world["p"].id: 1}, NOV_10)
    s = _build(world["home"])
    with pytest.raises(settle.SettlementError) as refused:
        settle.mark_paid(s.id, "TRF-1", date(2026, 12, 10), "admin", now=DEC_NOW)
    assert refused.value.code == "not_approved"
    db.session.rollback()

    settle.rebuild(s.id, "admin", now=DEC_NOW)
    settle.approve(s.id, "admin", now=DEC_NOW)
    db.session.commit()
    for action in (
        lambda: settle.rebuild(s.id, "admin"),
        lambda: settle.remove(s.id, "admin"),
        lambda: settle.approve(s.id, "admin"),
    ):
        with pytest.raises(settle.SettlementError) as refused:
            action()
        assert refused.value.code == "frozen"
        db.session.rollback()
    for reference, paid_on, code in [
        ("  ", date(2026, 12, 10), "reference"),
        ("TRF-1", date(2026, 12, 16), "date"),  # after "today" (15 December)
        ("TRF-1", date(2026, 10, 31), "date"),  # before the period ended
        ("TRF-1", date(2026, 11, 30), "date"),  # its last day: not over yet
    ]:
        with pytest.raises(settle.SettlementError) as refused:
            settle.mark_paid(s.id, reference, paid_on, "admin", now=DEC_NOW)
        assert refused.value.code == code
        db.session.rollback()

    settle.mark_paid(s.id, "TRF-1", date(2026, 12, 10), "admin", now=DEC_NOW)
    db.session.commit()
    assert (s.state, s.paid_reference, s.paid_on) == ("paid", "TRF-1", date(2026, 12, 10))
    with pytest.raises(settle.SettlementError) as refused:
        settle.mark_paid(s.id, "TRF-2", date(2026, 12, 10), "admin", now=DEC_NOW)
    assert refused.value.code == "not_approved"
    db.session.rollback()
    paid_entries = db.session.scalar(
        select(func.count()).where(JournalEntry.kind == "settlement_paid")
    )
    assert paid_entries == 1
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "settlement")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "settlement.build",
        "settlement.rebuild",
        "settlement.approve",
        "settlement.paid",
    ]
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 0, result.output
    assert "ledger-check: clean" in result.output


def test_deleting_a_draft_unsettles_its_postings(world):
    sell({world["p"].id: 1}, NOV_10)
    s = _build(world["home"])
    amount = s.amount
    settle.remove(s.id, "admin", now=DEC_NOW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Settlement)) == 0
    assert settle.unsettled_total(world["home"]) == amount
    again = _build(world["home"])
    assert again.amount == amount


def test_ledger_check_finds_a_settlement_paid_twice_or_tampered(world):
    sell({world["p"].id: 1}, NOV_10)
    s = _build(world["home"])
    settle.approve(s.id, "admin", now=DEC_NOW)
    db.session.commit()
    # An approved settlement must not have a payment entry.
    from shop.ledger import services as ledger

    ledger.post("settlement_paid", "settlement", s.id, settle.payment_lines(s), now=DEC_NOW)
    db.session.commit()
    found = problems()
    assert any(f"settlement {s.id} is approved but has a payment entry" in p for p in found)
    assert any(f"facility {world['home']}: payable is 0" in p for p in found)
