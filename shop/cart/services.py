"""The cart: ``{product_id: [quantity, price seen when added]}`` kept in the signed session.

Prices and availability are always read from the database; the price remembered in the
cart only lets the cart say plainly that a price changed since the item was added.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shop.catalog.models import Product
from shop.extensions import db
from shop.parsing import parse_int

MAX_LINE_QUANTITY = 99
MAX_CART_LINES = 50

Cart = dict[str, list[int]]


class CartError(Exception):
    """A cart change that is refused; the message is for the buyer."""


@dataclass
class CartLine:
    product: Product
    quantity: int
    price_seen: int
    notices: list[str] = field(default_factory=list)
    blocking: bool = False

    @property
    def line_total(self) -> int:
        return self.product.price * self.quantity


@dataclass
class CartView:
    lines: list[CartLine]

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.lines if not line.blocking)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def can_checkout(self) -> bool:
        return bool(self.lines) and not any(line.blocking for line in self.lines)

    def items(self) -> dict[int, int]:
        return {line.product.id: line.quantity for line in self.lines}


def item_count(cart: Mapping | None) -> int:
    """Units in the cart, counted from the session alone (no query)."""
    if not cart:
        return 0
    try:
        return sum(int(entry[0]) for entry in cart.values())
    except (TypeError, ValueError, IndexError):
        return 0


def parse_quantity(raw) -> int:
    """A whole number from 1 to ``MAX_LINE_QUANTITY``, or :class:`CartError`."""
    quantity = parse_int(raw, 1, MAX_LINE_QUANTITY)
    if quantity is None:
        raise CartError(
            _("Quantity must be a whole number from 1 to %(max)d.", max=MAX_LINE_QUANTITY)
        )
    return quantity


def _active_product(product_id: int) -> Product:
    product = db.session.execute(
        select(Product).where(Product.id == product_id)
    ).scalar_one_or_none()
    if product is None or not product.for_sale:
        raise CartError(_("This product is not for sale."))
    return product


def _check_available(product: Product, quantity: int) -> None:
    if product.available <= 0:
        raise CartError(_("Sorry, %(name)s is sold out.", name=product.name))
    if product.one_of_a_kind and quantity > 1:
        raise CartError(_("%(name)s is one of a kind: only one can be bought.", name=product.name))
    if quantity > product.available:
        raise CartError(
            _("Only %(count)d of %(name)s available.", count=product.available, name=product.name)
        )


def add(cart: Cart, product_id: int, quantity: int) -> Cart:
    product = _active_product(product_id)
    key = str(product.id)
    if key not in cart and len(cart) >= MAX_CART_LINES:
        raise CartError(_("Your cart is full."))
    new_quantity = (cart[key][0] if key in cart else 0) + quantity
    if new_quantity > MAX_LINE_QUANTITY:
        raise CartError(
            _("Quantity must be a whole number from 1 to %(max)d.", max=MAX_LINE_QUANTITY)
        )
    _check_available(product, new_quantity)
    updated = dict(cart)
    updated[key] = [new_quantity, product.price]
    return updated


def set_quantity(cart: Cart, product_id: int, quantity: int) -> Cart:
    key = str(product_id)
    if key not in cart:
        raise CartError(_("This product is not in your cart."))
    product = _active_product(product_id)
    _check_available(product, quantity)
    updated = dict(cart)
    updated[key] = [quantity, cart[key][1]]
    return updated


def remove(cart: Cart, product_id: int) -> Cart:
    updated = dict(cart)
    updated.pop(str(product_id), None)
    return updated


def sanitize(cart) -> Cart:
    """Drop anything in the session that is not a well-formed cart entry."""
    clean: Cart = {}
    if not isinstance(cart, dict):
        return clean
    for key, entry in cart.items():
        try:
            pid, qty, price = int(key), int(entry[0]), int(entry[1])
        except (TypeError, ValueError, IndexError, KeyError):
            continue
        if pid > 0 and 1 <= qty <= MAX_LINE_QUANTITY:
            clean[str(pid)] = [qty, price]
    return clean


def load(cart: Cart) -> CartView:
    """The cart against the database's current truth, with a notice per change."""
    ids = [int(k) for k in cart]
    products = {}
    if ids:
        rows = db.session.execute(
            select(Product).where(Product.id.in_(ids)).options(joinedload(Product.facility))
        ).scalars()
        products = {p.id: p for p in rows}
    lines = []
    for key, (quantity, price_seen) in cart.items():
        product = products.get(int(key))
        if product is None:
            continue
        line = CartLine(product, quantity, price_seen)
        if not product.for_sale:
            line.notices.append(_("No longer for sale; please remove it."))
            line.blocking = True
        elif product.available <= 0:
            line.notices.append(_("Sold out since you added it; please remove it."))
            line.blocking = True
        elif quantity > product.available:
            line.notices.append(
                _(
                    "Only %(count)d available now; please lower the quantity.",
                    count=product.available,
                )
            )
            line.blocking = True
        if product.price != price_seen:
            line.notices.append(
                _(
                    "The price changed from %(old)s to %(new)s since you added it.",
                    old=_rupiah(price_seen),
                    new=_rupiah(product.price),
                )
            )
        lines.append(line)
    lines.sort(key=lambda line: (line.product.facility.name, line.product.name))
    return CartView(lines)


def acknowledge_prices(cart: Cart, view: CartView) -> Cart:
    """Remember the current prices once the buyer has been shown them."""
    updated = dict(cart)
    for line in view.lines:
        updated[str(line.product.id)] = [line.quantity, line.product.price]
    for key in list(updated):
        if int(key) not in {line.product.id for line in view.lines}:
            updated.pop(key)
    return updated


def _rupiah(amount: int) -> str:
    from shop.i18n import format_rupiah

    return format_rupiah(amount)
