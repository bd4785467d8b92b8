"""The administrators' area: only admins get in; shipping rates are edited there."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from factories import make_dashboard_refund_row
from order_helpers import place, shop_with_products
from sql_watch import writes_sent
from sqlalchemy import select
from staff_helpers import csrf_token, make_user, sign_in

from shop.catalog.models import Product
from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.payments.models import Payment
from shop.reconciliation.models import StatementLine
from shop.reconciliation.services import import_statement
from shop.settlements import services as settlements
from shop.shipping.services import fee_for, rates_by_key
from shop.sqltypes import utcnow

EN = {"Accept-Language": "en"}
SAMPLE = Path(__file__).parent.parent / "reconciliation" / "samples" / "bca.csv"


def admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]


def test_every_admin_route_is_for_admins_only(app, admin):
    rules = admin_rules(app)
    assert {r.endpoint for r in rules} >= {
        "admin.index",
        "admin.shipping_rates",
        "admin.transfers",
        "admin.transfer",
        "admin.products",
        "admin.product_hide",
        "admin.categories_page",
        "admin.category_merge",
        "admin.orders",
        "admin.orders_csv",
        "admin.order",
        "admin.order_extend",
        "admin.order_resend",
        "admin.audit",
        "admin.facilities",
        "admin.facility_edit",
        "admin.people",
        "admin.person",
        "settlements.index",
        "settlements.build",
        "settlements.detail",
        "settlements.rebuild",
        "settlements.approve",
        "settlements.delete",
        "settlements.paid",
        "settlements.statement",
        "settlements.statement_csv",
        "settlements.reports_page",
        "settlements.reports_csv",
        "settlements.recap_page",
        "settlements.recap_csv",
        "reconciliation.exceptions_page",
        "reconciliation.no_money_page",
        "reconciliation.no_money_link",
        "reconciliation.write_off",
        "reconciliation.write_off_post",
        "reconciliation.write_off_line",
        "reconciliation.dispute",
        "reconciliation.dispute_post",
        "reconciliation.stripe_refund",
        "reconciliation.stripe_refund_post",
    }
    for rule in rules:
        assert getattr(app.view_functions[rule.endpoint], "requires_admin", False), rule.rule

    staff_user = make_user()
    staff = app.test_client()
    assert sign_in(staff, staff_user.email).status_code == 303
    db.session.commit()
    staff_token = csrf_token(staff)
    (product,) = shop_with_products(on_hand=(2,))
    order = place({product.id: 1})
    statement = import_statement(SAMPLE.read_bytes(), "bca.csv", "test", "bca").statement
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.order_id == order.id))
    # An approved settlement: the empty forms below are refused, the pages all render.
    sold = place({product.id: 1}, now=utcnow() - timedelta(days=40))
    confirm_bank_transfer(sold.id, sold.amount_due, "admin", "walk", now=sold.placed_at)
    settlement = settlements.build(
        product.facility_id, sold.placed_at.year, sold.placed_at.month, "admin"
    )
    settlements.approve(settlement.id, "admin")
    stripe_row = make_dashboard_refund_row("walk")
    db.session.commit()
    fillers = {
        "order_id": order.id,
        "product_id": product.id,
        "category_id": product.category_id,
        "message_id": message.id,
        "target": "whole",
        "import_id": statement.id,
        "line_id": db.session.scalars(select(StatementLine.id)).first(),
        "facility_id": staff_user.facility_id,
        "user_id": staff_user.id,
        "settlement_id": settlement.id,
        "kind": "facility",
        "payment_id": db.session.scalar(select(Payment.id).where(Payment.order_id == sold.id)),
        "row_id": stripe_row.id,
    }
    admin_token = csrf_token(admin)
    anonymous = app.test_client()
    walked = 0
    for rule in rules:
        assert rule.arguments <= set(fillers), "extend this walk for other parameters"
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(\w+:)?{name}>", str(fillers[name]), path)
        if "GET" in rule.methods:
            response = anonymous.get(path)
            assert response.status_code == 302 and "/masuk" in response.location, rule.rule
            assert staff.get(path).status_code == 403, rule.rule
            with writes_sent() as writes:  # no GET request writes
                assert admin.get(path).status_code == 200, rule.rule
            assert writes == [], rule.rule
            walked += 1
        if "POST" in rule.methods:
            response = anonymous.post(path, data={})
            assert response.status_code in (302, 400), rule.rule
            if response.status_code == 302:
                assert "/masuk" in response.location, rule.rule
            assert staff.post(path, data={"csrf_token": staff_token}).status_code == 403, path
            walked += 1
    assert walked >= 20
    db.session.expire_all()
    assert db.session.get(Product, product.id).hidden_at is None  # staff changed nothing
    assert staff_user.active  # nothing a refused request asked for happened
    # An administrator's empty form is refused or does nothing harmful, never a 500.
    for rule in rules:
        if "POST" not in rule.methods:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(\w+:)?{name}>", str(fillers[name]), path)
        assert admin.post(path, data={"csrf_token": admin_token}).status_code in (
            200,
            303,
            400,
            409,  # the action does not fit the object's state (a line already matched)
        ), rule.rule


def test_admin_lands_on_the_to_do_page_after_signing_in(app):
    user = make_user(role="admin")
    db.session.commit()
    response = sign_in(app.test_client(), user.email)
    assert response.location.endswith("/admin/")


def test_to_do_page_lists_review_and_refund_queues(admin):
    html = admin.get("/admin/").get_data(as_text=True)
    assert "Pembayaran kartu yang perlu diperiksa" in html
    assert "Tidak ada dana yang perlu dikembalikan." in html


def test_rates_page_shows_every_courier_and_zone(admin):
    html = admin.get("/admin/ongkir", headers=EN).get_data(as_text=True)
    assert html.count('name="rate"') == 12  # 3 couriers × 4 zones
    assert 'id="jne-2-first_kg"' in html and 'value="18000"' in html


def test_editing_a_rate_changes_the_next_checkout_fee(admin):
    # Jawa Timur → DKI Jakarta is zone 2; 2.4 kg is 3 started kilograms.
    assert fee_for("jne", "Jawa Timur", "DKI Jakarta", 2400) == (2, 18_000 + 2 * 12_000)
    token = csrf_token(admin, "/admin/ongkir")
    response = admin.post(
        "/admin/ongkir",
        data={
            "csrf_token": token,
            "rate": "jne-2",
            "jne-2-first_kg": "20000",
            "jne-2-next_kg": "15000",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert fee_for("jne", "Jawa Timur", "DKI Jakarta", 2400) == (2, 20_000 + 2 * 15_000)
    rate = rates_by_key()[("jne", 2)]
    assert rate.updated_by.startswith("admin")
    assert "Tersimpan: JNE, zona 2." in admin.get("/admin/ongkir").get_data(as_text=True)


@pytest.mark.parametrize(
    ("first", "nxt", "message"),
    [
        ("abc", "1000", "Tulis jumlah rupiah tanpa desimal"),
        ("", "1000", "Tulis tarif dalam rupiah bulat."),
        ("0", "1000", "Antara Rp 1 dan Rp 5.000.000."),
        ("10000", "9.000.000", "Antara Rp 0 dan Rp 5.000.000."),
    ],
)
def test_bad_fees_come_back_with_the_input_and_change_nothing(admin, first, nxt, message):
    token = csrf_token(admin, "/admin/ongkir")
    response = admin.post(
        "/admin/ongkir",
        data={"csrf_token": token, "rate": "pos-3", "pos-3-first_kg": first, "pos-3-next_kg": nxt},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert html.count('class="field-error"') == 1  # one message, beside the field
    typed = re.search(r'id="pos-3-first_kg"[^>]*value="([^"]*)"', html)
    assert typed and typed.group(1) == first
    db.session.expire_all()
    assert (rates_by_key()[("pos", 3)].first_kg, rates_by_key()[("pos", 3)].next_kg) == (
        30_000,
        24_000,
    )


def test_unknown_rate_or_missing_token_is_refused(admin):
    token = csrf_token(admin, "/admin/ongkir")
    bad = admin.post("/admin/ongkir", data={"csrf_token": token, "rate": "dhl-9"})
    assert bad.status_code == 400
    no_token = admin.post(
        "/admin/ongkir", data={"rate": "jne-1", "jne-1-first_kg": "1", "jne-1-next_kg": "1"}
    )
    assert no_token.status_code == 400
    db.session.expire_all()
    assert rates_by_key()[("jne", 1)].first_kg == 10_000
