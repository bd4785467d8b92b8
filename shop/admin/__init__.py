"""The administrators' area: work across facilities (shipping rates, review lists)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

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
