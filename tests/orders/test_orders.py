from __future__ import annotations

from datetime import timedelta

import pytest
from csrf import csrf_token_from
from order_helpers import place, shop_with_products, stock
from sqlalchemy import event, select

from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.orders import numbers
from shop.orders import services as orders
from shop.orders.models import FacilityOrder, Order, OrderEvent
from shop.payments import refunds
from shop.payments.bank_transfer import PaymentError, confirm_bank_transfer
from shop.payments.core import RefundError
from shop.payments.models import Payment
from shop.sqltypes import utcnow
from shop.uow import begin_write


def write(fn):
    begin_write()
    try:
        result = fn()
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        raise


def events(order_id):
    db.session.commit()
    return db.session.execute(
        select(
            OrderEvent.facility_order_id,
            OrderEvent.from_status,
            OrderEvent.to_status,
            OrderEvent.actor,
        )
        .where(OrderEvent.order_id == order_id)
        .order_by(OrderEvent.id)
    ).all()


def test_order_numbers_are_readable_and_retry_on_collision(app, monkeypatch):
    (product,) = shop_with_products(on_hand=(2,))
    first = place({product.id: 1})
    assert first.number[:3] == "KB-" and len(first.number) == 12
    assert not set(first.number[8:]) & set("01ILOU")
    taken = first.number
    candidates = iter([taken, taken, "KB-2611-ABCD"])
    monkeypatch.setattr(numbers, "candidate_number", lambda now: next(candidates))
    assert numbers.new_order_number(utcnow()) == "KB-2611-ABCD"


def test_confirming_a_transfer_pays_and_consumes_stock(app):
    a, b = shop_with_products(on_hand=(3, 2), facilities=2)
    order = place({a.id: 2, b.id: 1})
    result = write(lambda: confirm_bank_transfer(order.id, order.amount_due, "admin:7", "BRI 991"))
    assert result.paid
    assert stock(a.id) == (1, 0) and stock(b.id) == (1, 0)
    order = db.session.get(Order, order.id)
    assert order.status == "paid" and order.paid_at is not None
    payment = db.session.execute(select(Payment)).scalar_one()
    assert (payment.status, payment.amount_received, payment.confirmed_by) == (
        "succeeded",
        order.amount_due,
        "admin:7",
    )
    history = events(order.id)
    assert (None, "awaiting_payment", "paid", "admin:7") in history
    assert sum(1 for e in history if e[0] and e[2] == "processing") == 2
    kinds = db.session.execute(select(OutboxMessage.kind).order_by(OutboxMessage.id)).scalars()
    assert list(kinds) == ["order_received", "payment_confirmed"]
    with pytest.raises(PaymentError):  # confirming twice changes nothing
        write(lambda: confirm_bank_transfer(order.id, order.amount_due, "admin:7"))
    assert stock(a.id) == (1, 0)


def test_too_little_money_is_held_for_review(app):
    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1})
    result = write(lambda: confirm_bank_transfer(order.id, order.total - 1, "admin:1"))
    assert not result.paid
    assert db.session.get(Order, order.id).status == "awaiting_payment"
    assert db.session.execute(select(Payment.status)).scalar_one() == "needs_review"
    assert stock(product.id) == (1, 1)


def test_expire_orders_cli_releases_stock(app, runner):
    (product,) = shop_with_products(on_hand=(2,))
    order = place({product.id: 2}, now=utcnow() - timedelta(hours=25))
    assert stock(product.id) == (2, 2)
    result = runner.invoke(args=["expire-orders"])
    assert "expired 1" in result.output
    assert stock(product.id) == (2, 0)
    order = db.session.get(Order, order.id)
    assert order.status == "expired"
    assert db.session.execute(select(Payment.status)).scalar_one() == "expired"
    parts = db.session.execute(select(FacilityOrder.status)).scalars().all()
    assert parts == ["cancelled"]
    assert "system" in {e[3] for e in events(order.id)}
    assert "expired 0" in runner.invoke(args=["expire-orders"]).output


def test_an_overdue_order_reads_expired_and_the_next_buyer_frees_its_items(app, client):
    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1}, now=utcnow() - timedelta(hours=30))
    html = client.get(f"/pesanan/{order.public_token}").get_data(as_text=True)
    assert 'data-status="expired"' in html
    assert "0123-01-000456-30-7" not in html  # no payment instructions any more
    # The page wrote nothing (GET); the next buyer of the item expires the order.
    assert db.session.get(Order, order.id, populate_existing=True).status == "awaiting_payment"
    assert stock(product.id) == (1, 1)
    second = place({product.id: 1})
    assert db.session.get(Order, order.id, populate_existing=True).status == "expired"
    assert db.session.get(Order, second.id).status == "awaiting_payment"
    assert stock(product.id) == (1, 1)


def test_expired_order_paid_late_while_stock_remains_is_paid(app):
    (product,) = shop_with_products(on_hand=(2,))
    order = place({product.id: 1}, now=utcnow() - timedelta(hours=30))
    write(lambda: orders.expire_order(order.id))
    result = write(lambda: confirm_bank_transfer(order.id, order.amount_due, "admin:1"))
    assert result.paid
    assert stock(product.id) == (1, 0)
    assert [e[2] for e in events(order.id) if e[0] is None] == [
        "awaiting_payment",
        "expired",
        "paid",
    ]


def test_expired_order_paid_late_after_stock_is_gone_needs_a_refund(app):
    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1}, now=utcnow() - timedelta(hours=30))
    write(lambda: orders.expire_order(order.id))
    other = place({product.id: 1})
    result = write(lambda: confirm_bank_transfer(order.id, order.amount_due, "admin:1"))
    assert not result.paid and "refund" in result.message
    assert db.session.get(Order, order.id).status == "expired"
    statuses = (
        db.session.execute(select(Payment.status).where(Payment.order_id == order.id))
        .scalars()
        .all()
    )
    assert statuses == ["needs_review"]
    assert stock(product.id) == (1, 1)  # still held by the other buyer
    assert db.session.get(Order, other.id).status == "awaiting_payment"


def test_status_machine_refuses_what_is_not_allowed(app):
    (product,) = shop_with_products(on_hand=(3,))
    order = place({product.id: 1})
    part_id = db.session.execute(select(FacilityOrder.id)).scalar_one()
    with pytest.raises(orders.TransitionError):  # not paid yet
        write(lambda: orders.mark_part_packed(part_id, "staff:1"))
    write(lambda: orders.cancel_order(order.id, "buyer", "changed my mind"))
    assert stock(product.id) == (3, 0)
    with pytest.raises(orders.TransitionError):
        write(lambda: orders.cancel_order(order.id, "buyer", "again"))
    with pytest.raises(PaymentError):
        write(lambda: confirm_bank_transfer(order.id, order.amount_due, "admin:1"))
    with pytest.raises(RefundError):  # nothing was paid, nothing goes back
        write(lambda: refunds.refund_by_bank(_bank_refund(order.id, 1000), "admin:1"))


def _bank_refund(order_id, amount, part_id=None, ref="TRF1", **kw):
    return refunds.RefundRequest(
        order_id,
        amount,
        "bank_transfer",
        "test",
        part_id=part_id,
        reference=ref,
        refund_account="BCA 123 Siti",
        **kw,
    )


def test_fulfilment_per_part_with_tracking_and_refunds(app, client):
    a, b = shop_with_products(on_hand=(3, 3), facilities=2)
    order = place({a.id: 1, b.id: 1})
    write(lambda: confirm_bank_transfer(order.id, order.amount_due, "admin:1"))
    first, second = (
        db.session.execute(select(FacilityOrder.id).order_by(FacilityOrder.id)).scalars().all()
    )
    with pytest.raises(orders.TransitionError):  # must be packed first
        write(lambda: orders.ship_part(first, "JNE123", "staff:1"))
    write(lambda: orders.mark_part_packed(first, "staff:1"))
    write(lambda: orders.ship_part(first, "JNE0012345678", "staff:1"))
    mail = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.kind == "part_shipped")
    ).scalar_one()
    assert "JNE0012345678" in mail.text_body and "JNE0012345678" in mail.html_body

    page = client.get(f"/pesanan/{order.public_token}").get_data(as_text=True)
    assert "JNE0012345678" in page
    assert page.count('class="order-part"') == 2

    write(lambda: orders.mark_part_delivered(first, "staff:1"))
    with pytest.raises(orders.TransitionError):
        write(lambda: orders.mark_part_delivered(second, "staff:1"))
    write(lambda: refunds.refund_by_bank(_bank_refund(order.id, 10_000, first), "admin:1"))
    assert db.session.get(Order, order.id).status == "partially_refunded"
    rest = order.amount_due - 10_000
    with pytest.raises(RefundError):
        write(
            lambda: refunds.refund_by_bank(
                _bank_refund(order.id, rest + 1, whole=True, ref="T2"), "admin:1"
            )
        )
    write(
        lambda: refunds.refund_by_bank(
            _bank_refund(order.id, rest, whole=True, ref="T3"), "admin:1"
        )
    )
    assert db.session.get(Order, order.id).status == "refunded"


def test_lookup_by_number_and_email(app, client):
    (product,) = shop_with_products(on_hand=(3,))
    order = place({product.id: 1})
    token = csrf_token_from(client.get("/pesanan/cari").get_data(as_text=True))
    wrong = client.post(
        "/pesanan/cari", data={"csrf_token": token, "number": order.number, "email": "x@y.id"}
    )
    assert wrong.status_code == 200 and order.public_token not in wrong.get_data(as_text=True)
    right = client.post(
        "/pesanan/cari",
        data={"csrf_token": token, "number": order.number.lower(), "email": "SITI@example.com"},
    )
    assert right.status_code == 303 and right.location.endswith(f"/pesanan/{order.public_token}")
    assert client.get("/pesanan/not-a-real-token").status_code == 404
    page = client.get(right.location)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_lookup_guessing_is_rate_limited(app, client):
    limit = int(app.config["RATELIMIT_LOGIN"].split()[0])
    token = csrf_token_from(client.get("/pesanan/cari").get_data(as_text=True))
    statuses = [
        client.post(
            "/pesanan/cari",
            data={"csrf_token": token, "number": f"KB-2611-AAA{i % 10}", "email": "a@b.id"},
        ).status_code
        for i in range(limit + 1)
    ]
    assert statuses[:limit] == [200] * limit
    assert statuses[limit] == 429
    assert client.get("/pesanan/cari").status_code == 200  # the form itself is not limited


def test_unique_amount_codes_differ_for_equal_totals(app):
    products = shop_with_products(on_hand=(60,))
    amounts = {place({products[0].id: 1}).amount_due for _ in range(40)}
    assert len(amounts) == 40


def test_an_amount_taken_meanwhile_is_drawn_again_without_a_savepoint(app):
    """The amount chosen for an order was taken by another pending transfer before ours
    was inserted: the INSERT inserts nothing (ON CONFLICT DO NOTHING), another amount is
    drawn, and the transaction goes on."""
    from shop.payments.bank_transfer import open_bank_transfer

    products = shop_with_products(on_hand=(5,))
    first = place({products[0].id: 1})
    second = place({products[0].id: 1})
    statements: list[str] = []

    def watch(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.split()[0])

    begin_write()
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        payment = open_bank_transfer(second.id, second.total, amount=first.amount_due)
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    db.session.commit()
    assert payment.amount != first.amount_due
    assert second.total < payment.amount <= second.total + 999
    assert "SAVEPOINT" not in statements and statements.count("INSERT") == 2
    pending = db.session.scalars(
        select(Payment.amount).where(Payment.status == "pending", Payment.order_id == second.id)
    ).all()
    assert sorted(pending) == sorted([second.amount_due, payment.amount])
