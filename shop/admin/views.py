"""Administrators' pages; every view is ``@admin_required``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.scoping import admin_required
from shop.admin import bp
from shop.admin.forms import RateForm
from shop.extensions import db
from shop.orders.services import refund_due_parts
from shop.payments.stripe_refunds import review_list
from shop.shipping.services import COURIER_NAMES, rates_by_key, set_rate
from shop.shipping.zones import ZONES


@bp.get("/")
@admin_required
def index():
    return render_template(
        "admin/index.html", reviews=review_list(), refund_parts=refund_due_parts()
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
    courier, _sep, zone = request.form.get("rate", "").partition("-")
    if courier not in COURIER_NAMES or not zone.isdigit() or int(zone) not in ZONES:
        abort(400)
    form = RateForm(prefix=f"{courier}-{zone}")
    if not form.validate_on_submit():
        return render_template(
            "admin/shipping_rates.html", forms=_rate_forms(form), couriers=COURIER_NAMES
        ), 400
    set_rate(courier, int(zone), form.first_kg.data, form.next_kg.data, current_user.email)
    db.session.commit()
    flash(
        _("Saved: %(courier)s, zone %(zone)s.", courier=COURIER_NAMES[courier], zone=zone),
        "success",
    )
    return redirect(url_for("admin.shipping_rates"), code=303)
