"""Reconciliation: bank statements imported and matched to the orders they pay."""

from flask import Blueprint

bp = Blueprint("reconciliation", __name__, url_prefix="/admin/rekonsiliasi")

from shop.reconciliation import views, views_resolve  # noqa: E402, F401
