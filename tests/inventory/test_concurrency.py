"""Real threads, each with its own app context and connection, against the real database."""

from __future__ import annotations

from datetime import timedelta

from concurrency_helpers import run_threads
from order_helpers import assert_stock_invariants, place, shop_with_products, stock
from sqlalchemy import func, select

from shop.checkout.services import CheckoutProblem
from shop.extensions import db
from shop.inventory.models import StockAllocation, StockMovement
from shop.inventory.services import OutOfStock
from shop.orders.models import Order, OrderLine
from shop.payments.bank_transfer import PaymentError, confirm_bank_transfer
from shop.sqltypes import utcnow
from shop.uow import begin_write


def sold_out(exc, product_ids) -> bool:
    """Refused for want of stock: by the guarded UPDATE, or already by the pre-check."""
    if isinstance(exc, OutOfStock):
        return exc.product_id in product_ids
    if isinstance(exc, CheckoutProblem):
        return all(code == "sold_out" and pid in product_ids for pid, code in exc.problems)
    return False


def test_fifty_buyers_race_for_the_last_unit(app):
    (product,) = shop_with_products(on_hand=(1,), one_of_a_kind=True)
    product_id = product.id

    results = run_threads(app, [lambda: place({product_id: 1}).id for _ in range(50)])

    winners = [value for outcome, value in results if outcome == "ok"]
    losers = [value for outcome, value in results if outcome == "error"]
    assert len(winners) == 1
    assert len(losers) == 49
    assert all(sold_out(exc, {product_id}) for exc in losers), losers
    assert stock(product_id) == (1, 1)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    holders = (
        db.session.execute(select(StockAllocation.order_id).where(StockAllocation.status == "live"))
        .scalars()
        .all()
    )
    assert holders == winners
    assert_stock_invariants()


def test_multi_line_orders_race_without_partial_allocation(app):
    products = shop_with_products(on_hand=(2, 2, 2, 2), facilities=2)
    ids = [p.id for p in products]
    baskets = [
        {ids[0]: 1, ids[1]: 1},
        {ids[1]: 2, ids[2]: 1},
        {ids[2]: 1, ids[3]: 2},
        {ids[3]: 1, ids[0]: 1},
        {ids[0]: 1, ids[1]: 1, ids[2]: 1, ids[3]: 1},
        {ids[0]: 2, ids[3]: 1},
    ] * 4

    results = run_threads(app, [lambda basket=basket: place(basket).id for basket in baskets])

    placed = [value for outcome, value in results if outcome == "ok"]
    refused = [value for outcome, value in results if outcome == "error"]
    assert placed and refused
    assert all(sold_out(exc, set(ids)) for exc in refused), refused
    # Every order placed holds all of its lines; refused orders hold nothing.
    for order_id in placed:
        lines = db.session.execute(
            select(OrderLine.product_id, OrderLine.quantity).where(OrderLine.order_id == order_id)
        ).all()
        held = db.session.execute(
            select(StockAllocation.product_id, StockAllocation.quantity).where(
                StockAllocation.order_id == order_id, StockAllocation.status == "live"
            )
        ).all()
        assert sorted(lines) == sorted(held)
    assert db.session.scalar(select(func.count()).select_from(Order)) == len(placed)
    for product_id in ids:
        on_hand, allocated = stock(product_id)
        assert on_hand == 2
        assert 0 <= allocated <= 2
    assert_stock_invariants()


def test_payment_and_expiry_racing_on_one_order_change_it_once(app):
    from shop.orders.services import expire_order

    (product,) = shop_with_products(on_hand=(3,))
    order = place({product.id: 2})
    order_id, amount = order.id, order.amount_due
    later = utcnow() + timedelta(hours=25)

    def pay():
        begin_write()
        result = confirm_bank_transfer(order_id, amount, "admin:1", now=later)
        db.session.commit()
        return result.paid

    def expire():
        begin_write()
        done = expire_order(order_id, later)
        db.session.commit()
        return done

    results = run_threads(app, [pay, expire] * 4)

    payments = [value for outcome, value in results[0::2] if outcome == "ok"]
    repeated = [value for outcome, value in results[0::2] if outcome == "error"]
    assert payments == [True], results  # one confirmation pays; the rest are refused
    assert all(isinstance(exc, PaymentError) and "paid" in str(exc) for exc in repeated)
    assert all(outcome == "ok" for outcome, _value in results[1::2])
    db.session.commit()
    assert db.session.scalar(select(Order.status).where(Order.id == order_id)) == "paid"
    assert stock(product.id) == (1, 0)  # sold once, whether it expired in between or not
    sales = (
        db.session.execute(select(StockMovement.delta).where(StockMovement.order_id == order_id))
        .scalars()
        .all()
    )
    assert sales == [-2]
    assert_stock_invariants()
