"""The administrators' area: work across facilities (shipping rates, review lists)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from shop.admin import facilities_views, people_views, views  # noqa: E402, F401
