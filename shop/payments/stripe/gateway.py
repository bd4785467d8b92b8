"""The shop's one door to Stripe's API: a configured client, amounts, sessions, refunds.

Money inside the shop is integer rupiah. Stripe counts IDR in hundredths
(Rp 150.000 → ``15000000``): :func:`to_stripe_amount` / :func:`from_stripe_amount` are
the only conversions, used only in this module and by code reading Stripe objects.
Every failure to reach Stripe (down, slow, 5xx, rate limited) surfaces as
:class:`PaymentProviderUnavailable`; any other refusal as :class:`PaymentProviderError`.
Both carry a ``user_message`` fit to show the buyer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    import stripe

# ``stripe`` is imported in the functions that use it: with ``requests`` it is ~8 MB of
# every worker's memory, and only checkout by card, refunds, the sync and webhooks need it.

CURRENCY = "idr"
HUNDREDTHS = 100
T = TypeVar("T")


class PaymentProviderError(Exception):
    """Stripe refused a request (a bug or a state conflict, not an outage)."""

    user_message = _l(
        "Card payment could not be started. Please try again, or pay by bank transfer."
    )


class PaymentProviderUnavailable(PaymentProviderError):
    """Stripe could not be reached in time (down, slow, overloaded)."""

    user_message = _l(
        "The card payment service is not answering right now. Your order and its items are "
        "still reserved: try again in a moment, or pay by bank transfer."
    )


class WebhookSignatureInvalid(Exception):
    """A webhook whose signature, timestamp or body does not verify."""


def to_stripe_amount(rupiah: int) -> int:
    """Integer rupiah → Stripe's IDR amount in hundredths."""
    if isinstance(rupiah, bool) or not isinstance(rupiah, int):
        raise TypeError(f"rupiah must be an int, got {type(rupiah).__name__}")
    return rupiah * HUNDREDTHS


def from_stripe_amount(amount: int, *, exact: bool = True) -> int:
    """Stripe's IDR hundredths → integer rupiah.

    ``exact`` (for prices and totals) refuses a fraction of a rupiah; fees may carry one
    and are rounded half up with ``exact=False``.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount must be an int, got {type(amount).__name__}")
    sign, amount = (-1, -amount) if amount < 0 else (1, amount)
    if exact and amount % HUNDREDTHS:
        raise ValueError(f"{amount} is not a whole number of rupiah")
    return sign * ((amount + HUNDREDTHS // 2) // HUNDREDTHS)


def stripe_enabled(config: Mapping[str, Any] | None = None) -> bool:
    """Card payments are offered only when both keys are configured."""
    config = current_app.config if config is None else config
    return bool(config.get("STRIPE_SECRET_KEY")) and bool(config.get("STRIPE_WEBHOOK_SECRET"))


def build_client(config: Mapping[str, Any]) -> stripe.StripeClient:
    import stripe

    base = config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        max_network_retries=int(config.get("STRIPE_MAX_NETWORK_RETRIES", 2)),
        http_client=stripe.RequestsClient(timeout=float(config.get("STRIPE_TIMEOUT", 10))),
    )


def client() -> stripe.StripeClient:
    """The app's one client, rebuilt only when its configuration changes."""
    cfg = current_app.config
    key = (
        cfg.get("STRIPE_SECRET_KEY"),
        cfg.get("STRIPE_API_BASE"),
        cfg.get("STRIPE_TIMEOUT"),
        cfg.get("STRIPE_MAX_NETWORK_RETRIES"),
    )
    cached = current_app.extensions.get("stripe_client")
    if cached is None or cached[0] != key:
        if not stripe_enabled(cfg):
            raise PaymentProviderError("Stripe is not configured")
        cached = (key, build_client(cfg))
        current_app.extensions["stripe_client"] = cached
    return cached[1]


def _call(request: Callable[[], T]) -> T:
    import stripe

    try:
        return request()
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        current_app.logger.warning("Stripe unavailable: %s", error)
        raise PaymentProviderUnavailable(str(error)) from error
    except stripe.StripeError as error:
        current_app.logger.error("Stripe refused a request: %s", error)
        raise PaymentProviderError(str(error)) from error


@dataclass(frozen=True)
class CheckoutLine:
    """One priced line of a Checkout Session (a product, or one part's shipping)."""

    name: str
    unit_price: int  # rupiah
    quantity: int = 1


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    amount: int  # rupiah
    currency: str
    expires_at: datetime


def _line_item(line: CheckoutLine) -> dict:
    return {
        "quantity": line.quantity,
        "price_data": {
            "currency": CURRENCY,
            "unit_amount": to_stripe_amount(line.unit_price),
            "product_data": {"name": line.name[:250]},
        },
    }


def create_checkout_session(
    *,
    order_id: int,
    order_number: str,
    lines: Sequence[CheckoutLine],
    shipping: Sequence[CheckoutLine],
    expires_at: datetime,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
    customer_email: str | None = None,
    locale: str | None = None,
) -> CheckoutSession:
    """A hosted Checkout Session for one order attempt (``idempotency_key`` per attempt)."""
    metadata = {"order_id": str(order_id), "order_number": order_number}
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [_line_item(line) for line in [*lines, *shipping] if line.unit_price > 0],
        "client_reference_id": order_number,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if customer_email:
        params["customer_email"] = customer_email
    if locale in ("id", "en"):
        params["locale"] = locale
    session = _call(
        lambda: client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    )
    return CheckoutSession(
        id=session.id,
        url=session.url,
        amount=from_stripe_amount(session.amount_total),
        currency=session.currency,
        expires_at=datetime.fromtimestamp(session.expires_at, UTC),
    )


def retrieve_checkout_session(session_id: str) -> stripe.checkout.Session:
    return _call(lambda: client().v1.checkout.sessions.retrieve(session_id))


def expire_checkout_session(session_id: str) -> bool:
    """Close an open session so it can no longer be paid; False if it was not open."""
    import stripe

    try:
        _call(lambda: client().v1.checkout.sessions.expire(session_id))
    except PaymentProviderUnavailable:
        raise
    except PaymentProviderError as error:
        if isinstance(error.__cause__, stripe.InvalidRequestError):
            return False
        raise
    return True


@dataclass(frozen=True)
class ChargeFacts:
    """What a succeeded payment cost: all rupiah; fee and net None when not known yet."""

    charge_id: str | None
    amount: int
    fee: int | None
    net: int | None


def payment_facts(payment_intent_id: str) -> ChargeFacts:
    """The charge and its balance transaction (fee, net) behind a PaymentIntent."""
    intent = _call(
        lambda: client().v1.payment_intents.retrieve(
            payment_intent_id, params={"expand": ["latest_charge.balance_transaction"]}
        )
    )
    charge = intent.latest_charge
    txn = getattr(charge, "balance_transaction", None) if charge else None
    if txn is None or isinstance(txn, str):
        return ChargeFacts(
            getattr(charge, "id", charge), from_stripe_amount(intent.amount), None, None
        )
    return ChargeFacts(
        charge.id,
        from_stripe_amount(intent.amount),
        from_stripe_amount(txn.fee, exact=False),
        from_stripe_amount(txn.net, exact=False),
    )


@dataclass(frozen=True)
class RefundResult:
    id: str
    amount: int  # rupiah
    status: str


def refund(payment_intent_id: str, amount_rupiah: int, idempotency_key: str) -> RefundResult:
    """Refund ``amount_rupiah`` of a payment; the same key never refunds twice."""
    if amount_rupiah <= 0:
        raise ValueError("refund amount must be positive")
    result = _call(
        lambda: client().v1.refunds.create(
            params={
                "payment_intent": payment_intent_id,
                "amount": to_stripe_amount(amount_rupiah),
                "reason": "requested_by_customer",
                # Marks the refund as the shop's at Stripe, before its answer is stored
                # (:func:`charge_refunds`), and tells a dashboard reader where it came from.
                "metadata": {REFUND_KEY: idempotency_key},
            },
            options={"idempotency_key": idempotency_key},
        )
    )
    return RefundResult(result.id, from_stripe_amount(result.amount), result.status)


# The metadata key the shop's own refunds carry at Stripe.
REFUND_KEY = "karya_binaan_refund"


@dataclass(frozen=True)
class ChargeRefund:
    """One refund of a charge at Stripe; ``ours``: made by the shop (:func:`refund`)."""

    id: str
    amount: int  # rupiah
    status: str
    ours: bool
    created: datetime


def charge_refunds(charge_id: str) -> list[ChargeRefund]:
    """The refunds of one charge at Stripe, oldest first, all pages."""
    rows = _all_pages(lambda p: client().v1.refunds.list(params=p), {"charge": charge_id})
    found = [
        ChargeRefund(
            id=row.id,
            amount=from_stripe_amount(row.amount, exact=False),
            status=row.status,
            ours=REFUND_KEY in (row.metadata or {}),
            created=_stamp(row.created),
        )
        for row in rows
    ]
    return sorted(found, key=lambda r: (r.created, r.id))


# -- balance and payouts (the Stripe sync) ---------------------------------------------

PAGE_SIZE = 100


@dataclass(frozen=True)
class BalanceMovement:
    """One balance transaction, in rupiah (signed: money out of the balance < 0)."""

    id: str
    type: str
    reporting_category: str
    amount: int
    fee: int
    net: int
    currency: str
    source_id: str | None
    payment_intent_id: str | None  # of the charge or refund behind it, when there is one
    created: datetime
    available_on: datetime | None
    payout_id: str | None = None


@dataclass(frozen=True)
class PayoutFacts:
    id: str
    amount: int  # rupiah
    currency: str
    status: str
    arrival_date: datetime | None
    created: datetime


def _stamp(value) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(int(value), UTC)


def _all_pages(fetch: Callable[[dict], Any], params: dict) -> list:
    """Every object of a Stripe list, page after page (``starting_after``, ``has_more``)."""
    params = {"limit": int(current_app.config.get("STRIPE_PAGE_SIZE", PAGE_SIZE)), **params}
    found: list = []
    while True:
        page = _call(lambda: fetch(dict(params)))
        found.extend(page.data)
        if not page.has_more or not page.data:
            return found
        params["starting_after"] = page.data[-1].id


def _movement(txn, payout_id: str | None) -> BalanceMovement:
    source = txn.source
    expanded = not (isinstance(source, str) or source is None)
    source_id = source.id if expanded else source
    intent = getattr(source, "payment_intent", None) if expanded else None
    return BalanceMovement(
        id=txn.id,
        type=txn.type,
        reporting_category=getattr(txn, "reporting_category", None) or "",
        amount=from_stripe_amount(txn.amount, exact=False),
        fee=from_stripe_amount(txn.fee, exact=False),
        net=from_stripe_amount(txn.net, exact=False),
        currency=txn.currency,
        source_id=source_id,
        payment_intent_id=intent if isinstance(intent, str) else getattr(intent, "id", None),
        created=_stamp(txn.created),
        available_on=_stamp(getattr(txn, "available_on", None)),
        payout_id=payout_id,
    )


def balance_transactions(
    *, created_since: datetime | None = None, payout: str | None = None
) -> list[BalanceMovement]:
    """Balance transactions (newest first), all pages; those of one payout with ``payout``."""
    params: dict[str, Any] = {"expand": ["data.source"]}
    if created_since is not None:
        params["created"] = {"gte": int(created_since.timestamp())}
    if payout is not None:
        params["payout"] = payout
    rows = _all_pages(lambda p: client().v1.balance_transactions.list(params=p), params)
    return [_movement(txn, payout) for txn in rows]


def payouts(*, created_since: datetime | None = None) -> list[PayoutFacts]:
    """Payouts to the shop's bank (newest first), all pages."""
    params: dict[str, Any] = {}
    if created_since is not None:
        params["created"] = {"gte": int(created_since.timestamp())}
    rows = _all_pages(lambda p: client().v1.payouts.list(params=p), params)
    return [
        PayoutFacts(
            id=row.id,
            amount=from_stripe_amount(row.amount, exact=False),
            currency=row.currency,
            status=row.status,
            arrival_date=_stamp(getattr(row, "arrival_date", None)),
            created=_stamp(row.created),
        )
        for row in rows
    ]


class MalformedEvent(Exception):
    """A correctly signed body that is not an event we can read (no id, no data…)."""


def verify_webhook(raw_body: bytes, signature_header: str | None) -> dict:
    """The event as a plain dict, if ``raw_body`` is signed with our webhook secret, recent
    enough and shaped like an event.

    Stripe's library refuses a timestamp older than its tolerance; one too far in the
    future (a replay signed with a skewed or forged clock) is refused here the same way.
    Raises :class:`WebhookSignatureInvalid`, or :class:`MalformedEvent` for a signed body
    without an ``id``, a ``type`` and a ``data.object``.
    """
    import stripe

    _refuse_future_timestamp(signature_header)
    try:
        payload = raw_body.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            payload,
            signature_header or "",
            current_app.config["STRIPE_WEBHOOK_SECRET"],
            tolerance=stripe.Webhook.DEFAULT_TOLERANCE,
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as error:
        raise WebhookSignatureInvalid(str(error)) from error
    try:
        event = json.loads(payload)
    except ValueError:
        raise MalformedEvent("not JSON") from None
    if not _event_shaped(event):
        raise MalformedEvent("not an event")
    return event


def _event_shaped(event) -> bool:
    if not isinstance(event, dict):
        return False
    data = event.get("data")
    return (
        isinstance(event.get("id"), str)
        and bool(event["id"])
        and isinstance(event.get("type"), str)
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
        and isinstance(event.get("created", 0), int)
    )


def _refuse_future_timestamp(signature_header: str | None) -> None:
    import stripe

    tolerance = stripe.Webhook.DEFAULT_TOLERANCE
    for item in (signature_header or "").split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t":
            try:
                stamp = int(value)
            except ValueError:
                raise WebhookSignatureInvalid("timestamp is not a number") from None
            if stamp > time.time() + tolerance:
                raise WebhookSignatureInvalid("timestamp is in the future")
