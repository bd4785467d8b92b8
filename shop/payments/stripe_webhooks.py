"""Stripe webhook events → payment and order changes, each event id handled once.

:func:`handle_event` takes an already verified event (a plain dict). In one write
transaction it inserts the event id (unique: a duplicate delivery stops there) and
applies the effect; both commit together or not at all. States only move forward, so
duplicates and out-of-order deliveries change nothing twice. Money is marked received
only when Stripe says ``payment_status == "paid"`` and the amount and currency match
what the order asked for; anything else goes to the administrators' review list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.inventory import services as inventory
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments import stripe_gateway as gateway
from shop.payments.stripe_models import StripeCheckout, StripeEvent, StripeRefund
from shop.payments.stripe_records import (
    STATUS_RANK,
    checkout_by_payment_intent,
    flag_for_review,
    from_timestamp,
    payment_of,
    record_session,
    set_status,
)
from shop.sqltypes import utcnow

ACTOR = "stripe"


class UnknownOrder(Exception):
    """The event names no order of ours (yet): do not record it, let Stripe retry."""


@dataclass
class WebhookResult:
    status_code: int
    outcome: str
    fetch_facts_for: int | None = None  # checkout id whose fee/net to look up after commit


@dataclass
class _Context:
    event_id: str
    row: StripeEvent
    now: datetime
    fetch_facts_for: int | None = None


def handle_event(event: dict, now: datetime | None = None) -> WebhookResult:
    now = now or utcnow()
    inventory.begin_write()
    try:
        row = StripeEvent(
            event_id=event["id"],
            type=str(event.get("type", ""))[:80],
            stripe_created=from_timestamp(event.get("created")),
            received_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return WebhookResult(200, "duplicate event: already handled")
        handler = HANDLERS.get(row.type)
        ctx = _Context(event["id"], row, now)
        if handler is None:
            outcome = "ignored: event type not handled"
        else:
            outcome = handler(event["data"]["object"], ctx)
        row.outcome = outcome[:300]
        db.session.commit()
    except UnknownOrder as error:
        db.session.rollback()
        return WebhookResult(404, f"unknown order: {error}")
    except Exception:
        db.session.rollback()
        raise
    if ctx.fetch_facts_for:
        record_fee_and_net(ctx.fetch_facts_for)
    return WebhookResult(200, outcome, ctx.fetch_facts_for)


# -- helpers -----------------------------------------------------------------------------


def _order_of_session(session: dict) -> Order:
    metadata = session.get("metadata") or {}
    try:
        order_id = int(metadata.get("order_id", ""))
    except ValueError:
        raise UnknownOrder(session.get("id")) from None
    try:
        order = orders.lock_order(order_id)
    except orders.OrderNotFound:
        raise UnknownOrder(order_id) from None
    if session.get("client_reference_id") not in (None, order.number):
        raise UnknownOrder(f"{order_id}: reference {session.get('client_reference_id')}")
    return order


def _checkout_of_session(session: dict, ctx: _Context) -> tuple[Order, StripeCheckout]:
    order = _order_of_session(session)
    checkout, _ = record_session(
        order,
        session["id"],
        order.total,
        from_timestamp(session.get("expires_at")) or ctx.now,
        ACTOR,
        event_id=ctx.event_id,
        now=ctx.now,
    )
    ctx.row.order_id = order.id
    ctx.row.payment_id = checkout.payment_id
    if session.get("payment_intent") and not checkout.payment_intent_id:
        checkout.payment_intent_id = session["payment_intent"]
    return order, checkout


def _settle(order: Order, checkout: StripeCheckout, session: dict, ctx: _Context) -> str:
    """Stripe says this session is paid: check it, then pay the order (once)."""
    payment = payment_of(checkout)
    if STATUS_RANK[payment.status] >= STATUS_RANK["succeeded"]:
        return f"already {payment.status}"
    currency = str(session.get("currency") or "")
    reported = session.get("amount_total")
    checkout.currency_reported = currency[:3]
    try:
        amount = gateway.from_stripe_amount(reported)
    except (TypeError, ValueError):
        amount = None
    checkout.amount_reported = amount
    ctx.fetch_facts_for = checkout.id
    if currency != gateway.CURRENCY:
        reason = f"currency mismatch: paid in {currency!r}, order in idr"
        flag_for_review(checkout, payment, reason, ACTOR, event_id=ctx.event_id, now=ctx.now)
        return reason
    if amount is None or amount != checkout.amount or checkout.amount != order.total:
        reason = f"amount mismatch: Stripe reports {reported} (hundredths), order {order.total}"
        flag_for_review(checkout, payment, reason, ACTOR, event_id=ctx.event_id, now=ctx.now)
        return reason
    payment.amount_received = amount
    if order.status not in ("awaiting_payment", "expired"):
        reason = f"paid by card but the order is already {order.status}: refund due"
        flag_for_review(
            checkout, payment, reason, ACTOR, refund_due=True, event_id=ctx.event_id, now=ctx.now
        )
        return reason
    pi = session.get("payment_intent") or ""
    if not orders.mark_paid(order, ACTOR, f"card payment {pi} ({session['id']})", ctx.now):
        reason = "paid after the order expired and its stock is gone: refund due"
        flag_for_review(
            checkout, payment, reason, ACTOR, refund_due=True, event_id=ctx.event_id, now=ctx.now
        )
        return reason
    set_status(
        payment, "succeeded", ACTOR, f"paid {amount} IDR", event_id=ctx.event_id, now=ctx.now
    )
    return "order paid"


# -- handlers ----------------------------------------------------------------------------


def _completed(session: dict, ctx: _Context) -> str:
    order, checkout = _checkout_of_session(session, ctx)
    checkout.session_status = "complete"
    if session.get("payment_status") == "paid":
        return _settle(order, checkout, session, ctx)
    payment = payment_of(checkout)
    if payment.status == "pending":
        set_status(
            payment,
            "pending",
            ACTOR,
            "checkout completed; payment still processing",
            event_id=ctx.event_id,
            now=ctx.now,
        )
    return f"completed with payment_status={session.get('payment_status')}: not paid yet"


def _async_succeeded(session: dict, ctx: _Context) -> str:
    order, checkout = _checkout_of_session(session, ctx)
    checkout.session_status = "complete"
    if session.get("payment_status") != "paid":
        return "async success without payment_status=paid: ignored"
    return _settle(order, checkout, session, ctx)


def _async_failed(session: dict, ctx: _Context) -> str:
    _order, checkout = _checkout_of_session(session, ctx)
    checkout.session_status = "complete"
    payment = payment_of(checkout)
    if STATUS_RANK[payment.status] > STATUS_RANK["pending"]:
        return f"already {payment.status}"
    set_status(
        payment, "failed", ACTOR, "delayed payment failed", event_id=ctx.event_id, now=ctx.now
    )
    return "payment failed; order still awaiting payment"


def _expired(session: dict, ctx: _Context) -> str:
    order, checkout = _checkout_of_session(session, ctx)
    if checkout.session_status == "complete":
        return "session already complete"
    already_closed = checkout.session_status == "expired"
    checkout.session_status = "expired"
    payment = payment_of(checkout)
    if payment.status == "pending":
        set_status(
            payment,
            "expired",
            ACTOR,
            "Checkout Session expired",
            event_id=ctx.event_id,
            now=ctx.now,
        )
    if already_closed or order.status != "awaiting_payment" or order.payment_method != "card":
        return "session expired"
    open_others = (
        db.session.query(StripeCheckout.id)
        .filter(
            StripeCheckout.order_id == order.id,
            StripeCheckout.session_status == "open",
            StripeCheckout.id != checkout.id,
        )
        .first()
    )
    expires_at = from_timestamp(session.get("expires_at"))
    # Stripe's expires_at is whole seconds; the session covered the order's whole hold.
    if (
        open_others
        or expires_at is None
        or expires_at + timedelta(seconds=1) < order.payment_deadline
    ):
        return "session expired; order still within its deadline"
    orders.expire_order(order.id, max(ctx.now, order.payment_deadline), actor=ACTOR)
    return "session expired; order expired and stock released"


def _charge_refunded(charge: dict, ctx: _Context) -> str:
    checkout = checkout_by_payment_intent(str(charge.get("payment_intent") or ""))
    if checkout is None:
        return "refund of a payment we do not know: ignored"
    ctx.row.payment_id, ctx.row.order_id = checkout.payment_id, checkout.order_id
    total = gateway.from_stripe_amount(int(charge.get("amount_refunded") or 0), exact=False)
    pending = sum(
        r.amount
        for r in db.session.query(StripeRefund).filter(
            StripeRefund.payment_id == checkout.payment_id, StripeRefund.status == "requested"
        )
    )
    new = total - checkout.refunded_amount - pending
    if new <= 0:
        return "refund already recorded"
    apply_refund(checkout, new, ACTOR, "refunded in Stripe", event_id=ctx.event_id, now=ctx.now)
    return f"refund of {new} IDR recorded"


def _dispute_created(dispute: dict, ctx: _Context) -> str:
    checkout = checkout_by_payment_intent(str(dispute.get("payment_intent") or ""))
    if checkout is None:
        return "dispute on a payment we do not know: ignored"
    ctx.row.payment_id, ctx.row.order_id = checkout.payment_id, checkout.order_id
    checkout.disputed = True
    reason = f"dispute opened ({dispute.get('reason', 'unknown')}): respond in Stripe"
    flag_for_review(
        checkout,
        payment_of(checkout),
        reason,
        ACTOR,
        keep_status=True,
        event_id=ctx.event_id,
        now=ctx.now,
    )
    return reason


HANDLERS: dict[str, Callable[[dict, _Context], str]] = {
    "checkout.session.completed": _completed,
    "checkout.session.async_payment_succeeded": _async_succeeded,
    "checkout.session.async_payment_failed": _async_failed,
    "checkout.session.expired": _expired,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
}


# -- shared with the refund service ------------------------------------------------------


def apply_refund(
    checkout: StripeCheckout,
    amount: int,
    actor: str,
    reason: str,
    *,
    event_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record ``amount`` returned on a card payment (and on its order if it was paid)."""
    now = now or utcnow()
    payment = payment_of(checkout)
    checkout.refunded_amount += amount
    whole = checkout.refunded_amount >= (checkout.amount_reported or checkout.amount)
    if payment.status == "succeeded":
        orders.record_refund(checkout.order_id, amount, actor, reason, now)
    if whole:
        checkout.refund_due = False
        set_status(
            payment,
            "refunded",
            actor,
            f"{reason}: {amount} IDR, now whole",
            event_id=event_id,
            now=now,
        )
    else:
        set_status(
            payment,
            payment.status,
            actor,
            f"{reason}: {amount} IDR (partial)",
            event_id=event_id,
            now=now,
        )


def record_fee_and_net(checkout_id: int) -> None:
    """Best effort after commit: Stripe's fee and net for a paid session."""
    checkout = db.session.get(StripeCheckout, checkout_id)
    if checkout is None or not checkout.payment_intent_id or checkout.fee is not None:
        return
    pi = checkout.payment_intent_id
    db.session.commit()
    try:
        facts = gateway.payment_facts(pi)
    except gateway.PaymentProviderError as error:
        current_app.logger.warning("fee/net of %s not known yet: %s", pi, error)
        return
    inventory.begin_write()
    try:
        checkout = db.session.get(StripeCheckout, checkout_id, populate_existing=True)
        checkout.charge_id = facts.charge_id
        checkout.fee, checkout.net = facts.fee, facts.net
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
