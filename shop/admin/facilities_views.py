"""Administrators' facility screens: list, create, edit, revenue split, photo,
deactivate / reactivate. Every view is ``@admin_required``; services write the audit."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.scoping import admin_required
from shop.admin import bp
from shop.admin.facilities_forms import (
    ConfirmForm,
    FacilityForm,
    FacilityPhotoForm,
    NewFacilityForm,
    SplitForm,
)
from shop.extensions import db
from shop.facilities import services
from shop.facilities.models import Facility, facility_photo
from shop.media.pipeline import DEFAULT_MAX_UPLOAD_MB, PhotoRejected
from shop.sqltypes import MAX_ID, utcnow
from shop.uow import unit_of_work


def _facility_or_404(facility_id: int) -> Facility:
    if facility_id > MAX_ID:  # beyond any integer column: no such row (and no driver error)
        abort(404)
    facility = db.session.get(Facility, facility_id)
    if facility is None:
        abort(404)
    return facility


def _data(form: FacilityForm) -> services.FacilityData:
    return services.FacilityData(
        **{name: form[name].data or "" for name in services.FacilityData.field_names()}
    )


def _field_error(form, exc: services.FacilityError) -> None:
    target = form[exc.field] if exc.field and exc.field in form else None
    if target is not None:
        target.errors = [*target.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


@bp.get("/fasilitas")
@admin_required
def facilities():
    return render_template(
        "admin/facilities/list.html", rows=services.facility_rows(), form=ConfirmForm()
    )


@bp.route("/fasilitas/baru", methods=["GET", "POST"])
@admin_required
def facility_new():
    form = NewFacilityForm()
    if request.method == "GET":
        form.premi_pct.data, form.pnbp_pct.data, form.capital_pct.data = services.DEFAULT_SPLIT
    if form.validate_on_submit():
        split = services.Split(form.premi_pct.data, form.pnbp_pct.data, form.capital_pct.data)
        try:
            with unit_of_work():
                facility = services.create_facility(current_user, _data(form), split)
        except services.FacilityError as exc:
            _field_error(form, exc)
        else:
            flash(_("Facility %(name)s added.", name=facility.name), "success")
            return redirect(url_for("admin.facility_edit", facility_id=facility.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/facilities/new.html", form=form), status


def _render_edit(
    facility: Facility,
    form: FacilityForm | None = None,
    split_form: SplitForm | None = None,
    photo_form: FacilityPhotoForm | None = None,
    status: int = 200,
):
    if split_form is None:
        now = services.split_now(facility.id)
        split_form = SplitForm(
            formdata=None,
            premi_pct=now.premi_pct,
            pnbp_pct=now.pnbp_pct,
            capital_pct=now.capital_pct,
            valid_from=services.jakarta_date(utcnow()),
        )
    return render_template(
        "admin/facilities/edit.html",
        facility=facility,
        form=form or FacilityForm(formdata=None, obj=facility),
        split_form=split_form,
        photo_form=photo_form or FacilityPhotoForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        split=services.split_now(facility.id),
        history=services.split_history(facility.id),
        photo=facility_photo(facility),
        today=services.jakarta_date(utcnow()),
    ), status


@bp.route("/fasilitas/<id:facility_id>", methods=["GET", "POST"])
@admin_required
def facility_edit(facility_id: int):
    facility = _facility_or_404(facility_id)
    if request.method == "GET":
        return _render_edit(facility)
    form = FacilityForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_facility(current_user, facility, _data(form))
        except services.FacilityError as exc:
            _field_error(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.facility_edit", facility_id=facility_id), code=303)
    return _render_edit(facility, form=form, status=400)


@bp.post("/fasilitas/<id:facility_id>/bagi-hasil")
@admin_required
def facility_split(facility_id: int):
    facility = _facility_or_404(facility_id)
    form = SplitForm()
    if form.validate_on_submit():
        split = services.Split(form.premi_pct.data, form.pnbp_pct.data, form.capital_pct.data)
        try:
            with unit_of_work():
                services.set_split(current_user, facility, split, form.valid_from.data)
        except services.FacilityError as exc:
            _field_error(form, exc)
        else:
            flash(
                _(
                    "New split %(premi)d/%(pnbp)d/%(capital)d recorded from %(day)s.",
                    premi=split.premi_pct,
                    pnbp=split.pnbp_pct,
                    capital=split.capital_pct,
                    day=form.valid_from.data.isoformat(),
                ),
                "success",
            )
            return redirect(url_for("admin.facility_edit", facility_id=facility_id), code=303)
    return _render_edit(facility, split_form=form, status=400)


@bp.post("/fasilitas/<id:facility_id>/foto")
@admin_required
def facility_photo_upload(facility_id: int):
    facility = _facility_or_404(facility_id)
    form = FacilityPhotoForm()
    upload = request.files.get("photo")
    if not form.validate_on_submit():
        return _render_edit(facility, photo_form=form, status=400)
    if upload is None or not upload.filename:
        form.photo.errors = [_("Choose a photo to upload.")]
        return _render_edit(facility, photo_form=form, status=400)
    max_mb = int(current_app.config.get("MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    try:
        with unit_of_work():
            services.set_photo(current_user, facility, upload.stream, max_mb)
    except PhotoRejected as exc:
        form.photo.errors = [_("Refused: %(reason)s", reason=str(exc))]
        return _render_edit(facility, photo_form=form, status=400)
    flash(_("Photo saved."), "success")
    return redirect(url_for("admin.facility_edit", facility_id=facility_id), code=303)


@bp.post("/fasilitas/<id:facility_id>/nonaktifkan")
@admin_required
def facility_deactivate(facility_id: int):
    return _set_active(facility_id, False)


@bp.post("/fasilitas/<id:facility_id>/aktifkan")
@admin_required
def facility_reactivate(facility_id: int):
    return _set_active(facility_id, True)


def _set_active(facility_id: int, active: bool):
    facility = _facility_or_404(facility_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            count = services.set_active(current_user, facility, active)
    except services.FacilityError as exc:
        flash(str(exc.message), "error")
    else:
        if active:
            message = _(
                "%(name)s is active again; %(n)d products are back in the shop.",
                name=facility.name,
                n=count,
            )
        else:
            message = _(
                "%(name)s is inactive; %(n)d products left the shop. Its orders stay as they are.",
                name=facility.name,
                n=count,
            )
        flash(message, "success")
    return redirect(url_for("admin.facility_edit", facility_id=facility_id), code=303)
