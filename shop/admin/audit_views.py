"""The audit log for administrators (``/admin/audit``): who changed what, before → after."""

from __future__ import annotations

from flask import render_template, request

from shop.accounts.scoping import admin_required
from shop.admin import bp
from shop.admin.back_office_forms import date_arg, int_arg, page_arg
from shop.audit import queries
from shop.extensions import db
from shop.facilities.models import Facility


@bp.get("/audit")
@admin_required
def audit():
    args = request.args
    object_types = queries.object_types()
    object_type = args.get("type", "")
    f = queries.AuditFilter(
        person=args.get("person", "").strip()[:100],
        facility_id=int_arg(args, "facility"),
        object_type=object_type if object_type in object_types else "",
        object_id=int_arg(args, "id"),
        action=args.get("action", "").strip()[:80],
        date_from=date_arg(args, "from"),
        date_to=date_arg(args, "to"),
    )
    facilities = list(db.session.scalars(db.select(Facility).order_by(Facility.name)))
    return render_template(
        "admin/audit/list.html",
        f=f,
        listing=queries.search(f, page_arg(args)),
        object_types=object_types,
        actions=queries.actions(),
        facilities=facilities,
        facility_names={facility.id: facility.name for facility in facilities},
        changed_fields=queries.changed_fields,
    )
