"""Photo management for a product of the staff member's facility.

The rules of a photo (pipeline, storage, order, deletion) are :mod:`shop.media.services`';
this module adds what the dashboard form needs: several files in one request, each
accepted or refused on its own (a bad file never loses the good ones), and the small
actions of one photo card (alt text, move, main, delete).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.extensions import db
from shop.media import services as media
from shop.media.models import ProductPhoto

MAX_FILES_PER_UPLOAD = 20
MAX_PHOTOS_PER_PRODUCT = 20
ACTIONS = ("save", "up", "down", "main", "delete")


@dataclass(frozen=True)
class UploadResult:
    filename: str
    accepted: bool
    reason: str = ""


def _count(product_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(ProductPhoto)
            .where(ProductPhoto.product_id == product_id)
        )
        or 0
    )


def _display_name(filename: str | None, index: int) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:80] or f"#{index}"


def upload_photos(product_id: int, files: Iterable[tuple[str | None, IO[bytes]]]):
    """Run every file through the pipeline; one result per file, in the order given.

    The product must already be known to belong to the acting facility.
    """
    results: list[UploadResult] = []
    room = MAX_PHOTOS_PER_PRODUCT - _count(product_id)
    for index, (filename, stream) in enumerate(files, start=1):
        name = _display_name(filename, index)
        if index > MAX_FILES_PER_UPLOAD:
            reason = _l("at most %(n)s files at once", n=MAX_FILES_PER_UPLOAD)
            results.append(UploadResult(name, False, str(reason)))
            continue
        if room <= 0:
            reason = _l("a product has at most %(n)s photos", n=MAX_PHOTOS_PER_PRODUCT)
            results.append(UploadResult(name, False, str(reason)))
            continue
        try:
            with db.session.begin_nested():
                media.add_photo(product_id, stream)
        except media.PhotoRejected as refusal:
            results.append(UploadResult(name, False, str(refusal)))
            continue
        room -= 1
        results.append(UploadResult(name, True))
    return results


def photos_of(product_id: int) -> list[ProductPhoto]:
    return list(
        db.session.scalars(
            select(ProductPhoto)
            .where(ProductPhoto.product_id == product_id)
            .order_by(ProductPhoto.position, ProductPhoto.id)
        )
    )


def photo_action(product_id: int, photo_id: int, action: str, alt_text: str | None) -> str:
    """Apply one card action; the alt text typed in the card is kept whatever the button.

    Returns what was done ("saved", "moved", "main", "deleted", "unchanged").
    Raises ``LookupError`` when the photo is not the product's, ``ValueError`` for an
    unknown action.
    """
    if action not in ACTIONS:
        raise ValueError(action)
    ids = [p.id for p in photos_of(product_id)]
    if photo_id not in ids:
        raise LookupError(photo_id)
    if action == "delete":
        media.delete_photo(product_id, photo_id)
        return "deleted"
    done = "unchanged"
    if alt_text is not None:
        photo = db.session.get(ProductPhoto, photo_id)
        if photo.alt_text != " ".join(alt_text.split())[:300]:
            media.update_alt_text(product_id, photo_id, " ".join(alt_text.split()))
            done = "saved"
    if action == "main" and ids[0] != photo_id:
        media.set_main_photo(product_id, photo_id)
        return "main"
    if action in ("up", "down"):
        i = ids.index(photo_id)
        j = i - 1 if action == "up" else i + 1
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
            media.reorder_photos(product_id, ids)
            return "moved"
    return done
