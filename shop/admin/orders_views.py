"""Every order for administrators (``/admin/pesanan``): filters, search, CSV, the order
page with its whole timeline and the actions. Every view is ``@admin_required``; the
rules live in :mod:`shop.orders.admin_services`."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.scoping import admin_required
from shop.admin import bp
from shop.admin import order_services as services
from shop.admin.back_office_forms import (
    CancelOrderForm,
    ExtendDeadlineForm,
    NoteForm,
    date_arg,
    int_arg,
    page_arg,
)
from shop.admin.transfers import PAYMENT_STATUS_LABELS
from shop.core.timezone import jakarta_today
from shop.dashboard.forms import ActionForm
from shop.extensions import db
from shop.facilities.models import Facility
from shop.orders.labels import PART_STATUS_LABELS
from shop.orders.models import ORDER_STATUSES, Order
from shop.orders.services import OrderNotFound, load_order_for_display
from shop.sqltypes import utcnow
from shop.uow import unit_of_work


def _amount_arg(name: str) -> int | None:
    return services.parse_amount(request.args.get(name, ""))


def _filter() -> services.OrderFilter:
    args = request.args
    status = args.get("status", "")
    method = args.get("method", "")
    return services.OrderFilter(
        q=args.get("q", "").strip()[:100],
        status=status if status in ORDER_STATUSES else "",
        facility_id=int_arg(args, "facility"),
        payment_method=method if method in services.PAYMENT_METHODS else "",
        date_from=date_arg(args, "from"),
        date_to=date_arg(args, "to"),
        amount_min=_amount_arg("min"),
        amount_max=_amount_arg("max"),
    )


@bp.get("/pesanan")
@admin_required
def orders():
    f = _filter()
    return render_template(
        "admin/orders/list.html",
        f=f,
        listing=services.list_orders(f, page_arg(request.args)),
        statuses=ORDER_STATUSES,
        methods=services.PAYMENT_METHODS,
        facilities=list(db.session.scalars(db.select(Facility).order_by(Facility.name))),
    )


@bp.get("/pesanan.csv")
@admin_required
def orders_csv():
    name = f"pesanan-{jakarta_today(utcnow()).isoformat()}.csv"
    return Response(
        stream_with_context(services.orders_csv(_filter())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _render_order(order_id: int, forms: dict | None = None, status: int = 200):
    if db.session.get(Order, order_id) is None:
        abort(404)
    order = load_order_for_display(order_id)
    forms = forms or {}
    return render_template(
        "admin/orders/order.html",
        order=order,
        timeline=services.timeline(order_id),
        messages=services.mail_messages(order_id),
        extend_form=forms.get("extend") or ExtendDeadlineForm(formdata=None),
        cancel_form=forms.get("cancel") or CancelOrderForm(formdata=None),
        note_form=forms.get("note") or NoteForm(formdata=None),
        resend_form=forms.get("resend") or ActionForm(formdata=None),
        payment_labels=PAYMENT_STATUS_LABELS,
        part_labels=PART_STATUS_LABELS,
        now=utcnow(),
    ), status


@bp.get("/pesanan/<id:order_id>")
@admin_required
def order(order_id: int):
    return _render_order(order_id)


def _act(order_id: int, key: str, form, action, done: str):
    """Validate ``form``, run ``action`` in one write transaction, say ``done``."""
    if db.session.get(Order, order_id) is None:
        abort(404)
    if not form.validate_on_submit():
        return _render_order(order_id, {key: form}, 400)
    try:
        with unit_of_work():
            action()
    except services.OrderActionError as exc:
        field = getattr(form, exc.field or "", None)
        if field is not None:
            field.errors = [*field.errors, exc.message]
        else:
            form.form_errors.append(exc.message)
        return _render_order(order_id, {key: form}, 400)
    except (LookupError, OrderNotFound):
        abort(404)
    flash(done, "success")
    return redirect(url_for("admin.order", order_id=order_id), code=303)


@bp.post("/pesanan/<id:order_id>/tenggat")
@admin_required
def order_extend(order_id: int):
    form = ExtendDeadlineForm()
    return _act(
        order_id,
        "extend",
        form,
        lambda: services.extend_deadline(order_id, form.days.data, form.reason.data, current_user),
        _("Payment deadline extended; the items stay held until then."),
    )


@bp.post("/pesanan/<id:order_id>/batal")
@admin_required
def order_cancel(order_id: int):
    form = CancelOrderForm()
    return _act(
        order_id,
        "cancel",
        form,
        lambda: services.cancel_unpaid(order_id, form.reason.data, current_user),
        _("Order cancelled; its items are back on sale."),
    )


@bp.post("/pesanan/<id:order_id>/catatan")
@admin_required
def order_note(order_id: int):
    form = NoteForm()
    return _act(
        order_id,
        "note",
        form,
        lambda: services.add_note(order_id, form.body.data, current_user),
        _("Note added."),
    )


@bp.post("/pesanan/<id:order_id>/email/<id:message_id>")
@admin_required
def order_resend(order_id: int, message_id: int):
    form = ActionForm()
    return _act(
        order_id,
        "resend",
        form,
        lambda: services.resend_email(order_id, message_id, current_user),
        _("A copy of the e-mail is queued."),
    )
