"""Random sequences of place / expire / cancel / pay / adjust keep the stock invariants."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from order_helpers import place, shop_with_products
from sqlalchemy import func, select

from shop.catalog.models import Product
from shop.checkout.services import CheckoutProblem
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory.models import StockMovement
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments.bank_transfer import PaymentError, confirm_bank_transfer
from shop.sqltypes import utcnow
from shop.uow import begin_write

LATER = timedelta(hours=25)


def _empty_tables() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def _write(fn):
    """One service call in its own write transaction, as a view or the CLI does it."""
    begin_write()
    try:
        result = fn()
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        raise


class StockMachine(RuleBasedStateMachine):
    @initialize(stocks=st.lists(st.integers(0, 3), min_size=2, max_size=4))
    def setup(self, stocks):
        _empty_tables()
        products = shop_with_products(on_hand=tuple(stocks), facilities=2)
        self.product_ids = [p.id for p in products]
        self.initial = dict(zip(self.product_ids, stocks, strict=True))
        self.orders: list[int] = []

    @rule(picks=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 3)), min_size=1, max_size=3))
    def place_order(self, picks):
        basket = {}
        for index, quantity in picks:
            basket[self.product_ids[index % len(self.product_ids)]] = quantity
        before = inventory.live_allocated_by_product()
        try:
            order = place(basket)
        except (inventory.OutOfStock, CheckoutProblem):
            assert inventory.live_allocated_by_product() == before  # nothing held
            db.session.commit()
            return
        self.orders.append(order.id)

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(0, 50))
    def expire(self, index):
        order_id = self.orders[index % len(self.orders)]
        _write(lambda: orders.expire_order(order_id, utcnow() + LATER))

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(0, 50))
    def cancel(self, index):
        order_id = self.orders[index % len(self.orders)]
        with contextlib.suppress(orders.TransitionError):
            _write(lambda: orders.cancel_order(order_id, "buyer", "changed my mind"))

    @precondition(lambda self: self.orders)
    @rule(index=st.integers(0, 50), late=st.booleans())
    def pay(self, index, late):
        order_id = self.orders[index % len(self.orders)]
        amount = db.session.scalar(select(Order.amount_due).where(Order.id == order_id))
        now = utcnow() + (LATER if late else timedelta(0))
        with contextlib.suppress(PaymentError):
            _write(lambda: confirm_bank_transfer(order_id, amount, "admin:1", now=now))

    @rule(index=st.integers(0, 3), delta=st.integers(-3, 3).filter(bool))
    def adjust(self, index, delta):
        product_id = self.product_ids[index % len(self.product_ids)]
        with contextlib.suppress(inventory.StockError):
            _write(lambda: inventory.adjust(product_id, delta, "staff:1", "count"))

    @invariant()
    def allocated_matches_live_allocations(self):
        if not hasattr(self, "product_ids"):
            return
        db.session.commit()
        assert inventory.invariant_violations() == []

    @invariant()
    def on_hand_is_explained_by_movements(self):
        if not hasattr(self, "product_ids"):
            return
        moved = dict(
            db.session.execute(
                select(StockMovement.product_id, func.sum(StockMovement.delta)).group_by(
                    StockMovement.product_id
                )
            ).all()
        )
        for product_id, on_hand in db.session.execute(select(Product.id, Product.on_hand)):
            assert on_hand == self.initial[product_id] + (moved.get(product_id) or 0)
            assert on_hand >= 0
        db.session.commit()

    @invariant()
    def paid_orders_hold_nothing_and_open_orders_hold_everything(self):
        if not getattr(self, "orders", None):
            return
        from shop.inventory.models import StockAllocation
        from shop.orders.models import OrderLine

        for order_id in self.orders:
            status = db.session.scalar(select(Order.status).where(Order.id == order_id))
            live = db.session.scalar(
                select(func.coalesce(func.sum(StockAllocation.quantity), 0)).where(
                    StockAllocation.order_id == order_id, StockAllocation.status == "live"
                )
            )
            ordered = db.session.scalar(
                select(func.sum(OrderLine.quantity)).where(OrderLine.order_id == order_id)
            )
            assert live == (ordered if status == "awaiting_payment" else 0), status
        db.session.commit()


def test_stock_state_machine(app):
    run_state_machine_as_test(
        StockMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
