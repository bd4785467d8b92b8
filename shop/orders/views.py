"""The buyer's private order page (secret link) and the number + email lookup."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shop.accounts.limiter import limiter, login_limit
from shop.bank_account import bank_account
from shop.orders import bp
from shop.orders import services as orders
from shop.orders.forms import LookupForm
from shop.orders.labels import ORDER_STATUS_LABELS, PART_STATUS_LABELS
from shop.shipping.services import COURIER_NAMES


@bp.app_template_global()
def courier_name(code: str) -> str:
    return COURIER_NAMES.get(code, code)


@bp.app_template_global()
def order_status_label(status: str) -> str:
    return str(ORDER_STATUS_LABELS.get(status, status))


@bp.app_template_global()
def part_status_label(status: str) -> str:
    return str(PART_STATUS_LABELS.get(status, status))


@bp.get("/<token>")
def track(token: str):
    found = orders.find_by_token(token)
    if found is None:
        abort(404)
    order = orders.load_order_for_display(found.id)
    response = make_response(
        render_template(
            "orders/track.html",
            order=order,
            status=orders.shown_status(order),
            bank=bank_account(),
            just_placed=request.args.get("baru") == "1",
        )
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/cari", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def lookup():
    """Order number + email → the private page (guessing is rate-limited like sign-in)."""
    form = LookupForm()
    if form.validate_on_submit():
        order = orders.find_by_number_and_email(form.number.data, form.email.data)
        if order is not None:
            return redirect(url_for("orders.track", token=order.public_token), code=303)
        flash(_("No order matches that number and email address."), "error")
    return render_template("orders/lookup.html", form=form)
