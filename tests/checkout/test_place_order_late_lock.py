"""The order is written before its product rows are locked: a change another buyer or a
staff member commits in between is caught under the lock, and the whole order (its
e-mail included) is rolled back.

PostgreSQL only: on SQLite the write transaction (``BEGIN IMMEDIATE``) shuts every other
writer out from its first statement, so nothing can change in between.
"""

from __future__ import annotations

import pytest
from order_helpers import BUYER, shop_with_products
from sqlalchemy import event, func, select, text

from shop.catalog.models import Product
from shop.checkout.services import CheckoutProblem, PriceChanged, place_order
from shop.extensions import db
from shop.inventory.services import OutOfStock
from shop.mail.models import OutboxMessage
from shop.orders.models import Order
from shop.payments.models import Payment
from shop.uow import unit_of_work

LOCK = "UPDATE product SET allocated"  # the stock UPDATE locks the rows


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets no other writer in during the order's transaction")


def _commit_before_the_lock(change: str, product_id: int):
    """Listener: just before the order locks its products, another connection commits
    ``change`` to the product (once)."""
    done: list[bool] = []

    def listener(conn, _cursor, statement, _params, _context, _many) -> None:
        if done or not statement.startswith(LOCK):
            return
        done.append(True)
        with db.engine.connect() as other:
            other.execute(text(change), {"id": product_id})
            other.commit()

    return listener, done


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ("UPDATE product SET price = price + 5000 WHERE id = :id", PriceChanged),
        ("UPDATE product SET on_hand = allocated WHERE id = :id", OutOfStock),
        ("UPDATE product SET status = 'draft' WHERE id = :id", CheckoutProblem),
    ],
    ids=["price changed", "sold out", "withdrawn"],
)
def test_a_change_committed_before_the_lock_refuses_the_whole_order(app, change, refused):
    (product,) = shop_with_products(on_hand=(5,))
    listener, done = _commit_before_the_lock(change, product.id)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with pytest.raises(refused), unit_of_work():
            place_order({product.id: 2}, BUYER, "jne", "late-lock")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert done == [True]  # the change really came in between
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(Product.allocated).where(Product.id == product.id)) == 0


def test_without_a_change_in_between_the_order_is_placed_once_with_its_mail(app):
    (product,) = shop_with_products(on_hand=(5,))
    listener, done = _commit_before_the_lock(
        "UPDATE product SET name = name WHERE id = :id", product.id
    )
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with unit_of_work():
            order, created = place_order({product.id: 2}, BUYER, "jne", "late-lock")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert done == [True] and created
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.order_id == order.id))
    assert [m.kind for m in mail] == ["order_received"]
    assert db.session.scalar(select(Product.allocated).where(Product.id == product.id)) == 2
