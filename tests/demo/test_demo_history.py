"""``seed-demo --months N``: months of history lived through the real services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from shop.core.timezone import jakarta_today
from shop.extensions import db
from shop.orders.models import FacilityOrder, Order
from shop.payments.models import PaymentTransaction
from shop.payments.stripe.balance_models import StripeBalanceTransaction, StripePayout
from shop.payments.stripe.sync import stripe_exceptions
from shop.reconciliation.models import StatementImport, StatementLine
from shop.reconciliation.parsers import parse_statement
from shop.reconciliation.services import import_statement
from shop.settlements.models import Settlement
from shop.sqltypes import utcnow

MONTHS = 6


def _args(statements_dir) -> list[str]:
    return [
        "seed-demo",
        "--facilities", "4",
        "--products", "60",
        "--months", str(MONTHS),
        "--orders", "8",
        "--seed", "11",
        "--statements-dir", str(statements_dir),
    ]  # fmt: skip


def _month_back(today: date, back: int) -> str:
    index = today.year * 12 + today.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@pytest.fixture
def history(runner, tmp_path):
    statements = tmp_path / "statements"
    result = runner.invoke(args=_args(statements))
    assert result.exit_code == 0, result.output
    db.session.remove()
    return result.output, statements


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_orders_in_every_month_by_both_channels_with_refunds(history):
    output, _ = history
    orders = db.session.scalars(select(Order)).all()
    assert f"Placed {len(orders)} demo orders" in output
    today = jakarta_today(utcnow())
    months = {f"{o.placed_at:%Y-%m}" for o in orders}
    for back in range(1, MONTHS + 1):
        assert _month_back(today, back) in months
    assert {o.payment_method for o in orders if o.paid_at} == {"bank_transfer", "card"}
    statuses = {o.status for o in orders}
    assert {"paid", "expired", "awaiting_payment"} <= statuses
    assert statuses & {"refunded", "partially_refunded"}
    refunds = db.session.scalars(
        select(PaymentTransaction.method).where(PaymentTransaction.kind == "refund")
    ).all()
    assert set(refunds) == {"card", "bank_transfer"}
    disputes = _count(PaymentTransaction, PaymentTransaction.kind == "dispute")
    assert disputes == 1 and "1 card dispute(s)" in output
    delivered = db.session.scalars(
        select(FacilityOrder).where(FacilityOrder.status == "delivered")
    ).all()
    assert delivered and all(p.tracking_number and p.delivered_at for p in delivered)
    states = set(db.session.scalars(select(Settlement.state)))
    assert states == {"draft", "approved", "paid"}


def test_card_payments_have_their_stripe_history_fees_and_paid_out_weeks(history):
    output, _ = history
    card_paid = _count(Order, Order.payment_method == "card", Order.paid_at.is_not(None))
    charges = db.session.scalars(
        select(StripeBalanceTransaction).where(StripeBalanceTransaction.type == "charge")
    ).all()
    assert len(charges) == card_paid > 0
    assert all(c.payment_id is not None and c.fee > 0 for c in charges)  # linked, with a fee
    fees = _count(PaymentTransaction, PaymentTransaction.kind == "fee")
    assert fees == len(charges)
    payouts = db.session.scalars(select(StripePayout)).all()
    assert len(payouts) >= MONTHS and f"{len(payouts)} Stripe payout(s)" in output
    assert all(p.status == "paid" and p.transactions_total == p.amount for p in payouts)
    assert stripe_exceptions() == []  # nothing at Stripe the shop cannot account for


def test_ledger_is_clean_after_seeding(history, runner):
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 0, result.output
    assert "ledger-check: clean" in result.output


def test_statement_files_parse_with_the_shops_parsers(history):
    _, statements = history
    today = jakarta_today(utcnow())
    names = sorted(p.name for p in statements.iterdir())
    for back in range(MONTHS + 1):
        assert f"bca-{_month_back(today, back)}.csv" in names
        assert f"mandiri-{_month_back(today, back)}.csv" in names
    bca = parse_statement((statements / f"bca-{_month_back(today, 1)}.csv").read_bytes())
    assert bca.bank == "bca" and bca.account_no == "0613007788"
    assert not bca.errors and any(line.direction == "C" for line in bca.lines)
    assert bca.period_start.day == 1
    mandiri = parse_statement((statements / f"mandiri-{_month_back(today, 1)}.csv").read_bytes())
    assert mandiri.bank == "mandiri" and not mandiri.errors
    assert mandiri.lines and all(line.direction == "D" for line in mandiri.lines)


def test_past_months_are_imported_and_the_current_one_matches_and_leaves_exceptions(history):
    _, statements = history
    today = jakarta_today(utcnow())
    assert _count(StatementImport) > 0
    assert _count(StatementLine, StatementLine.status == "unmatched") == 0
    past = import_statement(
        (statements / f"bca-{_month_back(today, 1)}.csv").read_bytes(), "past.csv", "admin"
    )
    assert past.new_lines == [] and past.known > 0  # already imported day by day
    awaiting = _count(Order, Order.status == "awaiting_payment")
    current = import_statement(
        (statements / f"bca-{_month_back(today, 0)}.csv").read_bytes(), "now.csv", "admin"
    )
    assert current.matched == 3
    assert _count(Order, Order.status == "awaiting_payment") == awaiting - 3
    left = {
        line.description: line.amount for line in current.new_lines if line.status == "unmatched"
    }
    assert len(left) == 3  # an unknown credit, an amount without its code, a late payment
    assert left["TRSF E-BANKING CR " + f"{today:%d%m}" + "/FTSCY/WS90001 250000.00 HENDRA GUNAWAN"]
    from shop.reconciliation.services.matching import candidates

    kinds = {
        c.kind for line in current.new_lines if line.status == "unmatched" for c in candidates(line)
    }
    assert {"near", "late"} <= kinds


def test_if_empty_on_a_seeded_database_adds_nothing(history, runner):
    _, statements = history
    before = (_count(Order), _count(StatementLine), _count(Settlement))
    files = {p.name: p.read_bytes() for p in statements.iterdir()}
    result = runner.invoke(args=[*_args(statements), "--if-empty"])
    assert result.exit_code == 0
    assert "nothing to do" in result.output
    assert (_count(Order), _count(StatementLine), _count(Settlement)) == before
    assert {p.name: p.read_bytes() for p in statements.iterdir()} == files
