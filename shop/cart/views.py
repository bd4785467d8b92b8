"""Cart pages: the session holds ids and quantities, the database everything else."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from shop.cart import bp
from shop.cart import services as cart_service
from shop.cart.forms import AddToCartForm, QuantityForm, RemoveForm
from shop.cart.services import CartError
from shop.extensions import csrf
from shop.parsing import parse_id
from shop.security import request_origin_is_ours
from shop.urls import local_path

SESSION_KEY = "cart"


def current_cart() -> cart_service.Cart:
    return cart_service.sanitize(session.get(SESSION_KEY))


def save_cart(cart: cart_service.Cart) -> None:
    session[SESSION_KEY] = cart
    session.permanent = True


@bp.app_template_global()
def cart_count() -> int:
    """Header count from the session alone: no database query on every page."""
    return cart_service.item_count(session.get(SESSION_KEY))


def _product_id(raw) -> int:
    product_id = parse_id(raw)
    if product_id is None:
        abort(400)
    return product_id


@bp.get("")
def view():
    cart = current_cart()
    cart_view = cart_service.load(cart)
    # Shown once: the notices now on screen; the cart remembers today's prices.
    save_cart(cart_service.acknowledge_prices(cart, cart_view))
    return render_template(
        "cart/cart.html",
        cart=cart_view,
        quantity_form=QuantityForm(),
        remove_form=RemoveForm(),
        max_quantity=cart_service.MAX_LINE_QUANTITY,
    )


def _sent_from_the_shop() -> bool:
    """The add-to-cart form's CSRF check, which needs no session: the browser's
    ``Origin``/``Referer`` names this shop; a client that sends neither must send the
    session's CSRF token instead (as every other form does)."""
    ours = request_origin_is_ours()
    if ours is not None:
        return ours
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


@bp.post("/tambah")
@csrf.exempt
def add():
    """Put a product in the cart; the first thing a visitor stores starts their session.

    The product page carries no CSRF token (rendering one would start a session for
    every visitor who only looks), so this form is checked by its origin instead.
    """
    if not _sent_from_the_shop():
        raise CSRFError()
    form = AddToCartForm(meta={"csrf": False})
    if not form.validate_on_submit():
        abort(400)
    product_id = _product_id(form.product_id.data)
    back = local_path(request.form.get("next")) or url_for("cart.view")
    try:
        quantity = cart_service.parse_quantity(form.quantity.data)
        save_cart(cart_service.add(current_cart(), product_id, quantity))
    except CartError as exc:
        flash(str(exc), "error")
        return redirect(back, code=303)
    flash(_("Added to your cart."), "success")
    return redirect(url_for("cart.view") if request.form.get("go") == "cart" else back, code=303)


@bp.post("/<id:product_id>/ubah")
def update(product_id: int):
    form = QuantityForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        quantity = cart_service.parse_quantity(form.quantity.data)
        save_cart(cart_service.set_quantity(current_cart(), product_id, quantity))
    except CartError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Quantity updated."), "success")
    return redirect(url_for("cart.view"), code=303)


@bp.post("/<id:product_id>/hapus")
def remove(product_id: int):
    if not RemoveForm().validate_on_submit():
        abort(400)
    save_cart(cart_service.remove(current_cart(), product_id))
    flash(_("Removed from your cart."), "success")
    return redirect(url_for("cart.view"), code=303)
