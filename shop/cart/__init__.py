from flask import Blueprint

bp = Blueprint("cart", __name__, url_prefix="/keranjang")

from shop.cart import views  # noqa: E402, F401
