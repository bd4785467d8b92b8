"""Migration 0009 carries existing money over: orders paid, parts cancelled, refunds made
and money that paid nothing before the ledger existed pass ledger-check after upgrade.

Runs on a scratch database of the same kind as the suite's (a SQLite file, or a
PostgreSQL database created and dropped on the same server)."""

from __future__ import annotations

import flask_migrate
import pytest
from order_helpers import BUYER
from scratch_db import scratch_app as scratch_database
from sqlalchemy import func, select, text

from shop import MIGRATIONS_DIR
from shop.extensions import db


@pytest.fixture
def scratch_app(app, database_url, tmp_path):
    with scratch_database(app, database_url, tmp_path, "money_migration") as other:
        yield other


def _money_before(scratch_app):
    """Orders through today's services: paid, a part cancelled and refunded in part,
    overpaid, paid late with the stock gone."""
    from factories import make_category, make_facility, make_product

    from shop.checkout.services import place_order
    from shop.orders import services as orders
    from shop.orders.models import FacilityOrder
    from shop.payments import refunds
    from shop.payments.bank_transfer import confirm_bank_transfer
    from shop.shipping.services import ensure_default_rates
    from shop.uow import unit_of_work

    ensure_default_rates()
    facilities = [make_facility(province="Bali"), make_facility(province="Jawa Timur")]
    category = make_category()
    a, b = (
        make_product(f, category, on_hand=5, price=150_000, material_cost=40_000)
        for f in facilities
    )
    db.session.commit()

    def place(items, key):
        with unit_of_work():
            order, _ = place_order(items, BUYER, "jne", key)
        return order

    paid = place({a.id: 1, b.id: 2}, "k1")
    with unit_of_work():
        confirm_bank_transfer(paid.id, paid.amount_due, "admin:1", "REF-1")
    first = db.session.scalar(
        select(FacilityOrder.id).where(FacilityOrder.order_id == paid.id).order_by(FacilityOrder.id)
    )
    with unit_of_work():
        orders.cancel_paid_part(first, "staff:1", "rusak")
    with unit_of_work():
        refunds.refund_by_bank(
            refunds.RefundRequest(
                paid.id,
                50_000,
                "bank_transfer",
                "sebagian",
                part_id=first,
                reference="OUT-1",
                refund_account="BCA 1 Siti",
            ),
            "admin:1",
        )
    over = place({a.id: 1}, "k2")
    with unit_of_work():
        confirm_bank_transfer(over.id, over.amount_due + 10_000, "admin:1", "REF-2")
    late = place({b.id: 3}, "k3")
    with unit_of_work():
        orders.expire_order(late.id, late.payment_deadline)
    place({b.id: 3}, "k4")  # the stock the late order held is sold again
    with unit_of_work():
        confirm_bank_transfer(late.id, late.amount_due, "admin:1", "REF-3")


def test_upgrade_carries_existing_money_into_the_ledger(scratch_app):
    from shop.ledger.check import problems
    from shop.payments.models import PaymentTransaction

    with scratch_app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS_DIR)
        _money_before(scratch_app)
        before = db.session.execute(
            select(PaymentTransaction.kind, func.sum(PaymentTransaction.amount)).group_by(
                PaymentTransaction.kind
            )
        ).all()
        assert problems() == []
        db.session.remove()

        # Back to the schema before the ledger: the counters come back, the rows go.
        flask_migrate.downgrade(directory=MIGRATIONS_DIR, revision="0008auditlog")
        with db.engine.connect() as conn:
            refunded = conn.execute(text("SELECT SUM(refunded_amount) FROM shop_order")).scalar()
            assert refunded == 50_000
            assert "journal_entry" not in db.inspect(conn).get_table_names()

        flask_migrate.upgrade(directory=MIGRATIONS_DIR)
        after = db.session.execute(
            select(PaymentTransaction.kind, func.sum(PaymentTransaction.amount)).group_by(
                PaymentTransaction.kind
            )
        ).all()
        assert sorted(after) == sorted(before)
        assert problems() == []
        db.session.remove()
