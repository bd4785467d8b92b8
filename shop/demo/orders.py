"""Demo orders placed through the real services (``seed-demo --orders N`` calls this)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from shop.catalog.models import Product
from shop.checkout.services import BuyerDetails, CheckoutProblem, place_order
from shop.extensions import db
from shop.inventory.services import OutOfStock
from shop.orders import services as orders
from shop.orders.models import FacilityOrder
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.shipping.services import ShippingUnavailable, ensure_default_rates
from shop.sqltypes import utcnow
from shop.uow import unit_of_work

BUYERS = [
    ("Siti Rahmawati", "DKI Jakarta", "Jakarta Selatan", "Tebet", "12810"),
    ("Budi Santoso", "Jawa Barat", "Kota Bandung", "Coblong", "40132"),
    ("Dewi Lestari", "DI Yogyakarta", "Kota Yogyakarta", "Gondokusuman", "55221"),
    ("Made Wirawan", "Bali", "Kota Denpasar", "Denpasar Selatan", "80223"),
    ("Rina Hutapea", "Sumatera Utara", "Kota Medan", "Medan Baru", "20153"),
    ("Andi Pratama", "Sulawesi Selatan", "Kota Makassar", "Panakkukang", "90231"),
    ("Yohana Kambu", "Papua", "Kota Jayapura", "Abepura", "99351"),
    ("Fajar Nugroho", "Jawa Tengah", "Kota Semarang", "Tembalang", "50275"),
    ("Nur Aisyah", "Kalimantan Timur", "Kota Samarinda", "Sungai Pinang", "75117"),
    ("Agus Salim", "Jawa Timur", "Kota Surabaya", "Gubeng", "60281"),
]
COURIER_PREFIX = {"jne": "JNE", "jnt": "JP", "pos": "P"}


def _buyer(rng: random.Random, n: int) -> BuyerDetails:
    name, province, city, district, postal = rng.choice(BUYERS)
    first = name.split()[0].lower()
    return BuyerDetails(
        name=name,
        email=f"{first}.{n}@example.com",
        phone="+628" + "".join(str(rng.randrange(10)) for _ in range(10)),
        street=f"Jl. {rng.choice(['Melati', 'Kenanga', 'Sudirman', 'Diponegoro'])} No. "
        f"{rng.randrange(1, 200)}",
        province=province,
        city=city,
        district=district,
        postal_code=postal,
    )


def demo_cart(rng: random.Random) -> dict[int, int]:
    """1–3 products for sale, each in a quantity its stock can give (one of a one-of-a-kind
    piece); empty when nothing is left. Must run in the unit of work that places the order."""
    rows = db.session.execute(
        select(Product.id, Product.on_hand - Product.allocated, Product.one_of_a_kind)
        .where(
            Product.status == "active",
            Product.hidden_at.is_(None),
            Product.on_hand > Product.allocated,
        )
        .order_by(Product.id)
    ).all()
    if not rows:
        return {}
    picks = rng.sample(rows, k=min(len(rows), rng.choice([1, 1, 2, 3])))
    return {pid: 1 if single else min(rng.choice([1, 1, 2]), left) for pid, left, single in picks}


def seed_demo_orders(count: int, rng: random.Random) -> int:
    """Place up to ``count`` orders over active products: about half paid (some of those
    shipped), a fifth awaiting payment, the rest expired. Returns how many were placed."""
    with unit_of_work():
        ensure_default_rates("demo")
    placed = 0
    for n in range(count):
        fate = rng.random()
        age = (
            timedelta(hours=rng.randrange(1, 20))
            if fate < 0.2
            else timedelta(days=rng.randrange(2, 40), hours=rng.randrange(24))
        )
        when = utcnow() - age
        try:
            with unit_of_work():
                items = demo_cart(rng)
                if not items:
                    break
                order, _ = place_order(
                    items,
                    _buyer(rng, n),
                    rng.choice(["jne", "jnt", "pos"]),
                    f"demo-{rng.getrandbits(64):016x}",
                    locale=rng.choice(["id", "id", "en"]),
                    now=when,
                )
        except (OutOfStock, CheckoutProblem, ShippingUnavailable):
            continue
        placed += 1
        if fate < 0.2:
            continue  # still awaiting payment, within its deadline
        with unit_of_work():
            if fate < 0.7:
                paid_at = when + timedelta(hours=rng.randrange(1, 20))
                confirm_bank_transfer(order.id, order.amount_due, "demo:admin", now=paid_at)
                if rng.random() < 0.5:
                    parts = (
                        db.session.execute(
                            select(FacilityOrder).where(FacilityOrder.order_id == order.id)
                        )
                        .scalars()
                        .all()
                    )
                    for part in parts:
                        orders.mark_part_packed(
                            part.id, "demo:staff", now=paid_at + timedelta(days=1)
                        )
                        tracking = f"{COURIER_PREFIX[part.courier]}{rng.randrange(10**11, 10**12)}"
                        orders.ship_part(
                            part.id, tracking, "demo:staff", now=paid_at + timedelta(days=2)
                        )
            else:
                orders.expire_order(order.id, when + timedelta(days=1, minutes=1), "demo:system")
    return placed
