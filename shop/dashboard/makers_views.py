"""Makers of the staff member's facility: list, record with consent, edit, retire, link
to products. Every view is ``staff_required``; another facility's maker answers 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.scoping import staff_facility_id, staff_required
from shop.dashboard import bp
from shop.dashboard.forms import ActionForm
from shop.dashboard.makers_forms import MakerForm, MakerProductsForm
from shop.facilities.services import jakarta_date
from shop.makers import services
from shop.sqltypes import MAX_ID, utcnow
from shop.uow import unit_of_work


def _maker_or_404(maker_id: int):
    maker = services.get_maker(staff_facility_id(), maker_id) if maker_id <= MAX_ID else None
    if maker is None:
        abort(404)
    return maker


def _field_error(form, exc: services.MakerError) -> None:
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


@bp.get("/pembuat")
@staff_required
def makers():
    return render_template(
        "dashboard/makers/list.html", makers=services.makers(staff_facility_id())
    )


@bp.route("/pembuat/baru", methods=["GET", "POST"])
@staff_required
def maker_new():
    form = MakerForm()
    today = jakarta_date(utcnow())
    if request.method == "GET":
        form.consent_on.data = today
    if form.validate_on_submit():
        try:
            with unit_of_work():
                maker = services.create_maker(
                    current_user,
                    staff_facility_id(),
                    form.name.data,
                    form.consent_on.data,
                    today=today,
                )
        except services.MakerError as exc:
            _field_error(form, exc)
        else:
            flash(_("%(name)s is recorded.", name=maker.name), "success")
            return redirect(url_for("dashboard.maker", maker_id=maker.id), code=303)
    # Re-rendered with the errors at 200, as the dashboard's other forms.
    return render_template("dashboard/makers/new.html", form=form)


def _render_maker(maker, form=None, products_form=None):
    if form is None:
        form = MakerForm(formdata=None, obj=maker, consent=True)
    if products_form is None:
        products_form = MakerProductsForm(formdata=None, products=services.product_ids(maker.id))
    products_form.products.choices = services.product_choices(maker.facility_id)
    return render_template(
        "dashboard/makers/maker.html",
        maker=maker,
        form=form,
        products_form=products_form,
        action_form=ActionForm(formdata=None),
    )


@bp.route("/pembuat/<id:maker_id>", methods=["GET", "POST"])
@staff_required
def maker(maker_id: int):
    maker = _maker_or_404(maker_id)
    if request.method == "GET":
        return _render_maker(maker)
    form = MakerForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_maker(
                    current_user,
                    maker,
                    form.name.data,
                    form.consent_on.data,
                    today=jakarta_date(utcnow()),
                )
        except services.MakerError as exc:
            _field_error(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("dashboard.maker", maker_id=maker_id), code=303)
    return _render_maker(maker, form=form)


@bp.post("/pembuat/<id:maker_id>/produk")
@staff_required
def maker_products(maker_id: int):
    maker = _maker_or_404(maker_id)
    form = MakerProductsForm()
    form.products.choices = services.product_choices(maker.facility_id)
    if not form.validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            services.set_products(current_user, maker, form.products.data or [])
    except services.MakerError as exc:
        form.products.errors = [exc.message]
        return _render_maker(maker, products_form=form)
    flash(_("Products saved."), "success")
    return redirect(url_for("dashboard.maker", maker_id=maker_id), code=303)


@bp.post("/pembuat/<id:maker_id>/pensiun")
@staff_required
def maker_retire(maker_id: int):
    return _set_active(maker_id, False)


@bp.post("/pembuat/<id:maker_id>/aktifkan")
@staff_required
def maker_reinstate(maker_id: int):
    return _set_active(maker_id, True)


def _set_active(maker_id: int, active: bool):
    maker = _maker_or_404(maker_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            services.set_active(current_user, maker, active)
    except services.MakerError as exc:
        flash(str(exc.message), "error")
    else:
        if active:
            flash(_("%(name)s is active again.", name=maker.name), "success")
        else:
            flash(_("%(name)s is retired.", name=maker.name), "success")
    return redirect(url_for("dashboard.maker", maker_id=maker_id), code=303)
