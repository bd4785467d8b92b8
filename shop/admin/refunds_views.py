"""Refunds: what buyers are owed back, and giving it back by card or bank transfer."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.scoping import admin_required
from shop.admin import bp
from shop.admin.forms import RefundForm
from shop.extensions import db
from shop.i18n import format_rupiah
from shop.orders.models import Order
from shop.payments import refunds
from shop.payments.core import RefundError
from shop.payments.stripe import gateway
from shop.payments.stripe.refunds import refund_by_card
from shop.uow import unit_of_work


@bp.get("/pengembalian")
@admin_required
def refunds_owed():
    return render_template("admin/refunds.html", owed=refunds.orders_owed())


def _form_for(target: str, amount: int, method: str) -> RefundForm:
    form = RefundForm(formdata=None, prefix=target, target=target, amount=amount or None)
    form.method.data = method
    form.key.data = secrets.token_urlsafe(16)
    return form


def _render(order_id: int, failed: RefundForm | None = None, status: int = 200):
    if db.session.get(Order, order_id) is None:
        abort(404)
    opts = refunds.options(order_id)
    method = "card" if opts.card_payment else "bank_transfer"
    forms = {}
    for part, due, _held in opts.parts:
        forms[f"part-{part.id}"] = _form_for(f"part-{part.id}", due or 0, method)
    forms["order"] = _form_for("order", opts.unapplied, method)
    forms["whole"] = _form_for("whole", opts.whole, method)
    if failed is not None:
        forms[failed.target.data] = failed
    if not opts.card_payment:
        for form in forms.values():
            form.method.choices = [c for c in form.method.choices if c[0] != "card"]
    return render_template("admin/refund.html", opts=opts, forms=forms), status


@bp.get("/pengembalian/<id:order_id>")
@admin_required
def refund(order_id: int):
    return _render(order_id)


def _request(order_id: int, form: RefundForm) -> refunds.RefundRequest:
    target = form.target.data or ""
    part_id = None
    if target.startswith("part-") and target[5:].isdecimal():
        part_id = int(target[5:])
    elif target not in ("order", "whole"):
        abort(400)
    return refunds.RefundRequest(
        order_id=order_id,
        amount=form.amount.data,
        method=form.method.data,
        reason=form.reason.data.strip(),
        part_id=part_id,
        whole=target == "whole",
        reference=(form.reference.data or "").strip(),
        refund_account=(form.refund_account.data or "").strip(),
    )


@bp.post("/pengembalian/<id:order_id>/<target>")
@admin_required
def make_refund(order_id: int, target: str):
    if db.session.get(Order, order_id) is None:
        abort(404)
    form = RefundForm(prefix=target)
    if not form.validate_on_submit() or form.target.data != target:
        return _render(order_id, form, 400)
    request = _request(order_id, form)
    actor = f"admin:{current_user.email}"
    try:
        if request.method == "card":
            refund_by_card(request, actor, f"refund-{order_id}-{form.key.data}")
        else:
            with unit_of_work():
                refunds.refund_by_bank(request, actor)
    except RefundError as error:
        form.amount.errors = [*form.amount.errors, _refusal(error)]
        return _render(order_id, form, 400)
    except gateway.PaymentProviderError as error:
        form.amount.errors = [*form.amount.errors, error.user_message]
        return _render(order_id, form, 503)
    flash(
        _("%(amount)s refunded; the buyer has been emailed.", amount=format_rupiah(request.amount)),
        "success",
    )
    return redirect(url_for("admin.refund", order_id=order_id), code=303)


def _refusal(error: RefundError) -> str:
    """The administrator's language for why a refund was refused."""
    limit = format_rupiah(error.limit or 0)
    messages = {
        "above": _("At most %(limit)s can be refunded here.", limit=limit),
        "whole": _("A whole refund gives back everything that is left: %(limit)s.", limit=limit),
        "bank": _("A bank refund needs the buyer's account and the bank reference."),
        "pending": _(
            "A card refund of %(limit)s is still being made; try again shortly.", limit=limit
        ),
        "no_card": _("This order has no card payment left to refund: refund by bank transfer."),
        "no_money": _("No money was received on this order."),
        "key": _("This form was already used for another refund: reload the page."),
        "part": _("That part is not in this order."),
        "duplicate": _("A refund with this bank reference is already recorded."),
        "method": _("Choose how the money goes back."),
    }
    return messages.get(error.code, _("This refund cannot be made."))
