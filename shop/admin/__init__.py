"""The administrators' area: work across facilities (shipping rates, review lists)."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("admin", __name__, url_prefix="/admin")

# (endpoint, label, endpoint prefixes that mark the entry as current), rendered by
# ``templates/admin/layout.html`` for the admin, reconciliation and settlement pages.
NAV: list[tuple[str, object, tuple[str, ...]]] = [
    ("admin.index", _l("To do"), ("admin.index",)),
    ("admin.transfers", _l("Bank transfers"), ("admin.transfer",)),
    ("admin.orders", _l("Orders"), ("admin.order",)),
    ("admin.products", _l("Products"), ("admin.product",)),
    ("admin.categories_page", _l("Categories"), ("admin.categor",)),
    ("admin.audit", _l("Audit log"), ("admin.audit",)),
    ("admin.refunds_owed", _l("Refunds"), ("admin.refund", "admin.make_refund")),
    ("reconciliation.exceptions_page", _l("Exceptions"), ("reconciliation.exceptions_page",)),
    ("reconciliation.index", _l("Bank statements"), ("reconciliation.",)),
    ("admin.facilities", _l("Facilities"), ("admin.facilit",)),
    ("admin.people", _l("People"), ("admin.person", "admin.people")),
    (
        "settlements.index",
        _l("Settlements"),
        ("settlements.index", "settlements.detail", "settlements.statement"),
    ),
    ("settlements.reports_page", _l("Reports"), ("settlements.reports_page", "settlements.recap")),
    ("admin.stripe_page", _l("Stripe"), ("admin.stripe",)),
    ("admin.shipping_rates", _l("Shipping rates"), ("admin.shipping_rates",)),
]


@bp.app_context_processor
def _admin_nav() -> dict:
    return {"admin_nav": NAV}


from shop.admin import (  # noqa: E402, F401
    audit_views,
    catalog_views,
    facilities_views,
    orders_views,
    people_views,
    refunds_views,
    stripe_views,
    views,
)
