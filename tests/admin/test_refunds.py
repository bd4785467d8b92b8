"""Administrators give money back: a cancelled part, part of a part, the whole order,
money that paid nothing. Every refund closes what it answers and reaches the buyer."""

from __future__ import annotations

import pytest
from csrf import csrf_token_from
from order_helpers import place, shop_with_products
from sqlalchemy import select

from shop.extensions import db
from shop.ledger.check import problems
from shop.ledger.services import balance
from shop.mail.models import OutboxMessage
from shop.orders import services as orders
from shop.orders.models import FacilityOrder, Order
from shop.payments import core
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.payments.models import Payment, PaymentTransaction
from shop.uow import unit_of_work


def paid_order(facilities=2, amount_extra=0):
    products = shop_with_products(on_hand=(3,) * facilities, facilities=facilities)
    order = place({p.id: 1 for p in products})
    with unit_of_work():
        confirm_bank_transfer(order.id, order.amount_due + amount_extra, "admin:test")
    return db.session.get(Order, order.id, populate_existing=True)


def parts(order) -> list[FacilityOrder]:
    db.session.commit()
    return list(
        db.session.scalars(
            select(FacilityOrder)
            .where(FacilityOrder.order_id == order.id)
            .order_by(FacilityOrder.id)
            .execution_options(populate_existing=True)
        )
    )


def refund_form(client, order, target, **fields):
    page = client.get(f"/admin/pengembalian/{order.id}").get_data(as_text=True)
    key_marker = f'id="{target}-key" name="{target}-key" type="hidden" value="'
    key = page.split(key_marker, 1)[1].split('"', 1)[0]
    data = {
        "csrf_token": csrf_token_from(page),
        f"{target}-target": target,
        f"{target}-key": key,
        f"{target}-method": "bank_transfer",
        f"{target}-reason": "Barang tidak bisa dikirim",
    }
    data.update({f"{target}-{k}": v for k, v in fields.items()})
    return client.post(f"/admin/pengembalian/{order.id}/{target}", data=data)


def test_paying_an_order_posts_the_split_and_ledger_check_is_clean(app):
    order = paid_order(facilities=2)
    first, second = parts(order)
    assert (first.premi_pct, first.pnbp_pct, first.capital_pct) == (50, 15, 35)
    assert first.material_cost + first.premi + first.pnbp + first.capital == first.subtotal
    assert balance("bank") == order.amount_due
    owed = -balance(
        ["fac_material", "fac_premi", "fac_pnbp", "fac_capital", "fac_shipping"],
        part_id=first.id,
    )
    assert owed == first.subtotal + first.shipping_fee
    assert -balance("unique_code_income") == order.unique_code
    assert problems() == []


def test_a_later_change_of_split_rewrites_nothing(app):
    from shop.facilities.models import Facility

    order = paid_order(facilities=1)
    (part,) = parts(order)
    before = (part.premi, part.pnbp, part.capital)
    facility = db.session.get(Facility, part.facility_id)
    facility.premi_pct, facility.pnbp_pct, facility.capital_pct = 30, 70, 0
    db.session.commit()
    (part,) = parts(order)
    assert (part.premi, part.pnbp, part.capital) == before
    assert problems() == []


def test_cancelled_part_refunded_by_bank_transfer_through_the_admin_page(admin):
    order = paid_order(facilities=2)
    first, second = parts(order)
    with unit_of_work():
        orders.cancel_paid_part(first.id, "staff:1", "Kain rusak saat dijahit")
    due = first.subtotal + first.shipping_fee
    assert core.refund_due_of(parts(order)[0]) == due

    listing = admin.get("/admin/pengembalian").get_data(as_text=True)
    assert order.number in listing
    page = admin.get(f"/admin/pengembalian/{order.id}").get_data(as_text=True)
    assert "Kain rusak saat dijahit" in page

    # A bank refund without the buyer's account is refused, with the input kept.
    refused = refund_form(admin, order, f"part-{first.id}", amount=str(due), reference="TRX-9")
    assert refused.status_code == 400
    assert "rekening pembeli" in refused.get_data(as_text=True)
    assert core.refunded(order_id=order.id) == 0

    # More than the part cost is refused.
    too_much = refund_form(
        admin,
        order,
        f"part-{first.id}",
        amount=str(due + 1),
        reference="TRX-9",
        refund_account="BCA 1234567890 a.n. Siti Rahma",
    )
    assert too_much.status_code == 400
    assert core.refunded(order_id=order.id) == 0

    done = refund_form(
        admin,
        order,
        f"part-{first.id}",
        amount=f"Rp {due:,}".replace(",", "."),
        reference="TRX-9",
        refund_account="BCA 1234567890 a.n. Siti Rahma",
    )
    assert done.status_code == 303
    (row,) = db.session.scalars(select(PaymentTransaction).filter_by(kind="refund")).all()
    assert (row.amount, row.method, row.facility_order_id) == (due, "bank_transfer", first.id)
    assert row.refund_account == "BCA 1234567890 a.n. Siti Rahma"
    assert parts(order)[0].refund_due is False  # the refund closes the part's due
    assert core.refunds_due(order.id) == 0
    assert db.session.get(Order, order.id, populate_existing=True).status == "partially_refunded"
    assert order.number not in admin.get("/admin/pengembalian").get_data(as_text=True)
    assert problems() == []

    # The buyer is told, in their language, and sees it on the tracking page.
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "refund_made")
    ).one()
    amount_text = f"Rp {due:,}".replace(",", ".")
    assert amount_text in mail.text_body and "transfer bank" in mail.text_body
    track = admin.get(f"/pesanan/{order.public_token}").get_data(as_text=True)
    assert "Uang yang dikembalikan" in track and amount_text in track


def test_a_double_submitted_refund_form_refunds_once(admin):
    order = paid_order(facilities=1)
    (part,) = parts(order)
    page = admin.get(f"/admin/pengembalian/{order.id}").get_data(as_text=True)
    target = f"part-{part.id}"
    key = page.split(f'id="{target}-key" name="{target}-key" type="hidden" value="', 1)[1]
    key = key.split('"', 1)[0]
    data = {
        "csrf_token": csrf_token_from(page),
        f"{target}-target": target,
        f"{target}-key": key,
        f"{target}-method": "bank_transfer",
        f"{target}-reason": "rusak",
        f"{target}-amount": "10000",
        f"{target}-reference": "TRX-1",
        f"{target}-refund_account": "BNI 99 Siti",
    }
    assert admin.post(f"/admin/pengembalian/{order.id}/{target}", data=data).status_code == 303
    again = admin.post(f"/admin/pengembalian/{order.id}/{target}", data=data)
    assert again.status_code == 400  # the same bank reference is already recorded
    assert core.refunded(order_id=order.id) == 10_000
    assert problems() == []


def test_overpaid_transfer_is_owed_back_and_refunded(admin):
    order = paid_order(facilities=1, amount_extra=25_000)
    assert core.refunds_due(order.id) == 25_000
    page = admin.get(f"/admin/pengembalian/{order.id}").get_data(as_text=True)
    assert "Uang yang tidak membayar apa pun" in page
    done = refund_form(
        admin,
        order,
        "order",
        amount="25.000",
        reference="TRX-OVER",
        refund_account="Mandiri 1400 Siti",
    )
    assert done.status_code == 303
    assert core.refunds_due(order.id) == 0
    # Giving back an overpayment is not a refund of the order.
    assert db.session.get(Order, order.id, populate_existing=True).status == "paid"
    assert problems() == []


def test_whole_order_refund_returns_everything_and_closes_the_order(admin):
    order = paid_order(facilities=2)
    page = admin.get(f"/admin/pengembalian/{order.id}").get_data(as_text=True)
    assert "Kembalikan seluruh pesanan" in page
    done = refund_form(
        admin,
        order,
        "whole",
        amount=str(order.amount_due),
        reference="TRX-ALL",
        refund_account="BRI 77 Siti",
    )
    assert done.status_code == 303
    assert db.session.get(Order, order.id, populate_existing=True).status == "refunded"
    assert core.refunded(order_id=order.id) == order.amount_due
    payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    assert payment.status == "refunded"
    assert balance("bank") == 0 and balance("unique_code_income") == 0
    assert problems() == []


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_refund_pages_are_for_administrators_only(app, who):
    from staff_helpers import make_user, sign_in

    order = paid_order(facilities=1)
    client = app.test_client()
    if who == "staff":
        sign_in(client, make_user().email)
    response = client.get(f"/admin/pengembalian/{order.id}")
    assert response.status_code in (302, 403)
    assert order.number not in response.get_data(as_text=True)
    assert client.get("/admin/pengembalian/99999").status_code in (302, 403)
