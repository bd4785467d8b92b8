"""Paying an order by card: open a Stripe Checkout Session, cancel it, or switch to transfer.

Stripe is never called while a write transaction is open: the order is read (and its
hold extended if needed) and committed, Stripe is called, then the session is recorded
in a second transaction. If Stripe is down or slow nothing is recorded and the order
keeps its stock until its deadline; the buyer can retry (same idempotency key for the
same attempt, so a session Stripe created but we never heard about is reused) or switch
to bank transfer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from shop.extensions import db
from shop.inventory.models import StockAllocation
from shop.orders import services as orders
from shop.orders.models import FacilityOrder, Order, OrderLine
from shop.payments.stripe import gateway
from shop.payments.stripe.models import StripeCheckout
from shop.payments.stripe.records import payment_of, record_session, set_status
from shop.sqltypes import utcnow
from shop.system_text import N_, Note, system_note
from shop.uow import end_read, unit_of_work

# Stripe wants expires_at at least 30 minutes after it receives the request (its clock).
STRIPE_MIN_MINUTES = 30
STRIPE_MAX_MINUTES = 24 * 60
CLOCK_MARGIN = timedelta(seconds=60)


class CardPaymentNotPossible(Exception):
    """The order cannot be paid by card now (already paid, expired, cancelled…)."""


class CardHoldUsedUp(CardPaymentNotPossible):
    """Card retries may extend the hold only up to ``STRIPE_MAX_HOLD_MINUTES`` in all."""


def max_card_hold() -> timedelta:
    return timedelta(minutes=int(current_app.config["STRIPE_MAX_HOLD_MINUTES"]))


def card_hold_minutes() -> int:
    minutes = int(current_app.config.get("STRIPE_CHECKOUT_MINUTES", STRIPE_MIN_MINUTES))
    return min(max(minutes, STRIPE_MIN_MINUTES), STRIPE_MAX_MINUTES)


def card_deadline(now: datetime) -> datetime:
    """The payment deadline of a card order: the Checkout Session expires with it."""
    return now + timedelta(minutes=card_hold_minutes()) + CLOCK_MARGIN


def _set_deadline(order: Order, deadline: datetime) -> None:
    """Move the order's deadline and its live stock allocations together."""
    order.payment_deadline = deadline
    db.session.execute(
        update(StockAllocation)
        .where(StockAllocation.order_id == order.id, StockAllocation.status == "live")
        .values(expires_at=deadline)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class _Attempt:
    order_id: int
    number: str
    email: str
    locale: str
    total: int
    deadline: datetime
    key: str
    lines: list[gateway.CheckoutLine]
    shipping: list[gateway.CheckoutLine]


def _prepare(order_id: int, now: datetime) -> _Attempt:
    with unit_of_work():
        order = orders.lock_order(order_id)
        if order.status != "awaiting_payment" or order.payment_method != "card":
            raise CardPaymentNotPossible(order.status)
        if order.payment_deadline < now + timedelta(minutes=STRIPE_MIN_MINUTES) + CLOCK_MARGIN / 2:
            extended = card_deadline(now)
            if extended > order.placed_at + max_card_hold():
                # retrying may not hold the items for ever
                raise CardHoldUsedUp(order.status)
            _set_deadline(order, extended)
        attempt = (
            1
            + db.session.execute(
                select(func.count(StripeCheckout.id)).where(StripeCheckout.order_id == order.id)
            ).scalar_one()
        )
        lines = [
            gateway.CheckoutLine(line.product_name, line.unit_price, line.quantity)
            for line in db.session.execute(
                select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
            ).scalars()
        ]
        parts = db.session.execute(
            select(FacilityOrder)
            .where(FacilityOrder.order_id == order.id)
            .options(joinedload(FacilityOrder.facility))
            .order_by(FacilityOrder.id)
        ).scalars()
        shipping = [
            gateway.CheckoutLine(
                f"Ongkos kirim / Shipping: {part.facility.name} ({part.courier.upper()})",
                part.shipping_fee,
            )
            for part in parts
        ]
        return _Attempt(
            order_id=order.id,
            number=order.number,
            email=order.email,
            locale=order.locale,
            total=order.total,
            deadline=order.payment_deadline,
            # Same attempt and same deadline → same key, so a retry after a lost answer gets
            # the session Stripe already made; a moved deadline is a new request, a new key.
            key=f"kb-order-{order.id}-card-{attempt}-{int(order.payment_deadline.timestamp())}",
            lines=lines,
            shipping=shipping,
        )


def _open_attempts(order_id: int, except_session: str | None = None) -> list[StripeCheckout]:
    query = select(StripeCheckout).where(
        StripeCheckout.order_id == order_id, StripeCheckout.session_status == "open"
    )
    if except_session:
        query = query.where(StripeCheckout.session_id != except_session)
    return list(db.session.execute(query).scalars())


def _close_attempt(checkout: StripeCheckout, actor: str, reason: Note, now: datetime) -> None:
    checkout.session_status = "expired"
    payment = payment_of(checkout)
    if payment.status == "pending":
        set_status(payment, "expired", actor, reason, now=now)


def _expire_at_stripe(session_ids: list[str]) -> None:
    for session_id in session_ids:
        try:
            gateway.expire_checkout_session(session_id)
        except gateway.PaymentProviderError as error:  # it still expires on its own
            current_app.logger.warning("could not expire %s: %s", session_id, error)


def start_card_payment(
    order_id: int, *, success_url: str, cancel_url: str, now: datetime | None = None
) -> str:
    """Open a Checkout Session for the order and return the URL to send the buyer to.

    Raises :class:`CardPaymentNotPossible`, or a :class:`gateway.PaymentProviderError`
    (``PaymentProviderUnavailable`` when Stripe is down or slow) with nothing recorded.
    """
    now = now or utcnow()
    attempt = _prepare(order_id, now)
    session = gateway.create_checkout_session(
        order_id=attempt.order_id,
        order_number=attempt.number,
        lines=attempt.lines,
        shipping=attempt.shipping,
        expires_at=attempt.deadline,
        success_url=success_url,
        cancel_url=cancel_url,
        idempotency_key=attempt.key,
        customer_email=attempt.email,
        locale=attempt.locale,
    )
    with unit_of_work():
        order = orders.lock_order(order_id)
        record_session(order, session.id, attempt.total, session.expires_at, "buyer", now=now)
        older = _open_attempts(order_id, except_session=session.id)
        for checkout in older:
            replaced = system_note(N_("replaced by Checkout Session %(id)s"), id=session.id)
            _close_attempt(checkout, "buyer", replaced, now)
    _expire_at_stripe([c.session_id for c in older])
    return session.url


def cancel_card_payment(order_id: int, session_id: str, now: datetime | None = None) -> bool:
    """The buyer came back from Stripe without paying: close that session (API first)."""
    now = now or utcnow()
    checkout = db.session.execute(
        select(StripeCheckout).where(
            StripeCheckout.session_id == session_id, StripeCheckout.order_id == order_id
        )
    ).scalar_one_or_none()
    if checkout is None or checkout.session_status != "open":
        return False
    end_read()  # no transaction held during the call
    try:
        expired = gateway.expire_checkout_session(session_id)
    except gateway.PaymentProviderError as error:
        current_app.logger.warning("could not expire %s: %s", session_id, error)
        return False
    if not expired:  # paid or expired meanwhile: the webhook tells us which
        return False
    with unit_of_work():
        checkout = db.session.get(StripeCheckout, checkout.id, populate_existing=True)
        if checkout.session_status == "open":
            left = system_note(N_("buyer left the Stripe page without paying"))
            _close_attempt(checkout, "buyer", left, now)
    return True


def switch_to_bank_transfer(order_id: int, now: datetime | None = None) -> Order:
    """Pay this card order by bank transfer instead: unique amount, transfer deadline."""
    from shop.orders.emails import queue_order_email
    from shop.payments.bank_transfer import open_bank_transfer

    now = now or utcnow()
    with unit_of_work():
        order = orders.lock_order(order_id)
        if order.status != "awaiting_payment" or order.payment_method != "card":
            raise CardPaymentNotPossible(order.status)
        older = _open_attempts(order_id)
        for checkout in older:
            _close_attempt(
                checkout, "buyer", system_note(N_("buyer switched to bank transfer")), now
            )
        payment = open_bank_transfer(order.id, order.total)
        order.payment_method = "bank_transfer"
        order.unique_code = payment.amount - order.total
        order.amount_due = payment.amount
        hours = current_app.config.get("PAYMENT_DEADLINE_HOURS", 24)
        _set_deadline(order, now + timedelta(hours=hours))
        db.session.flush()
        queue_order_email(order, "order_received")
    _expire_at_stripe([c.session_id for c in older])
    return order


def latest_attempt(order_id: int) -> StripeCheckout | None:
    return db.session.execute(
        select(StripeCheckout)
        .where(StripeCheckout.order_id == order_id)
        .order_by(StripeCheckout.id.desc())
        .limit(1)
    ).scalar_one_or_none()
