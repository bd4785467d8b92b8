"""Resolving the exceptions queue: link money found, write off, disputes, outside refunds.

Thin views over :mod:`shop.reconciliation.resolve`: each POST validates its form (CSRF,
a note), runs one service in a unit of work, and re-renders with the error and the
administrator's input on refusal."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.scoping import admin_required
from shop.extensions import db
from shop.i18n import format_rupiah
from shop.orders.models import Order
from shop.payments.models import Payment
from shop.reconciliation import bp
from shop.reconciliation.forms import LinkForm, ResolveForm, WriteOffLineForm
from shop.reconciliation.resolve import at_stripe, no_money
from shop.reconciliation.resolve import write_offs as wo
from shop.reconciliation.services.matching import MAX_ID, LineError, get_line
from shop.uow import unit_of_work


def _run(action) -> str:
    """Run one resolution in a unit of work; the refusal's message, or "" when done."""
    try:
        with unit_of_work():
            action()
    except LineError as error:
        return str(error.message)
    return ""


def _exceptions(message: str):
    flash(message, "success")
    return redirect(url_for("reconciliation.exceptions_page"), code=303)


def _payment(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id) if 0 < payment_id <= MAX_ID else None
    if payment is None:
        abort(404)
    return payment


# ---- paid in the shop, no money found ----------------------------------------------------


def _no_money_page(payment_id: int, form: LinkForm | None = None, error: str = "", status=200):
    payment = _payment(payment_id)
    item = no_money.get(payment_id)
    form = form or LinkForm(formdata=None)
    form.target.choices = _targets(item) if item is not None else []
    return render_template(
        "reconciliation/no_money.html",
        payment=payment,
        order=db.session.get(Order, payment.order_id),
        item=item,
        form=form,
        error=error,
    ), status


def _targets(item: no_money.NoMoney) -> list[tuple[int, str]]:
    """Where the money may be: unmatched statement lines, or unlinked Stripe charges."""
    if item.payment.provider == "bank_transfer":
        return [
            (t.id, f"{t.booked_on:%d/%m/%Y} · {format_rupiah(t.amount)} · {t.description[:60]}")
            for t in no_money.line_candidates(item)
        ]
    return [
        (t.id, f"{t.created:%d/%m/%Y} · {format_rupiah(t.amount)} · {t.source_id}")
        for t in no_money.charge_candidates(item)
    ]


@bp.get("/tanpa-uang/<id:payment_id>")
@admin_required
def no_money_page(payment_id: int):
    return _no_money_page(payment_id)


@bp.post("/tanpa-uang/<id:payment_id>")
@admin_required
def no_money_link(payment_id: int):
    payment = _payment(payment_id)
    form = LinkForm()
    form.target.choices = [(form.target.data, "")] if isinstance(form.target.data, int) else []
    if not form.validate_on_submit():
        return _no_money_page(payment_id, form, status=400)
    error = _run(lambda: no_money.link(payment_id, form.target.data, current_user, form.note.data))
    if error:
        return _no_money_page(payment_id, form, error, 409)
    number = db.session.get(Order, payment.order_id).number
    return _exceptions(_("The money was linked to order %(number)s.", number=number))


# ---- write-offs --------------------------------------------------------------------------


def _write_off_page(payment_id: int, form: ResolveForm | None = None, error="", status=200):
    payment = _payment(payment_id)
    return render_template(
        "reconciliation/write_off.html",
        payment=payment,
        order=db.session.get(Order, payment.order_id),
        short=wo.shortfall(payment),
        limit=wo.write_off_limit(),
        form=form or ResolveForm(formdata=None),
        error=error,
    ), status


@bp.get("/selisih/<id:payment_id>")
@admin_required
def write_off(payment_id: int):
    return _write_off_page(payment_id)


@bp.post("/selisih/<id:payment_id>")
@admin_required
def write_off_post(payment_id: int):
    _payment(payment_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        return _write_off_page(payment_id, form, status=400)
    error = _run(lambda: wo.write_off_shortfall(payment_id, current_user, form.note.data))
    if error:
        return _write_off_page(payment_id, form, error, 409)
    return _exceptions(_("The difference was written off and the order is paid."))


@bp.post("/baris/<id:line_id>/hapus-selisih")
@admin_required
def write_off_line(line_id: int):
    from shop.reconciliation.views import _render_line

    if get_line(line_id) is None:
        abort(404)
    form = WriteOffLineForm(prefix="writeoff")
    if not form.validate_on_submit():
        return _render_line(line_id, 400, write_off=form)
    error = _run(
        lambda: wo.write_off_line(line_id, form.order_number.data, current_user, form.note.data)
    )
    if error:
        return _render_line(line_id, 409, write_off=form, error=error)
    flash(_("The line was matched and the difference written off."), "success")
    return redirect(url_for("reconciliation.line", line_id=line_id), code=303)


# ---- at Stripe: disputes and refunds made in the dashboard -------------------------------


def _stripe_page(row_id: int, kind: str, form=None, error="", status=200):
    row = at_stripe.get_txn(row_id)
    if row is None:
        abort(404)
    open_rows = at_stripe.open_disputes() if kind == "dispute" else at_stripe.outside_refunds()
    return render_template(
        "reconciliation/at_stripe.html",
        row=row,
        kind=kind,
        is_open=row in open_rows,
        order=db.session.get(Order, row.order_id) if row.order_id else None,
        form=form or ResolveForm(formdata=None),
        error=error,
    ), status


def _stripe_post(row_id: int, kind: str, action, done: str):
    if at_stripe.get_txn(row_id) is None:
        abort(404)
    form = ResolveForm()
    if not form.validate_on_submit():
        return _stripe_page(row_id, kind, form, status=400)
    error = _run(lambda: action(row_id, current_user, form.note.data))
    if error:
        return _stripe_page(row_id, kind, form, error, 409)
    return _exceptions(done)


@bp.get("/sengketa/<id:row_id>")
@admin_required
def dispute(row_id: int):
    return _stripe_page(row_id, "dispute")


@bp.post("/sengketa/<id:row_id>")
@admin_required
def dispute_post(row_id: int):
    return _stripe_post(
        row_id, "dispute", at_stripe.acknowledge_dispute, _("The dispute was acknowledged.")
    )


@bp.get("/refund-stripe/<id:row_id>")
@admin_required
def stripe_refund(row_id: int):
    return _stripe_page(row_id, "stripe_refund")


@bp.post("/refund-stripe/<id:row_id>")
@admin_required
def stripe_refund_post(row_id: int):
    return _stripe_post(
        row_id,
        "stripe_refund",
        at_stripe.link_outside_refund,
        _("The refund was recorded on the order."),
    )
