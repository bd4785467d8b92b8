from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/pesanan")

from shop.orders import views  # noqa: E402, F401
