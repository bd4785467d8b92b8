"""Administrators' settlements (``/admin/penyelesaian``): build a facility's month,
rebuild or delete a draft, approve, mark paid; the printable statement and its CSV."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.accounts.scoping import admin_required
from shop.core.timezone import jakarta_today
from shop.extensions import db
from shop.facilities.models import Facility
from shop.settlements import services, statements
from shop.settlements.forms import ActionForm, BuildForm, PaidForm, month_of
from shop.settlements.makers import premi_per_maker
from shop.sqltypes import utcnow
from shop.uow import unit_of_work

bp = Blueprint("settlements", __name__)


@bp.app_context_processor
def _labels():
    return {"settlement_state_label": statements.state_label}


def _facility_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Facility.id, Facility.name).order_by(Facility.name))
    return [(facility_id, name) for facility_id, name in rows]


def _last_month() -> str:
    today = jakarta_today(utcnow())
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def refusal(error: services.SettlementError) -> str:
    """Why a settlement action was refused, in the administrator's language."""
    messages = {
        "period": _("Write the month as YYYY-MM, e.g. 2026-11."),
        "open": _("That month has not ended yet: settle it once it is over."),
        "exists": _("This facility's month already has a settlement."),
        "empty": _("Nothing is owed to this facility up to the end of that month."),
        "owes": _(
            "Up to the end of that month the facility's refunds exceed its sales: nothing is "
            "paid now, and the difference is deducted from its next settlement."
        ),
        "facility": _("Choose a facility."),
        "frozen": _("Only a draft can be rebuilt, approved or deleted."),
        "not_approved": _("Only an approved settlement can be marked paid."),
        "reference": _("Write the bank's reference of the transfer."),
        "date": _("The transfer date must be after the period and not in the future."),
        "missing": _("This settlement no longer exists."),
        "race": _("Another administrator changed these postings at the same time: try again."),
    }
    return messages.get(error.code, _("This settlement action was refused."))


def _render_list(form: BuildForm | None = None, status: int = 200):
    if form is None:
        form = BuildForm(formdata=None, month=_last_month())
    form.facility_id.choices = _facility_choices()
    return render_template(
        "settlements/admin_list.html", form=form, settlements=services.listing()
    ), status


@bp.get("/admin/penyelesaian")
@admin_required
def index():
    return _render_list()


@bp.post("/admin/penyelesaian")
@admin_required
def build():
    form = BuildForm()
    form.facility_id.choices = _facility_choices()
    if not form.validate_on_submit():
        return _render_list(form, 400)
    year, month = month_of(form.month.data)
    try:
        with unit_of_work():
            settlement = services.build(form.facility_id.data, year, month, current_user)
    except services.SettlementError as error:
        form.month.errors = [*form.month.errors, refusal(error)]
        return _render_list(form, 400)
    except IntegrityError:
        form.month.errors = [*form.month.errors, refusal(services.SettlementError("", "race"))]
        return _render_list(form, 409)
    flash(_("Draft settlement built: check it, then approve it."), "success")
    return redirect(url_for("settlements.detail", settlement_id=settlement.id), code=303)


def _get_or_404(settlement_id: int):
    settlement = services.get(settlement_id)
    if settlement is None:
        abort(404)
    return settlement


def _render_detail(settlement, paid_form: PaidForm | None = None, error: str = "", status=200):
    if paid_form is None:
        paid_form = PaidForm(formdata=None, paid_on=jakarta_today(utcnow()))
    return render_template(
        "settlements/admin_detail.html",
        s=settlement,
        rows=statements.summary_rows(settlement),
        parts=services.parts(settlement.id),
        makers=premi_per_maker(settlement.id),
        action_form=ActionForm(),
        paid_form=paid_form,
        error=error,
    ), status


@bp.get("/admin/penyelesaian/<id:settlement_id>")
@admin_required
def detail(settlement_id: int):
    return _render_detail(_get_or_404(settlement_id))


def _act(settlement_id: int, action, done: str):
    settlement = _get_or_404(settlement_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            action(settlement_id, current_user)
    except services.SettlementError as error:
        return _render_detail(_get_or_404(settlement_id), error=refusal(error), status=400)
    except IntegrityError:
        error = services.SettlementError("", "race")
        return _render_detail(_get_or_404(settlement_id), error=refusal(error), status=409)
    flash(done, "success")
    if action is services.remove:
        return redirect(url_for("settlements.index"), code=303)
    return redirect(url_for("settlements.detail", settlement_id=settlement.id), code=303)


@bp.post("/admin/penyelesaian/<id:settlement_id>/susun-ulang")
@admin_required
def rebuild(settlement_id: int):
    return _act(settlement_id, services.rebuild, _("Draft rebuilt from the ledger."))


@bp.post("/admin/penyelesaian/<id:settlement_id>/setujui")
@admin_required
def approve(settlement_id: int):
    return _act(settlement_id, services.approve, _("Settlement approved: it can no longer change."))


@bp.post("/admin/penyelesaian/<id:settlement_id>/hapus")
@admin_required
def delete(settlement_id: int):
    return _act(
        settlement_id, services.remove, _("Draft deleted: its postings are unsettled again.")
    )


@bp.post("/admin/penyelesaian/<id:settlement_id>/dibayar")
@admin_required
def paid(settlement_id: int):
    settlement = _get_or_404(settlement_id)
    form = PaidForm()
    if not form.validate_on_submit():
        return _render_detail(settlement, form, status=400)
    try:
        with unit_of_work():
            services.mark_paid(settlement_id, form.reference.data, form.paid_on.data, current_user)
    except services.SettlementError as error:
        field = form.paid_on if error.code == "date" else form.reference
        field.errors = [*field.errors, refusal(error)]
        return _render_detail(_get_or_404(settlement_id), form, status=400)
    flash(_("Settlement marked paid and posted to the ledger."), "success")
    return redirect(url_for("settlements.detail", settlement_id=settlement_id), code=303)


@bp.get("/admin/penyelesaian/<id:settlement_id>/cetak")
@admin_required
def statement(settlement_id: int):
    settlement = _get_or_404(settlement_id)
    return render_template(
        "settlements/statement.html",
        s=settlement,
        rows=statements.summary_rows(settlement),
        parts=services.parts(settlement.id),
        makers=premi_per_maker(settlement.id),
    )


@bp.get("/admin/penyelesaian/<id:settlement_id>.csv")
@admin_required
def statement_csv(settlement_id: int):
    return statements.csv_response(_get_or_404(settlement_id))


from shop.settlements import report_views  # noqa: E402, F401
