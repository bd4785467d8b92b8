"""The fake Stripe's list endpoints answer and refuse as Stripe does (through the real
``stripe`` library), so the sync is tested against Stripe's paging and validation."""

from __future__ import annotations

import pytest
import stripe


@pytest.fixture
def api(fake_stripe):
    return stripe.StripeClient(
        fake_stripe.api_key, base_addresses={"api": fake_stripe.url}, max_network_retries=0
    )


@pytest.fixture
def five_charges(fake_stripe):
    return [fake_stripe.charge_without_order(1_000_000 * (i + 1)) for i in range(5)]


def test_balance_transactions_page_newest_first_with_cursors(api, fake_stripe, five_charges):
    newest_first = [c["balance_transaction"] for c in reversed(five_charges)]
    seen, params = [], {"limit": 2}
    while True:
        page = api.v1.balance_transactions.list(params=params)
        seen.append([t.id for t in page.data])
        if not page.has_more:
            break
        params["starting_after"] = page.data[-1].id
    assert seen == [newest_first[0:2], newest_first[2:4], newest_first[4:]]
    before = api.v1.balance_transactions.list(params={"limit": 2, "ending_before": newest_first[3]})
    assert [t.id for t in before.data] == newest_first[1:3]
    default = api.v1.balance_transactions.list()
    assert len(default.data) == 5 and default.has_more is False
    first = default.data[0]
    assert (first.type, first.reporting_category, first.source) == (
        "charge",
        "charge",
        five_charges[-1]["id"],
    )
    assert first.net == first.amount - first.fee and first.available_on >= first.created


def test_expanded_source_and_filters(api, fake_stripe, five_charges):
    old = fake_stripe.balance_transactions[five_charges[0]["balance_transaction"]]
    old["created"] -= 10 * 24 * 3600
    recent = api.v1.balance_transactions.list(
        params={"created": {"gte": old["created"] + 1}, "expand": ["data.source"]}
    )
    assert len(recent.data) == 4
    assert recent.data[0].source.object == "charge"
    assert recent.data[0].source.payment_intent == five_charges[-1]["payment_intent"]
    exact = api.v1.balance_transactions.list(params={"created": old["created"]})
    assert [t.id for t in exact.data] == [old["id"]]

    payout = fake_stripe.create_payout()
    assert payout["amount"] == sum(
        fake_stripe.balance_transactions[c["balance_transaction"]]["net"] for c in five_charges
    )
    later = fake_stripe.charge_without_order(2_000_000)
    inside = api.v1.balance_transactions.list(params={"payout": payout["id"], "limit": 100})
    ids = {t.id for t in inside.data}
    assert later["balance_transaction"] not in ids and len(ids) == 6  # five charges + payout
    assert sum(t.net for t in inside.data) == 0
    payouts = api.v1.payouts.list(params={"status": "paid"})
    assert [p.id for p in payouts.data] == [payout["id"]]
    assert api.v1.payouts.list(params={"status": "pending"}).data == []


@pytest.mark.parametrize(
    ("params", "param", "words"),
    [
        ({"limit": 0}, "limit", "greater than or equal to 1"),
        ({"limit": 101}, "limit", "less than or equal to 100"),
        ({"limit": "ten"}, "limit", "Invalid integer"),
        ({"colour": "blue"}, "colour", "Received unknown parameter: colour"),
        ({"created": {"gte": "yesterday"}}, "created[gte]", "Invalid integer"),
        ({"created": {"after": 1}}, "created[after]", "unknown parameter"),
        ({"expand": ["data.fee_details"]}, "expand", "cannot be expanded"),
        ({"starting_after": "txn_nope"}, "starting_after", "No such balance transaction"),
        ({"payout": "po_nope"}, "payout", "No such payout: 'po_nope'"),
    ],
)
def test_balance_transactions_refuse_bad_parameters_as_stripe_does(api, params, param, words):
    with pytest.raises(stripe.InvalidRequestError) as error:
        api.v1.balance_transactions.list(params=params)
    assert error.value.param == param and words in error.value.user_message


def test_payouts_refuse_bad_parameters(api):
    with pytest.raises(stripe.InvalidRequestError) as error:
        api.v1.payouts.list(params={"status": "lost"})
    assert error.value.param == "status"
    with pytest.raises(stripe.InvalidRequestError) as error:
        api.v1.payouts.list(params={"payout": "po_1"})
    assert "Received unknown parameter: payout" in error.value.user_message


def test_a_refund_and_a_failed_payout_move_the_balance(api, fake_stripe):
    charge = fake_stripe.charge_without_order(3_000_000)
    refund = fake_stripe.refund_in_dashboard(charge["payment_intent"], 1_000_000)
    txn = fake_stripe.balance_transactions[refund["balance_transaction"]]
    assert (txn["type"], txn["amount"], txn["net"], txn["source"]) == (
        "refund",
        -1_000_000,
        -1_000_000,
        refund["id"],
    )
    payout = fake_stripe.create_payout(status="in_transit")
    fake_stripe.settle_payout(payout["id"], "failed")
    (failure,) = api.v1.balance_transactions.list(params={"type": "payout_failure"}).data
    assert (failure.amount, failure.source) == (payout["amount"], payout["id"])
    assert api.v1.payouts.list().data[0].status == "failed"
