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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.orders import services as orders
from shop.orders.labels import ORDER_STATUS_NAMES
from shop.orders.models import PAYABLE_ORDER_STATUSES, Order
from shop.payments import core, refunds
from shop.payments.labels import DISPUTE_REASONS
from shop.payments.stripe import gateway
from shop.payments.stripe.models import StripeCheckout, StripeEvent
from shop.payments.stripe.records import (
    STATUS_RANK,
    checkout_by_payment_intent,
    checkout_by_session,
    flag_for_review,
    from_timestamp,
    payment_of,
    set_status,
)
from shop.payments.stripe.refunds import requested_amount
from shop.sqltypes import utcnow
from shop.system_text import N_, label, rupiah, system_note
from shop.uow import end_read, unit_of_work

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
    # A charge.refunded event's refunds at Stripe (:func:`_charge_refunds_of`).
    charge_refunds: list[gateway.ChargeRefund] = field(default_factory=list)
    fetch_facts_for: int | None = None


def handle_event(event: dict, now: datetime | None = None) -> WebhookResult:
    now = now or utcnow()
    charge_refunds = _charge_refunds_of(event)
    try:
        with unit_of_work():
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
                return WebhookResult(200, "duplicate event: already handled")
            handler = HANDLERS.get(row.type)
            ctx = _Context(event["id"], row, now, charge_refunds)
            obj = event["data"]["object"]
            if handler is None:
                outcome = "ignored: event type not handled"
            else:
                try:
                    with db.session.begin_nested():
                        outcome = handler(obj, ctx)
                except Mismatch as error:
                    outcome = _on_mismatch(obj, ctx, error)
            row.outcome = outcome[:300]
    except UnknownOrder as error:
        return WebhookResult(404, f"unknown order: {error}")
    if ctx.fetch_facts_for:
        record_fee_and_net(ctx.fetch_facts_for)
    return WebhookResult(200, outcome, ctx.fetch_facts_for)


def _charge_refunds_of(event: dict) -> list[gateway.ChargeRefund]:
    """For a ``charge.refunded`` event, the charge's refunds at Stripe, asked before the
    event's transaction opens, so that no lock is held while Stripe answers; none when
    Stripe cannot say (the refund is then recorded under the event's id)."""
    if event.get("type") != "charge.refunded":
        return []
    charge_id = str(event["data"]["object"].get("id") or "")  # shape checked on receipt
    if not charge_id:
        return []
    end_read()
    try:
        return gateway.charge_refunds(charge_id)
    except gateway.PaymentProviderError:
        return []


# -- helpers -----------------------------------------------------------------------------


class Mismatch(Exception):
    """The event's ids, reference or amount disagree with what the shop stored."""


def _checkout_of_session(session: dict, ctx: _Context) -> tuple[Order, StripeCheckout]:
    """Bind the event to our records by the Stripe ids we stored, never by metadata alone.

    The session id must be one we recorded (else :class:`UnknownOrder`: nothing is
    recorded and Stripe retries). Its order reference, metadata and PaymentIntent must
    agree with that record; when they do not, the checkout goes to review and the event
    pays nothing.
    """
    checkout = checkout_by_session(str(session.get("id") or ""))
    if checkout is None:
        raise UnknownOrder(f"Checkout Session {session.get('id')!r} was not opened by the shop")
    order = orders.lock_order(checkout.order_id)
    ctx.row.order_id = order.id
    ctx.row.payment_id = checkout.payment_id
    metadata = session.get("metadata") or {}
    problems = []
    if str(metadata.get("order_id", order.id)) != str(order.id):
        problems.append(f"metadata names order {metadata.get('order_id')!r}")
    if session.get("client_reference_id") not in (None, order.number):
        problems.append(f"reference {session.get('client_reference_id')!r}")
    pi = session.get("payment_intent")
    if pi and checkout.payment_intent_id and pi != checkout.payment_intent_id:
        problems.append(f"PaymentIntent {pi!r}, stored {checkout.payment_intent_id!r}")
    if problems:
        raise Mismatch(f"event disagrees with order {order.number}: " + "; ".join(problems))
    if pi and not checkout.payment_intent_id:
        if checkout_by_payment_intent(pi) is not None:
            raise Mismatch(f"PaymentIntent {pi!r} belongs to another checkout")
        checkout.payment_intent_id = pi
    return order, checkout


def _on_mismatch(session: dict, ctx: _Context, error: Mismatch) -> str:
    """A known session whose event disagrees: review, and the money (if any) pays nothing."""
    checkout = checkout_by_session(str(session.get("id") or ""))
    ctx.row.order_id, ctx.row.payment_id = checkout.order_id, checkout.payment_id
    payment = payment_of(checkout)
    reason = system_note(
        N_("the Stripe event does not match the order: %(problem)s"), problem=str(error)
    )
    flag_for_review(
        checkout,
        payment,
        reason,
        ACTOR,
        refund_due=_paid_in_idr(session),
        keep_status=payment.status in ("succeeded", "refunded"),
        event_id=ctx.event_id,
        now=ctx.now,
    )
    amount = _reported_rupiah(session)
    if _paid_in_idr(session) and amount and not core.received(payment.id):
        checkout.amount_reported = amount
        ref = str(session.get("payment_intent") or session["id"])
        if not core.reference_taken(ref):
            core.record_payment(payment, amount, ref, ACTOR, paid_order=None, now=ctx.now)
    return f"review: {error}"


def _reported_rupiah(session: dict) -> int | None:
    try:
        return gateway.from_stripe_amount(session.get("amount_total"))
    except (TypeError, ValueError):
        return None


def _paid_in_idr(session: dict) -> bool:
    return session.get("payment_status") == "paid" and session.get("currency") == gateway.CURRENCY


def _money_ref(checkout: StripeCheckout, session: dict) -> str:
    return str(checkout.payment_intent_id or session.get("payment_intent") or session["id"])


def _settle(order: Order, checkout: StripeCheckout, session: dict, ctx: _Context) -> str:
    """Stripe says this session is paid: check it, then pay the order (once)."""
    payment = payment_of(checkout)
    if STATUS_RANK[payment.status] >= STATUS_RANK["succeeded"]:
        return f"already {payment.status}"
    if core.received(payment.id):
        return "money already recorded"
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
        reason = system_note(
            N_("currency mismatch: paid in %(currency)s, the order is in IDR"),
            currency=currency.upper() or "?",
        )
        flag_for_review(checkout, payment, reason, ACTOR, event_id=ctx.event_id, now=ctx.now)
        return f"currency mismatch: paid in {currency!r}, order in idr"
    if amount is None or amount != checkout.amount or checkout.amount != order.total:
        reason = system_note(
            N_("amount mismatch: Stripe reports %(reported)s (hundredths), order total %(total)s"),
            reported=str(reported),
            total=rupiah(order.total),
        )
        flag_for_review(
            checkout,
            payment,
            reason,
            ACTOR,
            refund_due=bool(amount),
            event_id=ctx.event_id,
            now=ctx.now,
        )
        if amount:
            money_ref = _money_ref(checkout, session)
            core.record_payment(payment, amount, money_ref, ACTOR, paid_order=None, now=ctx.now)
        return f"amount mismatch: Stripe reports {reported} (hundredths), order {order.total}"
    money_ref = _money_ref(checkout, session)
    if order.status not in PAYABLE_ORDER_STATUSES:
        reason = system_note(
            N_("paid by card but the order is already %(status)s: refund due"),
            status=label(ORDER_STATUS_NAMES.get(order.status, order.status)),
        )
        flag_for_review(
            checkout, payment, reason, ACTOR, refund_due=True, event_id=ctx.event_id, now=ctx.now
        )
        core.record_payment(payment, amount, money_ref, ACTOR, paid_order=None, now=ctx.now)
        return f"paid by card but the order is already {order.status}: refund due"
    pi = session.get("payment_intent") or ""
    paid_by_card = system_note(
        N_("card payment %(intent)s (%(session)s)"), intent=pi, session=session["id"]
    )
    if not orders.mark_paid(order, ACTOR, paid_by_card, ctx.now):
        reason = system_note(N_("paid after the order expired and its stock is gone: refund due"))
        flag_for_review(
            checkout, payment, reason, ACTOR, refund_due=True, event_id=ctx.event_id, now=ctx.now
        )
        core.record_payment(payment, amount, money_ref, ACTOR, paid_order=None, now=ctx.now)
        return "paid after the order expired and its stock is gone: refund due"
    paid = system_note(N_("paid %(amount)s"), amount=rupiah(amount))
    set_status(payment, "succeeded", ACTOR, paid, event_id=ctx.event_id, now=ctx.now)
    core.record_payment(payment, amount, money_ref, ACTOR, paid_order=order, now=ctx.now)
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
            system_note(N_("checkout completed; payment still processing")),
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
        payment,
        "failed",
        ACTOR,
        system_note(N_("delayed payment failed")),
        event_id=ctx.event_id,
        now=ctx.now,
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
            system_note(N_("Checkout Session expired")),
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
    """Refunds made in Stripe's dashboard (ours are recorded when Stripe answers)."""
    checkout = checkout_by_payment_intent(str(charge.get("payment_intent") or ""))
    if checkout is None:
        return "refund of a payment we do not know: ignored"
    order = orders.lock_order(checkout.order_id)
    ctx.row.payment_id, ctx.row.order_id = checkout.payment_id, checkout.order_id
    total = gateway.from_stripe_amount(int(charge.get("amount_refunded") or 0), exact=False)
    payment = payment_of(checkout)
    new = total - core.refunded(payment.id) - requested_amount(payment.id)
    if new <= 0:
        return "refund already recorded"
    # Stripe refund ids already recorded (one reference per part: "{id}:{part}").
    known = {t.reference.split(":")[0] for t in core.refunds_of(order.id)}
    recorded = 0
    for source, amount in _outside_refund_sources(ctx.charge_refunds, known, new, ctx.event_id):
        recorded += refunds.record_outside_refund(
            order, payment, amount, source, ACTOR, system_note(N_("refunded in Stripe")), ctx.now
        )
    return f"refund of {recorded} IDR recorded"


def _outside_refund_sources(
    listed: list[gateway.ChargeRefund], known: set[str], amount: int, event_id: str
) -> list[tuple[str, int]]:
    """Under which ids ``amount``, refunded in Stripe's dashboard, is recorded: each refund
    of the charge at Stripe (``listed``) that is not the shop's nor ``known`` (recorded
    already), under its own id, oldest first, so that the Stripe sync finds it; what Stripe
    did not list (it could not be reached, or listed less) under the event's id."""
    sources: list[tuple[str, int]] = []
    left = amount
    for refund in listed:
        if refund.ours or refund.id in known or refund.status not in ("succeeded", "pending"):
            continue
        if left <= 0:
            break
        take = min(refund.amount, left)
        sources.append((refund.id, take))
        left -= take
    if left > 0:
        sources.append((event_id, left))
    return sources


def _dispute_created(dispute: dict, ctx: _Context) -> str:
    checkout = checkout_by_payment_intent(str(dispute.get("payment_intent") or ""))
    if checkout is None:
        return "dispute on a payment we do not know: ignored"
    ctx.row.payment_id, ctx.row.order_id = checkout.payment_id, checkout.order_id
    checkout.disputed = True
    payment = payment_of(checkout)
    reason = system_note(
        N_("dispute opened (%(why)s): respond in Stripe"),
        why=label(DISPUTE_REASONS.get(str(dispute.get("reason")), str(dispute.get("reason")))),
    )
    flag_for_review(
        checkout, payment, reason, ACTOR, keep_status=True, event_id=ctx.event_id, now=ctx.now
    )
    amount = gateway.from_stripe_amount(int(dispute.get("amount") or 0), exact=False)
    if amount > 0:
        core.record_dispute(payment, amount, f"{dispute.get('id')}:opened", now=ctx.now)
    return f"dispute opened ({dispute.get('reason', 'unknown')}): respond in Stripe"


def _dispute_closed(dispute: dict, ctx: _Context) -> str:
    checkout = checkout_by_payment_intent(str(dispute.get("payment_intent") or ""))
    if checkout is None:
        return "dispute on a payment we do not know: ignored"
    ctx.row.payment_id, ctx.row.order_id = checkout.payment_id, checkout.order_id
    status = str(dispute.get("status") or "")
    payment = payment_of(checkout)
    if status == "won":
        amount = gateway.from_stripe_amount(int(dispute.get("amount") or 0), exact=False)
        if amount > 0:
            core.record_dispute(payment, amount, f"{dispute.get('id')}:won", won=True, now=ctx.now)
    checkout.disputed = False
    reason = system_note(N_("dispute closed: %(status)s"), status=status or "unknown")
    flag_for_review(
        checkout, payment, reason, ACTOR, keep_status=True, event_id=ctx.event_id, now=ctx.now
    )
    return f"dispute closed: {status or 'unknown'}"


HANDLERS: dict[str, Callable[[dict, _Context], str]] = {
    "checkout.session.completed": _completed,
    "checkout.session.async_payment_succeeded": _async_succeeded,
    "checkout.session.async_payment_failed": _async_failed,
    "checkout.session.expired": _expired,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
    "charge.dispute.closed": _dispute_closed,
}


# -- after the commit ----------------------------------------------------------------------


def record_fee_and_net(checkout_id: int) -> None:
    """Best effort after commit: Stripe's fee and net for a paid session."""
    checkout = db.session.get(StripeCheckout, checkout_id)
    if checkout is None or not checkout.payment_intent_id or checkout.fee is not None:
        return
    pi = checkout.payment_intent_id
    end_read()
    try:
        facts = gateway.payment_facts(pi)
    except gateway.PaymentProviderError as error:
        current_app.logger.warning("fee/net of %s not known yet: %s", pi, error)
        return
    with unit_of_work():
        checkout = db.session.get(StripeCheckout, checkout_id, populate_existing=True)
        checkout.charge_id = facts.charge_id
        checkout.fee, checkout.net = facts.fee, facts.net
        if facts.fee:
            payment = payment_of(checkout)
            try:
                with db.session.begin_nested():
                    core.record_fee(payment, facts.fee, f"fee:{facts.charge_id or pi}")
            except core.DuplicateReference:
                pass  # recorded already (a replayed lookup)
