"""Administrators' pages; every view is ``@admin_required``."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.accounts.scoping import admin_required
from shop.admin import bp
from shop.admin import transfers as transfer_list
from shop.admin.forms import ConfirmTransferForm, RateForm, TransferSearchForm
from shop.admin.overview import DEFAULT_LATE_SHIP_DAYS, overview
from shop.extensions import db
from shop.i18n import format_rupiah
from shop.orders.labels import ORDER_STATUS_LABELS, PART_STATUS_LABELS
from shop.orders.models import Order
from shop.orders.services import load_order_for_display, refund_due_parts
from shop.parsing import parse_int, parse_page
from shop.payments.bank_transfer import PaymentError, confirm_bank_transfer
from shop.payments.stripe.refunds import review_list
from shop.reconciliation.exceptions import exceptions
from shop.shipping.services import COURIER_NAMES, rates_by_key, set_rate
from shop.shipping.zones import ZONES
from shop.sqltypes import utcnow
from shop.uow import unit_of_work


@bp.get("/")
@admin_required
def index():
    late_days = int(current_app.config.get("ADMIN_LATE_SHIP_DAYS", DEFAULT_LATE_SHIP_DAYS))
    return render_template(
        "admin/index.html",
        reviews=review_list(),
        refund_parts=refund_due_parts(),
        transfer_counts=transfer_list.counts(),
        today=overview(utcnow(), late_days),
        part_labels=PART_STATUS_LABELS,
        orders_link=url_for("admin.orders"),
        exceptions_count=len(exceptions()),
    )


def _rate_forms(failed: RateForm | None = None) -> list[tuple[str, int, RateForm]]:
    """One form per courier × zone, filled from the table (the failed one as typed)."""
    rates = rates_by_key()
    forms = []
    for courier in COURIER_NAMES:
        for zone in ZONES:
            key = f"{courier}-{zone}"
            if failed is not None and failed._prefix == f"{key}-":
                forms.append((courier, zone, failed))
                continue
            rate = rates.get((courier, zone))
            form = RateForm(
                formdata=None,
                prefix=key,
                first_kg=rate.first_kg if rate else None,
                next_kg=rate.next_kg if rate else None,
            )
            forms.append((courier, zone, form))
    return forms


@bp.route("/ongkir", methods=["GET", "POST"])
@admin_required
def shipping_rates():
    if request.method == "GET":
        return render_template(
            "admin/shipping_rates.html", forms=_rate_forms(), couriers=COURIER_NAMES
        )
    courier, _sep, raw_zone = request.form.get("rate", "").partition("-")
    zone = parse_int(raw_zone)
    if courier not in COURIER_NAMES or zone not in ZONES:
        abort(400)
    form = RateForm(prefix=f"{courier}-{zone}")
    if not form.validate_on_submit():
        return render_template(
            "admin/shipping_rates.html", forms=_rate_forms(form), couriers=COURIER_NAMES
        ), 400
    with unit_of_work():
        set_rate(courier, zone, form.first_kg.data, form.next_kg.data, current_user.email)
    flash(
        _("Saved: %(courier)s, zone %(zone)s.", courier=COURIER_NAMES[courier], zone=zone),
        "success",
    )
    return redirect(url_for("admin.shipping_rates"), code=303)


# ---- bank transfers ---------------------------------------------------------------------


def _actor() -> str:
    return f"admin:{current_user.id}"


@bp.get("/transfer")
@admin_required
def transfers():
    page = parse_page(request.args.get("page"))
    tab = "review" if request.args.get("tab") == "review" else "awaiting"
    form = TransferSearchForm(formdata=request.args)
    query = {k: request.args.get(k, "").strip() for k in ("amount", "number")}
    searching = any(query.values())
    if searching:
        listing = (
            transfer_list.search(page, form.amount.data, form.number.data or "")
            if form.validate()
            else None
        )
    elif tab == "review":
        listing = transfer_list.to_review(page)
    else:
        listing = transfer_list.awaiting(page)
    return render_template(
        "admin/transfers.html",
        form=form,
        searching=searching,
        query={k: v for k, v in query.items() if v},
        tab=tab,
        listing=listing,
        counts=transfer_list.counts(),
        payment_labels=transfer_list.PAYMENT_STATUS_LABELS,
        now=utcnow(),
    )


def _render_transfer(order_id: int, form: ConfirmTransferForm | None = None, status: int = 200):
    payment = transfer_list.transfer_payment(order_id)
    if payment is None:
        abort(404)
    order = load_order_for_display(order_id)
    return render_template(
        "admin/transfer.html",
        order=order,
        payment=payment,
        history=transfer_list.history(payment.id),
        form=form or ConfirmTransferForm(formdata=None),
        confirmable=order.status in transfer_list.CONFIRMABLE,
        payment_labels=transfer_list.PAYMENT_STATUS_LABELS,
        now=utcnow(),
    ), status


# What the administrator is told after each outcome of a confirmation.
OUTCOME_MESSAGES = {
    "paid": (
        _l(
            "Order %(number)s is paid: %(amount)s received. The buyer has been emailed and "
            "the workshops can pack it."
        ),
        "success",
    ),
    "underpaid": (
        _l(
            "%(amount)s is less than the order total %(total)s: order %(number)s stays unpaid "
            "and the payment is on the review list."
        ),
        "warning",
    ),
    "stock_gone": (
        _l(
            "Order %(number)s had expired and its items are no longer in stock: the payment of "
            "%(amount)s is on the review list for a refund."
        ),
        "warning",
    ),
}


@bp.route("/transfer/<id:order_id>", methods=["GET", "POST"])
@admin_required
def transfer(order_id: int):
    if request.method == "GET":
        return _render_transfer(order_id)
    if transfer_list.transfer_payment(order_id) is None:
        abort(404)
    form = ConfirmTransferForm()
    if not form.validate_on_submit():
        return _render_transfer(order_id, form, 400)
    amount = form.amount.data
    try:
        with unit_of_work():
            result = confirm_bank_transfer(
                order_id, amount, _actor(), (form.reference.data or "").strip()
            )
            order = db.session.get(Order, order_id)  # locked by the confirmation
            text, category = OUTCOME_MESSAGES[result.outcome]
            message = str(text) % {
                "number": order.number,
                "amount": format_rupiah(amount),
                "total": format_rupiah(order.total),
            }
    except PaymentError:
        order = db.session.get(Order, order_id)
        flash(
            _(
                "Order %(number)s is not awaiting payment (%(status)s): nothing was changed.",
                number=order.number,
                status=ORDER_STATUS_LABELS.get(order.status, order.status),
            ),
            "error",
        )
        return redirect(url_for("admin.transfer", order_id=order_id), code=303)
    flash(message, category)
    return redirect(url_for("admin.transfers"), code=303)
