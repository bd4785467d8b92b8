"""The administrators' Stripe page: the sync button, payouts and what does not add up."""

from __future__ import annotations

import pytest
from csrf import csrf_token_from
from fake_stripe.fixtures import fake_stripe, stripe_app  # noqa: F401
from order_helpers import place, shop_with_products
from sqlalchemy import func, select
from staff_helpers import make_user, sign_in

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.ledger.check import problems
from shop.payments.stripe import checkout as card
from shop.payments.stripe.balance_models import StripeBalanceTransaction, StripePayout
from shop.payments.stripe.models import StripeCheckout
from shop.payments.stripe.webhooks import handle_event


@pytest.fixture
def paid_card_order(stripe_app, fake_stripe):  # noqa: F811 - the fixtures imported above
    first, second = shop_with_products(on_hand=(1, 3), facilities=2)
    order = place({first.id: 1, second.id: 1}, payment_method="card")
    card.start_card_payment(
        order.id, success_url="http://shop.test/ok", cancel_url="http://shop.test/back"
    )
    db.session.commit()
    session_id = db.session.scalar(
        select(StripeCheckout.session_id).where(StripeCheckout.order_id == order.id)
    )
    assert handle_event(fake_stripe.complete(session_id)).outcome == "order paid"
    db.session.commit()
    return order


def synced_rows() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(StripeBalanceTransaction))


def press_sync(client):
    page = client.get("/admin/stripe").get_data(as_text=True)
    return client.post("/admin/stripe", data={"csrf_token": csrf_token_from(page)})


def test_only_administrators_see_the_page_and_press_the_button(app, admin, paid_card_order):
    anonymous = app.test_client()
    response = anonymous.get("/admin/stripe")
    assert response.status_code == 302 and "/masuk" in response.location
    staff = app.test_client()
    assert sign_in(staff, make_user().email).status_code == 303
    assert staff.get("/admin/stripe").status_code == 403
    token = csrf_token_from(staff.get("/dasbor/").get_data(as_text=True))
    assert staff.post("/admin/stripe", data={"csrf_token": token}).status_code == 403
    assert synced_rows() == 0

    page = admin.get("/admin/stripe").get_data(as_text=True)
    assert "Sinkronkan dengan Stripe sekarang" in page and "Belum pernah disinkronkan." in page


def test_the_button_needs_its_csrf_token(admin, paid_card_order):
    response = admin.post("/admin/stripe", data={})
    assert response.status_code == 400
    assert "Formulir ini sudah kedaluwarsa" in response.get_data(as_text=True)
    forged = admin.post("/admin/stripe", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert synced_rows() == 0


def test_the_button_syncs_and_the_page_lists_payouts_and_exceptions(
    admin,
    admin_user,
    fake_stripe,  # noqa: F811 - the fixture, imported above
    paid_card_order,
):
    stranger = fake_stripe.charge_without_order(5_000_000)
    payout = fake_stripe.create_payout(amount=100_000_000)  # more than the balance holds

    response = press_sync(admin)
    assert response.status_code == 303 and response.location.endswith("/admin/stripe")
    assert synced_rows() == 3
    page = admin.get("/admin/stripe").get_data(as_text=True)
    assert "Tersinkron dengan Stripe: 3 transaksi saldo baru, 1 pencairan baru" in page
    assert "3 transaksi saldo tersinkron" in page
    exceptions = page.split('id="stripe-exceptions"', 1)[1].split("</table>", 1)[0]
    assert stranger["id"] in exceptions
    assert "Tagihan kartu di Stripe yang bukan milik pesanan mana pun" in exceptions
    assert payout["id"] in exceptions
    assert "Pencairan sebesar Rp 1.000.000, tetapi transaksi saldonya berjumlah" in exceptions
    payouts = page.split('id="stripe-payouts"', 1)[1].split("</table>", 1)[0]
    assert payout["id"] in payouts and "Sudah di bank" in payouts
    assert problems() == []
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "stripe.sync"))
    assert entry.actor == admin_user.email
    assert entry.after["transactions_new"] == 3 and entry.after["payouts_new"] == 1
    assert "stripe.sync" in admin.get("/admin/audit").get_data(as_text=True)

    assert press_sync(admin).status_code == 303
    assert synced_rows() == 3
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StripePayout)) == 1


def test_stripe_down_is_a_clear_message_and_nothing_changes(
    admin,
    fake_stripe,  # noqa: F811 - the fixture, imported above
    paid_card_order,
):
    page = admin.get("/admin/stripe").get_data(as_text=True)
    fake_stripe.down()
    response = admin.post("/admin/stripe", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 503
    assert "Stripe sedang tidak menjawab; tidak ada yang diubah." in response.get_data(as_text=True)
    assert synced_rows() == 0


def test_without_stripe_keys_the_button_explains_why_it_does_nothing(admin):
    page = admin.get("/admin/stripe").get_data(as_text=True)
    assert "Stripe belum dikonfigurasi" in page
    response = admin.post("/admin/stripe", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 400
    assert "Stripe belum dikonfigurasi" in response.get_data(as_text=True)
