"""Orders to fulfil: the facility's parts by tab, one part, pack, ship, cancel, packing slip."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shop.accounts.scoping import staff_facility_id, staff_required
from shop.dashboard import bp
from shop.dashboard import fulfilment as services
from shop.dashboard.forms import ActionForm, CancelPartForm, ShipForm
from shop.dashboard.inventory_views import actor
from shop.parsing import parse_page
from shop.uow import unit_of_work


def _part_or_404(part_id: int):
    part = services.get_part(staff_facility_id(), part_id)
    if part is None:
        abort(404)
    return part


@bp.get("/pesanan")
@staff_required
def orders():
    tab = request.args.get("tab", "to_pack")
    if tab not in services.TABS:
        tab = "to_pack"
    page = parse_page(request.args.get("page"))
    facility_id = staff_facility_id()
    return render_template(
        "dashboard/orders.html",
        tab=tab,
        tabs=services.TAB_LABELS,
        counts=services.tab_counts(facility_id),
        listing=services.list_parts(facility_id, tab, page),
        status_labels=services.STATUS_LABELS,
    )


def _render_part(part, ship_form=None, cancel_form=None):
    if ship_form is None:
        ship_form = ShipForm(formdata=None, courier=part.courier)
    return render_template(
        "dashboard/order_part.html",
        part=part,
        order=part.order,
        paid=services.is_paid(part.order),
        events=services.history(part),
        pack_form=ActionForm(),
        ship_form=ship_form,
        cancel_form=cancel_form or CancelPartForm(formdata=None),
        status_labels=services.STATUS_LABELS,
        courier_labels=services.COURIER_LABELS,
        cancellable=part.status in services.CANCELLABLE,
    )


@bp.get("/pesanan/<id:part_id>")
@staff_required
def order_part(part_id: int):
    return _render_part(_part_or_404(part_id))


def _back(part_id: int):
    return redirect(url_for("dashboard.order_part", part_id=part_id), code=303)


def _write(part_id: int, change, form_field=None):
    """Run ``change`` in a write transaction; on refusal roll back and report it."""
    try:
        with unit_of_work():
            change()
    except services.FulfilmentRefused as refusal:
        if form_field is not None and refusal.field:
            form_field(refusal.field).errors.append(refusal.message)
            return False
        flash(str(refusal.message), "error")
        return None
    return True


@bp.post("/pesanan/<id:part_id>/dikemas")
@staff_required
def order_pack(part_id: int):
    _part_or_404(part_id)
    if _write(part_id, lambda: services.pack(staff_facility_id(), part_id, actor())):
        flash(_("Marked as packed. Ship it when the courier has it."), "success")
    return _back(part_id)


@bp.post("/pesanan/<id:part_id>/diterima")
@staff_required
def order_deliver(part_id: int):
    _part_or_404(part_id)
    if _write(part_id, lambda: services.deliver(staff_facility_id(), part_id, actor())):
        flash(_("Marked as delivered."), "success")
    return _back(part_id)


@bp.post("/pesanan/<id:part_id>/kirim")
@staff_required
def order_ship(part_id: int):
    part = _part_or_404(part_id)
    form = ShipForm()
    if not form.validate_on_submit():
        return _render_part(part, ship_form=form)
    done = _write(
        part_id,
        lambda: services.ship(
            staff_facility_id(), part_id, form.courier.data, form.tracking_number.data, actor()
        ),
        form_field=lambda name: getattr(form, name),
    )
    if done is False:
        return _render_part(_part_or_404(part_id), ship_form=form)
    if done:
        flash(_("Shipped. The buyer has been emailed the tracking number."), "success")
    return _back(part_id)


@bp.post("/pesanan/<id:part_id>/batal")
@staff_required
def order_cancel(part_id: int):
    part = _part_or_404(part_id)
    form = CancelPartForm()
    if not form.validate_on_submit():
        return _render_part(part, cancel_form=form)
    done = _write(
        part_id,
        lambda: services.cancel(staff_facility_id(), part_id, form.reason.data, actor()),
        form_field=lambda name: getattr(form, name),
    )
    if done is False:
        return _render_part(_part_or_404(part_id), cancel_form=form)
    if done:
        flash(
            _(
                "Cancelled. The pieces are back in stock and administrators have been asked "
                "to refund the buyer."
            ),
            "success",
        )
    return _back(part_id)


@bp.get("/pesanan/<id:part_id>/slip")
@staff_required
def order_slip(part_id: int):
    part = _part_or_404(part_id)
    return render_template(
        "dashboard/packing_slip.html",
        part=part,
        order=part.order,
        courier_labels=services.COURIER_LABELS,
    )
