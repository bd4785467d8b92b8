"""Shipping fees from the editable rate table: weight (started kilograms) × zone × courier."""

from __future__ import annotations

import math

from sqlalchemy import select

from shop.extensions import db
from shop.shipping.models import ShippingRate
from shop.shipping.zones import ZONES, zone_between

COURIER_NAMES = {"jne": "JNE", "jnt": "J&T Express", "pos": "POS Indonesia"}

# Starting table (rupiah): courier → zone → (first kg, each further kg).
DEFAULT_RATES: dict[str, dict[int, tuple[int, int]]] = {
    "jne": {1: (10_000, 6_000), 2: (18_000, 12_000), 3: (35_000, 28_000), 4: (75_000, 60_000)},
    "jnt": {1: (9_000, 6_000), 2: (17_000, 12_000), 3: (33_000, 27_000), 4: (72_000, 58_000)},
    "pos": {1: (8_000, 5_000), 2: (15_000, 10_000), 3: (30_000, 24_000), 4: (65_000, 52_000)},
}


class ShippingUnavailable(Exception):
    """No rate for this courier and zone."""


def billable_kg(weight_grams: int) -> int:
    """Couriers charge each started kilogram, at least one."""
    return max(1, math.ceil(weight_grams / 1000))


def courier_rates(courier: str) -> dict[int, ShippingRate]:
    """The courier's rate per zone, in one query (a checkout with several parcels)."""
    rows = db.session.execute(select(ShippingRate).where(ShippingRate.courier == courier))
    return {rate.zone: rate for rate in rows.scalars()}


def fee_for(
    courier: str,
    origin_province: str,
    destination_province: str,
    weight_grams: int,
    rates: dict[int, ShippingRate] | None = None,
):
    """(zone, fee) for one parcel; raises :class:`ShippingUnavailable`. ``rates`` from
    :func:`courier_rates` saves the lookup when several parcels are priced together."""
    zone = zone_between(origin_province, destination_province)
    if rates is None:
        rates = courier_rates(courier)
    rate = rates.get(zone)
    if rate is None:
        raise ShippingUnavailable(courier, zone)
    kg = billable_kg(weight_grams)
    return zone, rate.first_kg + (kg - 1) * rate.next_kg


def rates_by_key() -> dict[tuple[str, int], ShippingRate]:
    rows = db.session.execute(select(ShippingRate)).scalars()
    return {(r.courier, r.zone): r for r in rows}


def set_rate(courier: str, zone: int, first_kg: int, next_kg: int, actor: str) -> ShippingRate:
    """Create or change one rate (the admin screen and the CLI call this)."""
    if courier not in COURIER_NAMES:
        raise ValueError(f"unknown courier {courier!r}")
    if zone not in ZONES:
        raise ValueError(f"unknown zone {zone!r}")
    if first_kg <= 0 or next_kg < 0:
        raise ValueError("fees must be positive rupiah")
    rate = db.session.execute(
        select(ShippingRate).where(ShippingRate.courier == courier, ShippingRate.zone == zone)
    ).scalar_one_or_none()
    if rate is None:
        rate = ShippingRate(courier=courier, zone=zone)
        db.session.add(rate)
    rate.first_kg, rate.next_kg, rate.updated_by = first_kg, next_kg, actor
    db.session.flush()
    return rate


def ensure_default_rates(actor: str = "seed") -> int:
    """Insert the default rate for every (courier, zone) that has none; returns how many."""
    existing = rates_by_key()
    added = 0
    for courier, zones in DEFAULT_RATES.items():
        for zone, (first_kg, next_kg) in zones.items():
            if (courier, zone) not in existing:
                db.session.add(
                    ShippingRate(
                        courier=courier,
                        zone=zone,
                        first_kg=first_kg,
                        next_kg=next_kg,
                        updated_by=actor,
                    )
                )
                added += 1
    db.session.flush()
    return added
