"""The Stripe sync against the fake Stripe: balance transactions, fees, payouts, exceptions."""

from __future__ import annotations

import pytest
from card_helpers import start_card
from order_helpers import place
from sqlalchemy import func, select

from shop.extensions import db
from shop.ledger.check import problems
from shop.ledger.models import JournalEntry
from shop.ledger.services import balance
from shop.orders.models import FacilityOrder
from shop.payments import refunds
from shop.payments.models import PaymentTransaction
from shop.payments.stripe import gateway as gw
from shop.payments.stripe.balance_models import StripeBalanceTransaction, StripePayout
from shop.payments.stripe.models import StripeCheckout
from shop.payments.stripe.refunds import refund_by_card
from shop.payments.stripe.sync import stripe_exceptions, sync
from shop.payments.stripe.webhooks import handle_event


def _checkout(order_id: int) -> StripeCheckout:
    db.session.commit()
    return db.session.execute(
        select(StripeCheckout)
        .where(StripeCheckout.order_id == order_id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def pay(fake_stripe, order_id: int) -> StripeCheckout:
    """The buyer pays at the (fake) Stripe; the webhook records it (and the fee)."""
    event = fake_stripe.complete(_checkout(order_id).session_id)
    assert handle_event(event).outcome == "order paid"
    db.session.commit()
    return _checkout(order_id)


def card_order(products, quantities=None):
    first, second = products
    order = place(quantities or {first.id: 1, second.id: 1}, payment_method="card")
    start_card(order.id)
    return order


def rows(model):
    db.session.commit()
    return list(db.session.scalars(select(model).order_by(model.id)))


def count(model) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model))


def refund_first_part(order_id: int, amount: int, key: str):
    db.session.commit()
    part_id = db.session.scalar(
        select(FacilityOrder.id)
        .where(FacilityOrder.order_id == order_id)
        .order_by(FacilityOrder.id)
    )
    request = refunds.RefundRequest(order_id, amount, "card", "broken", part_id=part_id)
    return refund_by_card(request, "admin@kb", key)


@pytest.fixture
def small_pages(stripe_app):
    stripe_app.config["STRIPE_PAGE_SIZE"] = 2
    yield
    stripe_app.config.pop("STRIPE_PAGE_SIZE")


def test_sync_reads_every_page_links_charges_and_refunds_and_twice_creates_nothing(
    fake_stripe, products, small_pages
):
    first, second = products
    one = card_order(products)
    pay(fake_stripe, one.id)
    two = card_order(products, {second.id: 2})
    two_checkout = pay(fake_stripe, two.id)
    refund_first_part(one.id, 50_000, "rf-sync-1")
    assert len(fake_stripe.balance_transactions) == 3  # two charges, one refund

    result = sync()

    lists = fake_stripe.calls("GET", "/v1/balance_transactions")
    assert [c.query.get("starting_after") is not None for c in lists] == [False, True]
    assert all(c.query["limit"] == "2" for c in lists)
    assert result.transactions_new == 3 and result.fees_posted == 0  # the webhook posted fees
    stored = {r.txn_id: r for r in rows(StripeBalanceTransaction)}
    assert set(stored) == set(fake_stripe.balance_transactions)
    charge_of_two = fake_stripe.charges[two_checkout.charge_id]
    row = stored[charge_of_two["balance_transaction"]]
    assert (row.type, row.source_id, row.payment_id, row.order_id) == (
        "charge",
        two_checkout.charge_id,
        two_checkout.payment_id,
        two.id,
    )
    assert row.amount == two.total and row.fee == two_checkout.fee
    assert row.net == two.total - two_checkout.fee and row.reporting_category == "charge"
    (refund_row,) = [r for r in stored.values() if r.type == "refund"]
    assert (refund_row.amount, refund_row.net, refund_row.order_id) == (-50_000, -50_000, one.id)
    assert refund_row.source_id.startswith("re_")
    assert stripe_exceptions() == []
    assert problems() == []

    entries = count(JournalEntry)
    fees = db.session.scalar(
        select(func.count()).where(PaymentTransaction.kind == "fee").select_from(PaymentTransaction)
    )
    again = sync()
    assert (again.transactions_new, again.payouts_new, again.fees_posted) == (0, 0, 0)
    assert again.transactions_read == 3  # read again from the resume point, written once
    resumed = fake_stripe.calls("GET", "/v1/balance_transactions")[len(lists)]
    latest = max(t["created"] for t in fake_stripe.balance_transactions.values())
    assert int(resumed.query["created"]["gte"]) == latest - 24 * 3600
    assert count(StripeBalanceTransaction) == 3 and count(JournalEntry) == entries
    assert fees == 2
    assert problems() == []


def test_a_fee_the_webhook_could_not_fetch_is_posted_once_by_the_sync(fake_stripe, products):
    order = card_order(products)
    event = fake_stripe.complete(_checkout(order.id).session_id)
    fake_stripe.fail_after = len(fake_stripe.requests)  # the fee lookup after the event fails
    assert handle_event(event).outcome == "order paid"
    fake_stripe.fail_after = None
    checkout = _checkout(order.id)
    assert checkout.fee is None and balance("card_fees") == 0

    result = sync()
    checkout = _checkout(order.id)
    fee = next(iter(fake_stripe.balance_transactions.values()))["fee"] // 100
    assert result.fees_posted == 1
    assert balance("card_fees") == fee and checkout.fee == fee
    (row,) = [r for r in rows(PaymentTransaction) if r.kind == "fee"]
    assert (row.kind, row.amount, row.reference) == ("fee", fee, f"fee:{checkout.charge_id}")
    assert problems() == []

    assert sync().fees_posted == 0
    assert balance("card_fees") == fee


def test_payout_in_transit_then_paid_moves_stripe_money_to_the_bank(fake_stripe, products):
    order = card_order(products)
    checkout = pay(fake_stripe, order.id)
    net = order.total - checkout.fee
    bank_before = balance("bank")
    payout = fake_stripe.create_payout(status="in_transit")
    assert payout["amount"] == net * 100

    result = sync()
    assert (result.payouts_new, result.payouts_checked) == (1, [payout["id"]])
    (row,) = rows(StripePayout)
    assert (row.amount, row.status, row.transactions_total) == (net, "in_transit", net)
    assert balance("stripe") == 0 and balance("stripe_payouts_in_transit") == net
    assert balance("bank") == bank_before
    (payout_txn,) = [r for r in rows(StripeBalanceTransaction) if r.type == "payout"]
    assert (payout_txn.amount, payout_txn.payout_id) == (-net, payout["id"])
    charge_txn = next(r for r in rows(StripeBalanceTransaction) if r.type == "charge")
    assert charge_txn.payout_id == payout["id"]
    assert stripe_exceptions() == [] and problems() == []

    fake_stripe.settle_payout(payout["id"], "paid")
    result = sync()
    assert (result.payouts_new, result.payouts_changed, result.payout_entries) == (0, 1, 1)
    assert result.payouts_checked == []  # its transactions were listed once already
    assert balance("stripe_payouts_in_transit") == 0 and balance("bank") == bank_before + net
    assert rows(StripePayout)[0].status == "paid"
    assert problems() == []
    assert sync().payout_entries == 0


def test_a_failed_payout_comes_back_to_the_stripe_balance(fake_stripe, products):
    order = card_order(products)
    checkout = pay(fake_stripe, order.id)
    net = order.total - checkout.fee
    payout = fake_stripe.create_payout(status="in_transit")
    sync()
    fake_stripe.settle_payout(payout["id"], "failed")
    sync()
    assert balance("stripe") == net and balance("stripe_payouts_in_transit") == 0
    (item,) = stripe_exceptions()
    assert (item.kind, item.object_id, item.amount) == ("payout_returned", payout["id"], net)
    assert problems() == []


def test_a_payout_that_does_not_add_up_is_an_exception(fake_stripe, products):
    order = card_order(products)
    checkout = pay(fake_stripe, order.id)
    net = order.total - checkout.fee
    payout = fake_stripe.create_payout(amount=(net - 1_000) * 100)

    sync()
    (item,) = stripe_exceptions()
    assert (item.kind, item.object_id, item.amount) == (
        "payout_mismatch",
        payout["id"],
        net - 1_000,
    )
    assert "Rp" in item.reason and f"{net:,}".replace(",", ".") in item.reason
    assert rows(StripePayout)[0].transactions_total == net
    assert problems() == []  # the ledger posts what Stripe paid out; the gap is an exception


def test_a_charge_with_no_order_of_ours_is_an_exception(fake_stripe, products):
    order = card_order(products)
    pay(fake_stripe, order.id)
    stranger = fake_stripe.charge_without_order(7_500_000)

    sync()
    (item,) = stripe_exceptions()
    assert (item.kind, item.object_id, item.amount) == (
        "charge_without_order",
        stranger["id"],
        75_000,
    )
    (row,) = [r for r in rows(StripeBalanceTransaction) if r.source_id == stranger["id"]]
    assert row.payment_id is None and row.order_id is None
    assert balance("card_fees") == _checkout(order.id).fee  # no fee posted for a stranger
    assert problems() == []


def test_a_refund_made_in_stripes_dashboard_is_an_exception_ours_is_not(fake_stripe, products):
    order = card_order(products)
    checkout = pay(fake_stripe, order.id)
    refund_first_part(order.id, 20_000, "rf-ours")
    theirs = fake_stripe.refund_in_dashboard(checkout.payment_intent_id, 1_000_000)

    sync()
    (item,) = stripe_exceptions()
    assert (item.kind, item.object_id, item.amount) == ("refund_not_ours", theirs["id"], 10_000)
    assert problems() == []


def test_stripe_down_is_a_clear_error_and_nothing_is_written(fake_stripe, products, small_pages):
    order = card_order(products)
    pay(fake_stripe, order.id)
    fake_stripe.charge_without_order(5_000_000)
    fake_stripe.charge_without_order(6_000_000)
    entries = count(JournalEntry)

    fake_stripe.fail_after = len(fake_stripe.requests) + 1  # the second page fails
    with pytest.raises(gw.PaymentProviderUnavailable):
        sync()
    assert len(fake_stripe.calls("GET", "/v1/balance_transactions")) == 2
    assert count(StripeBalanceTransaction) == 0 and count(JournalEntry) == entries

    fake_stripe.fail_after = None
    fake_stripe.down()
    with pytest.raises(gw.PaymentProviderUnavailable):
        sync()
    assert count(StripeBalanceTransaction) == 0

    fake_stripe.up()
    assert sync().transactions_new == 3
    assert problems() == []


def test_cli_syncs_and_lists_exceptions(fake_stripe, products, runner):
    order = card_order(products)
    pay(fake_stripe, order.id)
    stranger = fake_stripe.charge_without_order(5_000_000)
    fake_stripe.create_payout()

    result = runner.invoke(args=["stripe-sync"])
    assert result.exit_code == 0, result.output
    assert "3 balance transaction(s) read, 3 new; 1 new payout(s)" in result.output
    assert f"exception charge_without_order {stranger['id']}" in result.output
    assert count(StripePayout) == 1
    assert runner.invoke(args=["ledger-check"]).output.strip() == "ledger-check: clean"

    again = runner.invoke(args=["stripe-sync"])
    assert "0 new; 0 new payout(s), 0 changed; 0 fee(s) and 0 payout entr" in again.output

    fake_stripe.down()
    down = runner.invoke(args=["stripe-sync"])
    assert down.exit_code == 2
    assert "Stripe is not answering" in down.output and "nothing was written" in down.output


def test_cli_without_stripe_keys_says_so(runner):
    result = runner.invoke(args=["stripe-sync"])
    assert result.exit_code == 2
    assert "Stripe is not configured" in result.output
    assert count(StripeBalanceTransaction) == 0


def test_ledger_check_sees_synced_stripe_money_the_ledger_disagrees_with(fake_stripe, products):
    order = card_order(products)
    checkout = pay(fake_stripe, order.id)
    payout = fake_stripe.create_payout()
    sync()
    assert problems() == []

    charge_row = next(r for r in rows(StripeBalanceTransaction) if r.type == "charge")
    charge_row.fee += 1
    charge_row.net -= 1
    payout_row = rows(StripePayout)[0]
    payout_row.amount += 5
    db.session.commit()

    found = problems()
    assert (
        f"charge {checkout.charge_id}: Stripe's fee {checkout.fee + 1}, fee recorded {checkout.fee}"
        in found
    )
    net = order.total - checkout.fee
    assert (
        f"payment {checkout.payment_id}: its charges net {net - 1} at Stripe, {net} in the ledger"
        in found
    )
    assert (
        f"payout {payout['id']} (paid, {net + 5}): ledger sent {net}, paid {net}, returned 0"
        in found
    )
