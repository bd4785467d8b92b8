from flask import Blueprint

bp = Blueprint("accounts", __name__)

from shop.accounts import loader, views  # noqa: E402, F401  (user loader, routes)
