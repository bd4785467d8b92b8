"""Resolving the queue at Stripe: disputes, refunds made in Stripe's dashboard, and a card
payment whose charge the sync could not link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from order_helpers import place, shop_with_products
from sqlalchemy import func, select, update
from staff_helpers import csrf_token, make_user, sign_in

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.i18n import format_rupiah
from shop.ledger.check import problems
from shop.ledger.services import balance
from shop.payments import core
from shop.payments.models import PaymentTransaction
from shop.payments.stripe import checkout as card
from shop.payments.stripe.balance_models import StripeBalanceTransaction
from shop.payments.stripe.models import StripeCheckout
from shop.payments.stripe.sync import sync
from shop.payments.stripe.webhooks import handle_event
from shop.reconciliation.models import Resolution

EXCEPTIONS = "/admin/rekonsiliasi/pengecualian"


@pytest.fixture
def paid(stripe_app, fake_stripe):
    """A card order paid at the fake Stripe (the webhook recorded it and its fee)."""
    first, second = shop_with_products(on_hand=(2, 2), facilities=2)
    order = place({first.id: 1, second.id: 1}, payment_method="card")
    card.start_card_payment(
        order.id, success_url="http://shop.test/ok", cancel_url="http://shop.test/batal"
    )
    db.session.commit()
    event = fake_stripe.complete(checkout_of(order.id).session_id)
    assert handle_event(event).outcome == "order paid"
    db.session.commit()
    return order


def checkout_of(order_id: int) -> StripeCheckout:
    db.session.commit()
    return db.session.execute(
        select(StripeCheckout)
        .where(StripeCheckout.order_id == order_id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def row_of(source_prefix: str) -> StripeBalanceTransaction:
    db.session.commit()
    return db.session.scalar(
        select(StripeBalanceTransaction).where(
            StripeBalanceTransaction.source_id.like(f"{source_prefix}%")
        )
    )


def listed(client, kind: str) -> str:
    """The exceptions page's rows of one kind, as HTML ("" when none)."""
    page = client.get(EXCEPTIONS).get_data(as_text=True)
    rows = [part for part in page.split('data-kind="')[1:] if part.startswith(f'{kind}"')]
    return "".join(part.split("</tr>", 1)[0] for part in rows)


def resolve(client, path: str, note: str):
    return client.post(path, data={"csrf_token": csrf_token(client, path), "note": note})


def audited(action: str) -> int:
    db.session.commit()
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def test_a_dispute_found_by_the_sync_is_listed_then_acknowledged_and_posted_once(
    paid, fake_stripe, admin
):
    payment_intent = checkout_of(paid.id).payment_intent_id
    fake_stripe.dispute(payment_intent)  # the webhook never arrives: the sync finds it
    sync()
    row = row_of("dp_")
    assert (row.type, row.reporting_category, row.amount) == ("adjustment", "dispute", -paid.total)
    item = listed(admin, "dispute")
    assert "Sengketa terbuka" in item and paid.number in item
    assert format_rupiah(paid.total) in item
    path = f"/admin/rekonsiliasi/sengketa/{row.id}"
    assert f'href="{path}"' in item

    assert resolve(admin, path, "").status_code == 400
    response = resolve(admin, path, "dijawab di Stripe dengan bukti kirim")
    assert response.status_code == 303
    assert listed(admin, "dispute") == ""
    db.session.commit()
    disputes = db.session.scalars(
        select(PaymentTransaction).where(PaymentTransaction.kind == "dispute")
    ).all()
    assert [(d.amount, d.reference) for d in disputes] == [(paid.total, f"{row.source_id}:opened")]
    assert balance("dispute_losses") == paid.total
    assert audited("reconciliation.dispute") == 1
    assert resolve(admin, path, "lagi").status_code == 409
    assert balance("dispute_losses") == paid.total
    assert problems() == []


def test_a_dispute_the_webhook_recorded_is_not_posted_again(paid, fake_stripe, admin):
    event = fake_stripe.dispute(checkout_of(paid.id).payment_intent_id)
    handle_event(event)
    db.session.commit()
    assert balance("dispute_losses") == paid.total
    sync()
    row = row_of("dp_")
    assert paid.number in listed(admin, "dispute")
    assert resolve(admin, f"/admin/rekonsiliasi/sengketa/{row.id}", "sudah").status_code == 303
    assert balance("dispute_losses") == paid.total
    assert listed(admin, "dispute") == ""
    assert problems() == []


def test_a_refund_made_in_stripes_dashboard_is_recorded_on_the_order_once(
    app, paid, fake_stripe, admin
):
    payment_id = checkout_of(paid.id).payment_id
    refund = fake_stripe.refund_in_dashboard(checkout_of(paid.id).payment_intent_id, 1_500_000)
    sync()
    row = row_of(refund["id"])
    item = listed(admin, "stripe_refund")
    assert paid.number in item and format_rupiah(15_000) in item
    path = f"/admin/rekonsiliasi/refund-stripe/{row.id}"
    assert f'href="{path}"' in item
    assert listed(admin, "stripe") == ""  # listed once, with the page that resolves it

    staff = app.test_client()
    sign_in(staff, make_user().email)
    assert staff.get(path).status_code == 403
    token = csrf_token(staff)
    assert staff.post(path, data={"csrf_token": token, "note": "x"}).status_code == 403
    assert app.test_client().get(path).status_code == 302

    response = resolve(admin, path, "dikembalikan oleh CS di dasbor Stripe")
    assert response.status_code == 303
    db.session.commit()
    assert core.refunded(payment_id) == 15_000
    (recorded,) = core.refunds_of(paid.id)
    assert recorded.reference.startswith(refund["id"]) and recorded.method == "card"
    assert listed(admin, "stripe_refund") == ""
    assert audited("reconciliation.stripe_refund") == 1
    assert resolve(admin, path, "lagi").status_code == 409
    assert core.refunded(payment_id) == 15_000
    assert db.session.scalar(select(Resolution.amount)) == 15_000
    assert problems() == []


def test_a_dashboard_refund_its_webhook_recorded_is_not_listed_after_the_sync(
    paid, fake_stripe, admin
):
    """The charge.refunded webhook records the dashboard refund under Stripe's refund id,
    which is what the sync finds on the balance: no exception is left to link by hand."""
    payment_id = checkout_of(paid.id).payment_id
    refund = fake_stripe.refund_in_dashboard(checkout_of(paid.id).payment_intent_id, 1_500_000)
    (event,) = fake_stripe.events_of("charge.refunded")
    assert handle_event(event).outcome == "refund of 15000 IDR recorded"
    db.session.commit()
    (recorded,) = core.refunds_of(paid.id)
    assert recorded.reference.startswith(refund["id"] + ":")
    sync()
    assert row_of(refund["id"]) is not None
    assert listed(admin, "stripe_refund") == "" and listed(admin, "stripe") == ""
    assert core.refunded(payment_id) == 15_000
    assert problems() == []


def test_a_card_payment_whose_charge_the_sync_could_not_link_is_linked_by_hand(
    paid, fake_stripe, admin
):
    checkout = checkout_of(paid.id)
    charge_txn = fake_stripe.charges[checkout.charge_id]["balance_transaction"]
    # Stripe lists the charge under a PaymentIntent the shop did not store, a day later.
    later = int(timedelta(days=2).total_seconds())
    fake_stripe.balance_transactions[charge_txn]["created"] += later
    db.session.execute(
        update(StripeCheckout)
        .where(StripeCheckout.id == checkout.id)
        .values(payment_intent_id="pi_not_stored")
    )
    db.session.commit()
    sync()
    item = listed(admin, "no_money")
    assert paid.number in item and "Stripe tidak mencatat tagihannya" in item
    path = f"/admin/rekonsiliasi/tanpa-uang/{checkout.payment_id}"
    page = admin.get(path).get_data(as_text=True)
    row = row_of(checkout.charge_id)
    assert checkout.charge_id in page and f'value="{row.id}"' in page

    token = csrf_token(admin, path)
    response = admin.post(path, data={"csrf_token": token, "target": row.id, "note": "PI lama"})
    assert response.status_code == 303
    assert listed(admin, "no_money") == "" and listed(admin, "stripe") == ""
    db.session.commit()
    assert db.session.get(StripeBalanceTransaction, row.id).payment_id == checkout.payment_id
    fees = db.session.scalar(
        select(func.count()).select_from(PaymentTransaction).where(PaymentTransaction.kind == "fee")
    )
    assert fees == 1  # the webhook's fee for this charge: not posted again
    assert audited("reconciliation.no_money") == 1
    assert problems() == []
