"""Builders for the dashboard tests: photo rows, paid orders, JPEG bytes."""

from __future__ import annotations

import io
import itertools
import secrets

from order_helpers import place
from PIL import Image

from shop.extensions import db
from shop.media.models import ProductPhoto
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.uow import begin_write

_seq = itertools.count(1)


def photo_row(product, alt: str = "Kain batik terlipat", position: int | None = None):
    """A photo row without files (enough for publish checks and pages)."""
    n = next(_seq)
    photo = ProductPhoto(
        product_id=product.id,
        position=n if position is None else position,
        alt_text=alt,
        content_hash=f"{n:08d}" + "d" * 24,
        width=1600,
        height=1200,
        widths=[400, 800, 1600],
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def paid_order(items: dict[int, int], **kw):
    """Place an order through checkout and confirm its bank transfer (committed)."""
    order = place(items, key=secrets.token_hex(12), **kw)
    begin_write()
    confirm_bank_transfer(order.id, order.amount_due, "admin:1", "BRI test")
    db.session.commit()
    return order


def noisy_jpeg(size=(1200, 900), seed: int = 1, quality: int = 85) -> bytes:
    """A photo-like JPEG (noise over a gradient), different for each seed."""
    w, h = size
    noise = Image.effect_noise((w, h), 40 + seed).convert("RGB")
    gradient = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    im = Image.blend(noise, gradient, 0.5)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality)
    return out.getvalue()
