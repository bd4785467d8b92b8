"""The Stripe gateway against the fake Stripe server (real HTTP, the real ``stripe`` library)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import stripe

from shop.payments.stripe import gateway as gw
from shop.payments.stripe.gateway import CheckoutLine


def _session_kwargs(**overrides):
    values = {
        "order_id": 7,
        "order_number": "KB-2611-7QX4",
        "lines": [
            CheckoutLine("Batik tulis Gajah Oling", 150_000, 1),
            CheckoutLine("Tas", 75_500, 2),
        ],
        "shipping": [CheckoutLine("Ongkos kirim Lapas Banyuwangi (JNE)", 18_000)],
        "expires_at": datetime.now(UTC) + timedelta(minutes=31),
        "success_url": "http://shop.test/bayar/kartu/selesai?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://shop.test/pesanan/abc",
        "idempotency_key": "order-7-attempt-1",
        "customer_email": "sari@example.id",
        "locale": "id",
    }
    values.update(overrides)
    return values


# -- amounts ---------------------------------------------------------------------------


def test_rupiah_to_stripe_hundredths_and_back():
    assert gw.to_stripe_amount(150_000) == 15_000_000
    assert gw.from_stripe_amount(15_000_000) == 150_000
    assert gw.from_stripe_amount(0) == 0
    assert gw.from_stripe_amount(-250_000) == -2_500


def test_amount_conversion_refuses_floats_and_fractions():
    with pytest.raises(TypeError):
        gw.to_stripe_amount(1500.0)
    with pytest.raises(TypeError):
        gw.to_stripe_amount(True)
    with pytest.raises(ValueError):
        gw.from_stripe_amount(15_000_050)
    assert gw.from_stripe_amount(15_000_050, exact=False) == 150_001
    assert gw.from_stripe_amount(15_000_049, exact=False) == 150_000


def test_stripe_enabled_needs_both_keys():
    assert not gw.stripe_enabled({"STRIPE_SECRET_KEY": "sk", "STRIPE_WEBHOOK_SECRET": ""})
    assert not gw.stripe_enabled({})
    assert gw.stripe_enabled({"STRIPE_SECRET_KEY": "sk", "STRIPE_WEBHOOK_SECRET": "wh"})


# -- client ----------------------------------------------------------------------------


def test_client_is_built_from_config(stripe_app, fake_stripe):
    client = gw.client()
    assert client is gw.client()  # one client per configuration
    requestor = client._requestor
    assert requestor.base_addresses["api"] == fake_stripe.url
    assert requestor._options.max_network_retries == 0
    assert requestor._client._timeout == 1.0
    stripe_app.config["STRIPE_MAX_NETWORK_RETRIES"] = 3
    assert gw.client() is not client
    assert gw.client()._requestor._options.max_network_retries == 3


# -- Checkout Sessions -------------------------------------------------------------------


def test_create_checkout_session_sends_idr_hundredths_and_the_order(stripe_app, fake_stripe):
    kwargs = _session_kwargs()
    session = gw.create_checkout_session(**kwargs)

    assert session.id.startswith("cs_test_")
    assert session.url == f"{fake_stripe.url}/pay/{session.id}"
    assert session.amount == 150_000 + 2 * 75_500 + 18_000
    assert session.currency == "idr"
    assert session.expires_at == datetime.fromtimestamp(int(kwargs["expires_at"].timestamp()), UTC)

    (call,) = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert call.headers["Authorization"] == f"Bearer {fake_stripe.api_key}"
    assert call.idempotency_key == "order-7-attempt-1"
    p = call.params
    assert p["mode"] == "payment"
    assert [li["price_data"]["unit_amount"] for li in p["line_items"]] == [
        "15000000",
        "7550000",
        "1800000",
    ]
    assert {li["price_data"]["currency"] for li in p["line_items"]} == {"idr"}
    assert p["line_items"][1]["quantity"] == "2"
    assert p["line_items"][2]["price_data"]["product_data"]["name"].startswith("Ongkos kirim")
    assert p["client_reference_id"] == "KB-2611-7QX4"
    assert p["metadata"] == {"order_id": "7", "order_number": "KB-2611-7QX4"}
    assert p["payment_intent_data"]["metadata"] == p["metadata"]
    assert p["expires_at"] == str(int(kwargs["expires_at"].timestamp()))
    assert p["success_url"].endswith("{CHECKOUT_SESSION_ID}")


def test_free_shipping_is_left_out(stripe_app, fake_stripe):
    gw.create_checkout_session(**_session_kwargs(shipping=[CheckoutLine("Ongkir", 0)]))
    (call,) = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert len(call.params["line_items"]) == 2


def test_same_idempotency_key_gives_the_same_session(stripe_app, fake_stripe):
    first = gw.create_checkout_session(**_session_kwargs())
    again = gw.create_checkout_session(**_session_kwargs(expires_at=first.expires_at))
    assert again.id == first.id
    assert len(fake_stripe.sessions) == 1


def test_same_idempotency_key_with_other_params_is_refused(stripe_app, fake_stripe):
    gw.create_checkout_session(**_session_kwargs())
    with pytest.raises(gw.PaymentProviderError) as caught:
        gw.create_checkout_session(**_session_kwargs(order_number="KB-OTHER"))
    assert not isinstance(caught.value, gw.PaymentProviderUnavailable)
    assert isinstance(caught.value.__cause__, stripe.IdempotencyError)
    assert len(fake_stripe.sessions) == 1


def test_expires_at_outside_stripes_window_is_refused(stripe_app, fake_stripe):
    for minutes in (29, 24 * 60 + 5):
        with pytest.raises(gw.PaymentProviderError) as caught:
            gw.create_checkout_session(
                **_session_kwargs(
                    expires_at=datetime.now(UTC) + timedelta(minutes=minutes),
                    idempotency_key=f"k-{minutes}",
                )
            )
        assert caught.value.__cause__.param == "expires_at"
    assert fake_stripe.sessions == {}


def test_stripe_down_is_provider_unavailable(stripe_app, fake_stripe):
    fake_stripe.down()
    with pytest.raises(gw.PaymentProviderUnavailable) as caught:
        gw.create_checkout_session(**_session_kwargs())
    assert "tidak merespons" in str(caught.value.user_message)  # Indonesian by default
    fake_stripe.up()
    assert gw.create_checkout_session(**_session_kwargs()).id in fake_stripe.sessions


def test_stripe_slower_than_the_timeout_is_provider_unavailable(stripe_app, fake_stripe):
    stripe_app.config["STRIPE_TIMEOUT"] = 0.3
    fake_stripe.delay = 5
    started = time.monotonic()
    with pytest.raises(gw.PaymentProviderUnavailable):
        gw.create_checkout_session(**_session_kwargs())
    assert time.monotonic() - started < 3


def test_a_retry_after_a_timeout_reuses_the_idempotency_key(stripe_app, fake_stripe):
    stripe_app.config.update(STRIPE_TIMEOUT=0.3, STRIPE_MAX_NETWORK_RETRIES=1)
    fake_stripe.delay = 5
    with pytest.raises(gw.PaymentProviderUnavailable):
        gw.create_checkout_session(**_session_kwargs())
    calls = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert len(calls) == 2
    assert {c.idempotency_key for c in calls} == {"order-7-attempt-1"}


def test_expire_checkout_session(stripe_app, fake_stripe):
    session = gw.create_checkout_session(**_session_kwargs())
    assert gw.expire_checkout_session(session.id) is True
    assert fake_stripe.sessions[session.id]["status"] == "expired"
    assert gw.expire_checkout_session(session.id) is False  # already closed
    assert gw.retrieve_checkout_session(session.id).status == "expired"


# -- payments, refunds -----------------------------------------------------------------


def _paid_session(fake_stripe):
    session = gw.create_checkout_session(**_session_kwargs())
    event = fake_stripe.complete(session.id)
    return event["data"]["object"]["payment_intent"]


def test_payment_facts_gives_fee_and_net_in_rupiah(stripe_app, fake_stripe):
    pi = _paid_session(fake_stripe)
    facts = gw.payment_facts(pi)
    txn = next(iter(fake_stripe.balance_transactions.values()))
    assert facts.amount == 319_000
    assert facts.fee == txn["fee"] // 100 and facts.fee > 0
    assert facts.net == facts.amount - facts.fee
    assert facts.charge_id in fake_stripe.charges


def test_refund_partial_then_rest_never_above_paid(stripe_app, fake_stripe):
    pi = _paid_session(fake_stripe)
    first = gw.refund(pi, 100_000, "refund-1")
    assert first.amount == 100_000 and first.status == "succeeded"
    (call,) = fake_stripe.calls("POST", "/v1/refunds")
    assert call.params["amount"] == "10000000"
    with pytest.raises(gw.PaymentProviderError):
        gw.refund(pi, 219_001, "refund-2")
    assert gw.refund(pi, 219_000, "refund-3").amount == 219_000
    charge = next(iter(fake_stripe.charges.values()))
    assert charge["amount_refunded"] == 31_900_000 and charge["refunded"] is True


def test_refund_with_the_same_key_refunds_once(stripe_app, fake_stripe):
    pi = _paid_session(fake_stripe)
    first = gw.refund(pi, 50_000, "refund-once")
    again = gw.refund(pi, 50_000, "refund-once")
    assert again.id == first.id
    assert len(fake_stripe.refunds) == 1
    assert next(iter(fake_stripe.charges.values()))["amount_refunded"] == 5_000_000


# -- webhooks --------------------------------------------------------------------------


def test_verify_webhook_accepts_stripes_signature_only(stripe_app, fake_stripe):
    event = fake_stripe.event("checkout.session.completed", {"id": "cs_x", "object": "x"})
    body, headers = fake_stripe.signed(event)
    verified = gw.verify_webhook(body.encode(), headers["Stripe-Signature"])
    assert verified["id"] == event["id"] and verified["type"] == "checkout.session.completed"

    with pytest.raises(gw.WebhookSignatureInvalid):
        gw.verify_webhook(json.dumps(event).encode(), headers["Stripe-Signature"])
    _, forged = fake_stripe.signed(event, secret="whsec_someone_else")
    with pytest.raises(gw.WebhookSignatureInvalid):
        gw.verify_webhook(body.encode(), forged["Stripe-Signature"])
    with pytest.raises(gw.WebhookSignatureInvalid):
        gw.verify_webhook(body.encode(), None)
