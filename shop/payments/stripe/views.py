"""Card payment pages (pay, back from Stripe, switch to transfer) and the Stripe webhook."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.extensions import csrf
from shop.forms import Form
from shop.orders import services as orders
from shop.payments.stripe import checkout as card
from shop.payments.stripe import gateway
from shop.payments.stripe.webhooks import handle_event

bp = Blueprint("stripe_payments", __name__)
CARD_CHOICE = ("card", _l("Card (Visa, Mastercard, JCB) through Stripe"))
REFRESH_SECONDS = 3


class CardForm(Form):
    """CSRF only: pay by card (again), or switch to bank transfer."""


def offer_card(form) -> None:
    """Add the card choice to a checkout form's ``payment_method`` when Stripe is set up."""
    if gateway.stripe_enabled() and CARD_CHOICE[0] not in dict(form.payment_method.choices):
        form.payment_method.choices = [*form.payment_method.choices, CARD_CHOICE]


def _order_or_404(token: str):
    order = orders.find_by_token(token)
    if order is None:
        abort(404)
    return order


def _private(response):
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _render(template: str, order_id: int, status: int = 200, **context):
    order = orders.load_order_for_display(order_id)
    page = render_template(template, order=order, form=CardForm(), **context)
    return _private(make_response(page, status))


def redirect_to_stripe(order):
    """Open a Checkout Session for a card order and send the buyer there (303).

    When Stripe is down or slow the buyer gets a page saying so, with the choice to try
    again or pay by bank transfer; the order keeps its items until its deadline.
    """
    token = order.public_token
    try:
        url = card.start_card_payment(
            order.id,
            success_url=url_for("stripe_payments.returned", token=token, _external=True)
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=url_for("stripe_payments.cancelled", token=token, _external=True),
        )
    except card.CardHoldUsedUp:
        flash(
            _(
                "Card payment can no longer hold these items. Pay by bank transfer to keep "
                "them, or let the order lapse."
            ),
            "warning",
        )
        return redirect(url_for("orders.track", token=token), code=303)
    except card.CardPaymentNotPossible:
        return redirect(url_for("orders.track", token=token), code=303)
    except gateway.PaymentProviderError as error:
        return _render(
            "payments/card_unavailable.html", order.id, status=503, message=error.user_message
        )
    return redirect(url, code=303)


@bp.post("/bayar/kartu/<token>")
def pay(token: str):
    """Pay by card (first time after a failure, or again after coming back from Stripe)."""
    order = _order_or_404(token)
    if not CardForm().validate_on_submit() or not gateway.stripe_enabled():
        abort(400)
    orders.expire_if_due(order.id)
    return redirect_to_stripe(order)


@bp.get("/bayar/kartu/<token>/selesai")
def returned(token: str):
    """Stripe's success URL: shows the order's real status, refreshing until it is paid."""
    order = _order_or_404(token)
    status = orders.shown_status(order)
    confirming = status == "awaiting_payment"
    if status == "paid":
        flash(_("Thank you! Your card payment is confirmed."), "success")
    return _render(
        "payments/card_returned.html",
        order.id,
        confirming=confirming,
        shown_status=status,
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.get("/bayar/kartu/<token>/batal")
def cancelled(token: str):
    """Stripe's cancel URL (a GET: it writes nothing): back to the order, to pay again
    (which closes the old session at Stripe) or switch to transfer."""
    _order_or_404(token)
    return redirect(url_for("orders.track", token=token, kartu="batal"), code=303)


@bp.post("/bayar/kartu/<token>/transfer")
def switch_to_transfer(token: str):
    order = _order_or_404(token)
    if not CardForm().validate_on_submit():
        abort(400)
    orders.expire_if_due(order.id)
    try:
        card.switch_to_bank_transfer(order.id)
    except card.CardPaymentNotPossible:
        flash(_("This order can no longer be paid."), "warning")
    return redirect(url_for("orders.track", token=token), code=303)


@bp.post("/payments/stripe/webhook")
@csrf.exempt
def webhook():
    """Verified on the raw body; every event id handled once (see stripe_webhooks)."""
    if not gateway.stripe_enabled():
        abort(404)
    raw = request.get_data(cache=False)
    try:
        event = gateway.verify_webhook(raw, request.headers.get("Stripe-Signature"))
    except gateway.WebhookSignatureInvalid as error:
        current_app.logger.warning("Stripe webhook refused: %s", error)
        return jsonify(error="invalid signature"), 400
    except gateway.MalformedEvent as error:
        current_app.logger.warning("Stripe webhook refused: signed but %s", error)
        return jsonify(error="malformed event"), 400
    result = handle_event(event)
    return jsonify(outcome=result.outcome), result.status_code
