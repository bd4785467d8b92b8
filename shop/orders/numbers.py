"""Order numbers (``KB-2611-7QX4``) and secret tracking tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from shop.extensions import db

# Crockford-style base32 without the look-alikes 0/O, 1/I/L and U.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
SUFFIX_LENGTH = 4


def candidate_number(now: datetime) -> str:
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(SUFFIX_LENGTH))
    return f"KB-{now:%y%m}-{suffix}"


def new_order_number(now: datetime, attempts: int = 20) -> str:
    """A number not used yet (the unique key still guards against a concurrent twin)."""
    from shop.orders.models import Order

    for _ in range(attempts):
        number = candidate_number(now)
        taken = db.session.execute(select(Order.id).where(Order.number == number)).first()
        if taken is None:
            return number
    raise RuntimeError("could not find a free order number")


def new_public_token() -> str:
    return secrets.token_urlsafe(24)
