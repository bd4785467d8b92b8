"""Checkout: details → summary → place. Views parse, call one service, redirect."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from shop.cart import services as cart_service
from shop.cart.views import SESSION_KEY as CART_KEY
from shop.cart.views import current_cart
from shop.checkout import bp
from shop.checkout.forms import CheckoutForm, ConfirmForm
from shop.checkout.services import (
    BuyerDetails,
    CheckoutProblem,
    PriceChanged,
    build_quote,
    find_by_idempotency_key,
    place_order,
)
from shop.i18n import current_locale
from shop.inventory.services import OutOfStock
from shop.payments.stripe.views import offer_card, redirect_to_stripe
from shop.shipping.services import ShippingUnavailable
from shop.uow import unit_of_work

DETAILS_KEY = "checkout"
BUYER_FIELDS = (
    "name",
    "email",
    "phone",
    "street",
    "province",
    "city",
    "district",
    "postal_code",
    "note",
)


def _problem_message(exc: CheckoutProblem) -> str:
    if any(code == "empty" for _pid, code in exc.problems):
        return _("Your cart is empty.")
    return _("Some items in your cart can no longer be bought as they are. Please check the cart.")


def _order_redirect(order):
    return redirect(url_for("orders.track", token=order.public_token, baru=1), code=303)


@bp.route("", methods=["GET", "POST"])
def details():
    cart = current_cart()
    if not cart:
        flash(_("Your cart is empty."), "warning")
        return redirect(url_for("cart.view"), code=303)
    saved = session.get(DETAILS_KEY) or {}
    form = CheckoutForm(data=saved if saved else None)
    if form.validate_on_submit():
        session[DETAILS_KEY] = form.buyer_data()
        return redirect(url_for("checkout.summary"), code=303)
    cart_view = cart_service.load(cart)
    return render_template("checkout/details.html", form=form, cart=cart_view)


@bp.get("/ringkasan")
def summary():
    cart = current_cart()
    data = session.get(DETAILS_KEY)
    if not cart:
        flash(_("Your cart is empty."), "warning")
        return redirect(url_for("cart.view"), code=303)
    if not data:
        return redirect(url_for("checkout.details"), code=303)
    items = {int(pid): entry[0] for pid, entry in cart.items()}
    try:
        quote = build_quote(items, data["province"], data["courier"])
    except CheckoutProblem as exc:
        flash(_problem_message(exc), "error")
        return redirect(url_for("cart.view"), code=303)
    except ShippingUnavailable:
        flash(_("This courier does not deliver to that province. Please choose another."), "error")
        return redirect(url_for("checkout.details"), code=303)
    form = ConfirmForm(idempotency_key=secrets.token_urlsafe(24), expected_total=str(quote.total))
    offer_card(form)
    return render_template("checkout/summary.html", quote=quote, buyer=data, form=form)


@bp.post("/pesan")
def place():
    form = ConfirmForm()
    offer_card(form)
    if not form.validate_on_submit():
        flash(_("Please confirm the order again."), "error")
        return redirect(url_for("checkout.summary"), code=303)
    key = form.idempotency_key.data
    cart = current_cart()
    data = session.get(DETAILS_KEY)
    if not cart or not data:  # never filled, or emptied by placing this very order
        existing = find_by_idempotency_key(key)
        if existing is not None:
            return _order_redirect(existing)
        return redirect(url_for("cart.view"), code=303)
    buyer = BuyerDetails(**{field: data[field] for field in BUYER_FIELDS})
    items = {int(pid): entry[0] for pid, entry in cart.items()}
    try:
        with unit_of_work():
            order, created = place_order(
                items,
                buyer,
                data["courier"],
                key,
                locale=current_locale(),
                expected_total=int(form.expected_total.data),
                payment_method=form.payment_method.data,
            )
    except OutOfStock as exc:
        flash(
            _(
                "Sorry, %(name)s has just run out. Nothing was ordered; please check your cart.",
                name=exc.name,
            ),
            "error",
        )
        return redirect(url_for("cart.view"), code=303)
    except CheckoutProblem as exc:
        flash(_problem_message(exc), "error")
        return redirect(url_for("cart.view"), code=303)
    except PriceChanged:
        flash(
            _(
                "Prices or shipping changed since you opened this page. Please check the new "
                "total and confirm again."
            ),
            "warning",
        )
        return redirect(url_for("checkout.summary"), code=303)
    except ShippingUnavailable:
        flash(_("This courier does not deliver to that province. Please choose another."), "error")
        return redirect(url_for("checkout.details"), code=303)
    except IntegrityError:
        # A concurrent twin of this submit won the unique idempotency key.
        existing = find_by_idempotency_key(key)
        if existing is None:
            raise
        return _order_redirect(existing)
    if not created:  # submitted again while the cart was still there: placed already
        return _order_redirect(order)
    session.pop(CART_KEY, None)
    recent = [t for t in session.get("recent_orders", []) if t != order.public_token]
    session["recent_orders"] = [order.public_token, *recent][:5]
    if order.payment_method == "card":
        return redirect_to_stripe(order)
    return _order_redirect(order)
