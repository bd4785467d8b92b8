"""Photo management for a product of the staff member's facility.

The rules of a photo (pipeline, storage, order, deletion) are :mod:`shop.media.services`';
this module adds what the dashboard form needs: several files in one request, each
accepted or refused on its own (a bad file never loses the good ones), and the small
actions of one photo card (alt text, move, main, delete).

One request does a bounded amount of work, so that it ends well before the server's
worker timeout (``gunicorn.conf.py``) instead of being killed there with every photo
lost: at most :data:`MAX_FILES_PER_UPLOAD` files, at most ``UploadLimits.megapixels``
declared pixels (read from each header before decoding), and no new photo started after
``UploadLimits.seconds``. A file over a limit is refused with the reason and can be sent
again; the first file of a request is always processed (one photo is within the bounds
by the pipeline's own limits). With JavaScript the form sends one file per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from shop.audit import services as audit
from shop.extensions import db
from shop.media import services as media
from shop.media.models import ProductPhoto
from shop.media.pipeline import (
    DEFAULT_MAX_UPLOAD_MB,
    ProcessedPhoto,
    declared_pixels,
    read_upload,
)

MAX_FILES_PER_UPLOAD = 20
MAX_PHOTOS_PER_PRODUCT = 20
DEFAULT_UPLOAD_MEGAPIXELS = 100  # per request: ~4 s of decoding on one slow core
DEFAULT_UPLOAD_SECONDS = 20.0  # no new photo is started after this (gunicorn: 60 s)
ACTIONS = ("save", "up", "down", "main", "delete")


@dataclass(frozen=True)
class UploadResult:
    filename: str
    accepted: bool
    reason: str = ""


@dataclass(frozen=True)
class UploadLimits:
    """How much one request may take on (see the module docstring)."""

    files: int = MAX_FILES_PER_UPLOAD
    megapixels: int = DEFAULT_UPLOAD_MEGAPIXELS
    seconds: float = DEFAULT_UPLOAD_SECONDS
    file_mb: int = DEFAULT_MAX_UPLOAD_MB

    @classmethod
    def from_config(cls, config) -> UploadLimits:
        return cls(
            megapixels=int(config.get("PHOTO_UPLOAD_MEGAPIXELS", DEFAULT_UPLOAD_MEGAPIXELS)),
            seconds=float(config.get("PHOTO_UPLOAD_SECONDS", DEFAULT_UPLOAD_SECONDS)),
            file_mb=int(config.get("MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)),
        )


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


def _over_limit(limits: UploadLimits, index: int, room: int, busy_for: float | None):
    """Why the ``index``-th file of the request is not taken on, or None; ``busy_for`` is
    how long the request has been decoding (None while no file was decoded yet)."""
    if index > limits.files:
        return _l("at most %(n)s files at once: upload it again", n=limits.files)
    if room <= 0:
        return _l("a product has at most %(n)s photos", n=MAX_PHOTOS_PER_PRODUCT)
    if busy_for is not None and busy_for > limits.seconds:
        return _l("not processed: this upload ran out of time; upload it again")
    return None


@dataclass(frozen=True)
class PreparedUpload:
    """One file of an upload after the pipeline: refused with a reason, or processed."""

    filename: str
    processed: ProcessedPhoto | None
    reason: str = ""


def prepare_uploads(
    product_id: int,
    files: Iterable[tuple[str | None, IO[bytes]]],
    limits: UploadLimits | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> list[PreparedUpload]:
    """Run every file through the pipeline, in the order given, writing no table (so the
    decoding holds no write lock); files beyond ``limits`` are refused with the reason,
    not processed (see the module docstring). :func:`attach_uploads` adds the photos."""
    limits = limits or UploadLimits()
    prepared: list[PreparedUpload] = []
    room = MAX_PHOTOS_PER_PRODUCT - _count(product_id)
    started = clock()
    pixels = 0
    decoded = 0  # files handed to the pipeline so far
    for index, (filename, stream) in enumerate(files, start=1):
        name = _display_name(filename, index)
        reason = _over_limit(limits, index, room, clock() - started if decoded else None)
        if reason is None:
            try:
                data = read_upload(stream, limits.file_mb)
            except media.PhotoRejected as refusal:
                reason = refusal.message
            else:
                declared = declared_pixels(data) or 0
                if decoded and pixels + declared > limits.megapixels * 1_000_000:
                    reason = _l(
                        "not processed: at most %(mp)s megapixels per upload; upload it again",
                        mp=limits.megapixels,
                    )
        if reason is not None:
            prepared.append(PreparedUpload(name, None, str(reason)))
            continue
        pixels += declared
        decoded += 1
        try:
            processed = media.prepare_photo(data)
        except media.PhotoRejected as refusal:
            prepared.append(PreparedUpload(name, None, str(refusal)))
            continue
        room -= 1
        prepared.append(PreparedUpload(name, processed))
    return prepared


def attach_uploads(
    product_id: int, prepared: list[PreparedUpload], *, actor=None, facility_id: int | None = None
) -> list[UploadResult]:
    """Add the processed photos to the product (inside the caller's write transaction,
    where the photo count is read again: a concurrent upload cannot pass the limit)."""
    results: list[UploadResult] = []
    room = MAX_PHOTOS_PER_PRODUCT - _count(product_id)
    for upload in prepared:
        if upload.processed is None:
            results.append(UploadResult(upload.filename, False, upload.reason))
        elif room <= 0:
            reason = _l("a product has at most %(n)s photos", n=MAX_PHOTOS_PER_PRODUCT)
            results.append(UploadResult(upload.filename, False, str(reason)))
        else:
            media.attach_photo(product_id, upload.processed)
            room -= 1
            results.append(UploadResult(upload.filename, True))
    added = [r.filename for r in results if r.accepted]
    if actor is not None and added:
        audit.record(
            actor,
            "photo.add",
            "product",
            product_id,
            after={"photos": added},
            facility_id=facility_id,
        )
    return results


def photos_of(product_id: int) -> list[ProductPhoto]:
    return list(
        db.session.scalars(
            select(ProductPhoto)
            .where(ProductPhoto.product_id == product_id)
            .order_by(ProductPhoto.position, ProductPhoto.id)
        )
    )


def photo_action(
    product_id: int,
    photo_id: int,
    action: str,
    alt_text: str | None,
    *,
    actor=None,
    facility_id: int | None = None,
) -> str:
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
    old_alt = db.session.scalar(select(ProductPhoto.alt_text).where(ProductPhoto.id == photo_id))
    done = _photo_action(product_id, photo_id, action, alt_text, ids)
    if actor is not None and done != "unchanged":
        new_alt = db.session.scalar(
            select(ProductPhoto.alt_text).where(ProductPhoto.id == photo_id)
        )
        audit.record(
            actor,
            f"photo.{done}",
            "product",
            product_id,
            before={"photo_id": photo_id, "order": ids, "alt_text": old_alt},
            after={
                "photo_id": photo_id,
                "order": [p.id for p in photos_of(product_id)],
                "alt_text": new_alt,
            },
            facility_id=facility_id,
        )
    return done


def _photo_action(product_id, photo_id, action, alt_text, ids) -> str:
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
