"""Stock pages: levels, one product's stock (adjust, threshold, recent movements), ledger."""

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

from shop.accounts.scoping import staff_facility_id, staff_required
from shop.core.timezone import jakarta_today
from shop.dashboard import bp
from shop.dashboard.forms import StockAdjustForm, ThresholdForm
from shop.inventory import stock_services as services
from shop.inventory.models import REASON_CODES
from shop.parsing import parse_date, parse_id, parse_page
from shop.sqltypes import utcnow
from shop.uow import unit_of_work


def actor() -> str:
    return current_user.email[:80]


def _product_or_404(product_id: int):
    product = services.get_product(staff_facility_id(), product_id)
    if product is None:
        abort(404)
    return product


@bp.get("/stok")
@staff_required
def stock():
    q = request.args.get("q", "").strip()[:100]
    low = request.args.get("low") == "1"
    page = parse_page(request.args.get("page"))
    listing = services.stock_levels(staff_facility_id(), q=q, low_only=low, page=page)
    return render_template("dashboard/stock.html", listing=listing, q=q, low=low)


def _render_product(product, form, threshold_form, status=200):
    f = services.LedgerFilter(product_id=product.id)
    facility_id = staff_facility_id()
    return (
        render_template(
            "dashboard/stock_product.html",
            product=product,
            form=form,
            threshold_form=threshold_form,
            movements=services.ledger_page(facility_id, f).items,
            ledger_sum=services.ledger_total(facility_id, f),
            reason_label=services.reason_label,
        ),
        status,
    )


@bp.route("/stok/<id:product_id>", methods=["GET", "POST"])
@staff_required
def stock_product(product_id: int):
    product = _product_or_404(product_id)
    form = StockAdjustForm()
    threshold_form = ThresholdForm(threshold=product.low_stock_threshold)
    if not form.validate_on_submit():
        return _render_product(product, form, threshold_form)
    try:
        with unit_of_work():
            services.adjust_stock(
                staff_facility_id(),
                product_id,
                form.reason.data,
                form.change.data,
                form.note.data or "",
                current_user,
            )
    except services.AdjustmentRefused as refusal:
        product = _product_or_404(product_id)
        getattr(form, refusal.field or "change").errors.append(refusal.message)
        return _render_product(product, form, threshold_form)
    flash(_("Stock changed by %(n)+d.", n=form.change.data), "success")
    return redirect(url_for("dashboard.stock_product", product_id=product_id), code=303)


@bp.post("/stok/<id:product_id>/batas")
@staff_required
def stock_threshold(product_id: int):
    product = _product_or_404(product_id)
    form = ThresholdForm()
    if not form.validate_on_submit():
        return _render_product(product, StockAdjustForm(formdata=None), form)
    with unit_of_work():
        services.set_threshold(
            staff_facility_id(), product_id, form.threshold.data, actor=current_user
        )
    flash(_("Low-stock threshold saved."), "success")
    return redirect(url_for("dashboard.stock_product", product_id=product_id), code=303)


def _ledger_filter() -> services.LedgerFilter:
    raw_product = request.args.get("product", "").strip()
    product_id = None
    if raw_product:
        # Another facility's product, or no product at all: 404, not an empty list.
        product_id = parse_id(raw_product)
        if product_id is None:
            abort(404)
        _product_or_404(product_id)
    reason = request.args.get("reason", "")
    return services.LedgerFilter(
        product_id=product_id,
        reason=reason if reason in REASON_CODES else "",
        date_from=parse_date(request.args.get("from")),
        date_to=parse_date(request.args.get("to")),
    )


@bp.get("/stok/riwayat")
@staff_required
def stock_ledger():
    f = _ledger_filter()
    facility_id = staff_facility_id()
    page = parse_page(request.args.get("page"))
    return render_template(
        "dashboard/ledger.html",
        f=f,
        ledger=services.ledger_page(facility_id, f, page),
        total=services.ledger_total(facility_id, f),
        products=services.product_choices(facility_id),
        reasons=[(code, services.reason_label(code)) for code in REASON_CODES],
        reason_label=services.reason_label,
    )


@bp.get("/stok/riwayat.csv")
@staff_required
def stock_ledger_csv():
    f = _ledger_filter()
    lines = services.ledger_csv(staff_facility_id(), f)
    name = f"stok-{jakarta_today(utcnow()).isoformat()}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
