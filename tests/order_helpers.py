"""Helpers for the cart/checkout/orders/inventory/mail tests: committed data, one call
to place an order the way the checkout view does, and the stock invariants."""

from __future__ import annotations

import secrets

from factories import make_category, make_facility, make_product
from sqlalchemy import select

from shop.catalog.models import Product
from shop.checkout.services import BuyerDetails, place_order
from shop.extensions import db
from shop.inventory import services as inventory
from shop.shipping.services import ensure_default_rates
from shop.uow import unit_of_work

BUYER = BuyerDetails(
    name="Siti Rahma",
    email="siti@example.com",
    phone="+6281234567890",
    street="Jl. Melati No. 5",
    province="DKI Jakarta",
    city="Jakarta Selatan",
    district="Tebet",
    postal_code="12810",
    note="",
)


def shop_with_products(on_hand=(1,), facilities=1, price=150_000, **product_kw) -> list[Product]:
    """Committed facilities (Jawa Timur, Bali, …), one product per ``on_hand`` entry,
    spread over the facilities in turn; shipping rates seeded."""
    ensure_default_rates()
    provinces = ["Jawa Timur", "Bali", "Jawa Tengah", "Sumatera Utara"]
    facs = [make_facility(province=provinces[i % 4]) for i in range(facilities)]
    category = make_category()
    products = [
        make_product(facs[i % facilities], category, on_hand=stock, price=price, **product_kw)
        for i, stock in enumerate(on_hand)
    ]
    db.session.commit()
    return products


def place(items: dict[int, int], key: str | None = None, buyer: BuyerDetails = BUYER, **kw):
    """Place and commit like the checkout view; rolls back and re-raises on refusal."""
    with unit_of_work():
        order, _created = place_order(
            items, buyer, kw.pop("courier", "jne"), key or secrets.token_hex(12), **kw
        )
    return order


def stock(product_id: int) -> tuple[int, int]:
    db.session.commit()  # a fresh snapshot: other threads may have committed since
    row = db.session.execute(
        select(Product.on_hand, Product.allocated).where(Product.id == product_id)
    ).one()
    db.session.commit()
    return row.on_hand, row.allocated


def assert_stock_invariants() -> None:
    db.session.commit()
    problems = inventory.invariant_violations()
    db.session.commit()
    assert problems == []
