"""Photo rules: add (through the pipeline), delete, reorder, choose the main photo.

Files are named by content hash, so two photos (of one product or of several) may
share them; a file is removed only when no photo row uses its hash any more, and only
after the transaction that deleted the last such row has committed (a rollback keeps
the row, so it must keep the files too).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from shop.catalog.models import Product
from shop.extensions import db
from shop.media.models import ProductPhoto
from shop.media.pipeline import (
    DEFAULT_MAX_UPLOAD_MB,
    PhotoRejected,
    ProcessedPhoto,
    process_upload,
)
from shop.media.storage import Storage, get_storage

__all__ = [
    "PhotoRejected",
    "add_photo",
    "attach_photo",
    "delete_photo",
    "prepare_photo",
    "reorder_photos",
    "set_main_photo",
    "store_processed",
    "update_alt_text",
]

_PENDING = "media_pending_deletes"


def store_processed(processed: ProcessedPhoto, storage: Storage | None = None) -> None:
    """Write the variants the storage does not hold yet (identical names = identical bytes)."""
    storage = storage or get_storage()
    for name, data in processed.files.items():
        if not storage.exists(name):
            storage.save(name, data)


def _next_position(product_id: int) -> int:
    last = db.session.scalar(
        select(func.max(ProductPhoto.position)).where(ProductPhoto.product_id == product_id)
    )
    return 0 if last is None else last + 1


def prepare_photo(data: bytes | IO[bytes], *, storage: Storage | None = None) -> ProcessedPhoto:
    """Run an upload through the pipeline and store its variants; touches no table, so
    the slow part happens outside any write transaction. Raises :class:`PhotoRejected`."""
    max_mb = int(current_app.config.get("MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    processed = process_upload(data, max_mb=max_mb)
    store_processed(processed, storage)
    return processed


def attach_photo(product_id: int, processed: ProcessedPhoto, alt_text: str = "") -> ProductPhoto:
    """Append a prepared photo to the product's photos (``LookupError`` if no product)."""
    if db.session.get(Product, product_id) is None:
        raise LookupError(f"no product {product_id}")
    photo = ProductPhoto(
        product_id=product_id,
        position=_next_position(product_id),
        alt_text=(alt_text or "").strip()[:300],
        content_hash=processed.content_hash,
        width=processed.width,
        height=processed.height,
        widths=processed.widths,
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def add_photo(
    product_id: int,
    data: bytes | IO[bytes],
    alt_text: str = "",
    *,
    storage: Storage | None = None,
) -> ProductPhoto:
    """Clean and store an uploaded photo and append it to the product's photos.

    Raises :class:`PhotoRejected` (its message says why) for anything the pipeline
    refuses, and ``LookupError`` for an unknown product.
    """
    if db.session.get(Product, product_id) is None:
        raise LookupError(f"no product {product_id}")
    return attach_photo(product_id, prepare_photo(data, storage=storage), alt_text)


def _photo_of(product_id: int, photo_id: int) -> ProductPhoto:
    photo = db.session.get(ProductPhoto, photo_id)
    if photo is None or photo.product_id != product_id:
        raise LookupError(f"no photo {photo_id} on product {product_id}")
    return photo


def _photos(product_id: int) -> list[ProductPhoto]:
    return list(
        db.session.scalars(
            select(ProductPhoto)
            .where(ProductPhoto.product_id == product_id)
            .order_by(ProductPhoto.position, ProductPhoto.id)
        )
    )


def _renumber(photos: list[ProductPhoto]) -> None:
    for position, photo in enumerate(photos):
        if photo.position != position:
            photo.position = position


def delete_photo(product_id: int, photo_id: int, *, storage: Storage | None = None) -> None:
    """Remove a photo; its files go (after commit) unless another photo uses the same hash."""
    photo = _photo_of(product_id, photo_id)
    content_hash, widths = photo.content_hash, list(photo.widths)
    db.session.delete(photo)
    db.session.flush()
    _renumber(_photos(product_id))
    db.session.flush()
    still_used = db.session.scalar(
        select(ProductPhoto.id).where(ProductPhoto.content_hash == content_hash).limit(1)
    )
    if still_used is None:
        names = [f"{content_hash}-{w}.{ext}" for w in widths for ext in ("webp", "jpg")]
        _delete_after_commit(db.session(), names, storage or get_storage())


def reorder_photos(product_id: int, ordered_ids: Iterable[int]) -> list[ProductPhoto]:
    """Put the product's photos in the given order; the ids must be exactly its photos."""
    ordered = [int(i) for i in ordered_ids]
    photos = {photo.id: photo for photo in _photos(product_id)}
    if len(ordered) != len(set(ordered)) or set(ordered) != set(photos):
        raise ValueError("the new order must list each of the product's photos once")
    result = [photos[i] for i in ordered]
    _renumber(result)
    db.session.flush()
    return result


def set_main_photo(product_id: int, photo_id: int) -> list[ProductPhoto]:
    """Move one photo to the front, keeping the others in their order."""
    photo = _photo_of(product_id, photo_id)
    others = [p.id for p in _photos(product_id) if p.id != photo.id]
    return reorder_photos(product_id, [photo.id, *others])


def update_alt_text(product_id: int, photo_id: int, alt_text: str) -> ProductPhoto:
    photo = _photo_of(product_id, photo_id)
    photo.alt_text = (alt_text or "").strip()[:300]
    db.session.flush()
    return photo


# --- deferred file deletion ---------------------------------------------------------


def _delete_after_commit(session: Session, names: list[str], storage: Storage) -> None:
    session.info.setdefault(_PENDING, []).append((storage, names))


@event.listens_for(Session, "after_commit")
def _run_pending_deletes(session: Session) -> None:
    for storage, names in session.info.pop(_PENDING, []):
        for name in names:
            try:
                storage.delete(name)
            except OSError:  # pragma: no cover - a leftover file is harmless
                current_app.logger.warning("could not delete photo file %s", name)


@event.listens_for(Session, "after_rollback")
def _forget_pending_deletes(session: Session) -> None:
    session.info.pop(_PENDING, None)
