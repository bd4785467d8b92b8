"""Catalog rules for administrators: hide and unhide products, every facility's products
in one list, and the categories (create, rename, reorder, merge).

Every change writes one audit row with before and after (:func:`shop.audit.services.record`).
A hidden product leaves the public catalog, search, its page and every cart, whatever
status its facility set; the facility sees the reason on its product page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from shop.audit import services as audit
from shop.catalog.models import PRODUCT_STATUSES, Category, Product
from shop.catalog.product_services import like_pattern, refresh_search_text, slugify
from shop.core.paging import Page, paginate
from shop.extensions import db
from shop.sqltypes import utcnow

PER_PAGE = 50
MAX_REASON = 300


class ModerationError(ValueError):
    """A refused change; ``field`` names the form field it concerns."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


# ---- products ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFilter:
    facility_id: int | None = None
    category_id: int | None = None
    status: str = ""
    hidden: str = ""  # "1": hidden only, "0": visible only, "": both
    q: str = ""

    def as_args(self) -> dict:
        args = {
            "facility": self.facility_id,
            "category": self.category_id,
            "status": self.status or None,
            "hidden": self.hidden or None,
            "q": self.q or None,
        }
        return {k: v for k, v in args.items() if v is not None}


def list_products(f: ProductFilter, page: int = 1) -> Page:
    """Products of every facility, newest first, filtered."""
    stmt = select(Product).options(
        joinedload(Product.facility, innerjoin=True), joinedload(Product.category, innerjoin=True)
    )
    if f.facility_id is not None:
        stmt = stmt.where(Product.facility_id == f.facility_id)
    if f.category_id is not None:
        stmt = stmt.where(Product.category_id == f.category_id)
    if f.status in PRODUCT_STATUSES:
        stmt = stmt.where(Product.status == f.status)
    if f.hidden == "1":
        stmt = stmt.where(Product.hidden_at.is_not(None))
    elif f.hidden == "0":
        stmt = stmt.where(Product.hidden_at.is_(None))
    if f.q.strip():
        pattern = like_pattern(f.q.strip())
        stmt = stmt.where(
            or_(
                func.lower(Product.name).like(pattern, escape="\\"),
                func.lower(Product.sku).like(pattern, escape="\\"),
            )
        )
    stmt = stmt.order_by(Product.created_at.desc(), Product.id.desc())
    return paginate(stmt, page, PER_PAGE)


def get_product(product_id: int) -> Product | None:
    return db.session.scalar(
        select(Product)
        .where(Product.id == product_id)
        .options(joinedload(Product.facility), joinedload(Product.category))
    )


def hide_product(product_id: int, reason: str, actor) -> Product:
    """Take a product out of the public shop; ``reason`` is shown to its facility."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise LookupError(product_id)
    reason = _clean(reason, MAX_REASON)
    if not reason:
        raise ModerationError(
            _l("Write why the product is hidden; its facility sees it."), "reason"
        )
    if product.hidden_at is not None:
        raise ModerationError(_l("This product is already hidden."))
    product.hidden_at = utcnow()
    product.hidden_reason = reason
    db.session.flush()
    audit.record(
        actor,
        "product.hide",
        "product",
        product.id,
        before={"hidden": False},
        after={"hidden": True, "hidden_reason": reason},
        facility_id=product.facility_id,
        note=reason,
    )
    return product


def unhide_product(product_id: int, actor) -> Product:
    """Let a hidden product back into the shop (if its facility has it published)."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise LookupError(product_id)
    if product.hidden_at is None:
        raise ModerationError(_l("This product is not hidden."))
    before = {"hidden": True, "hidden_reason": product.hidden_reason}
    product.hidden_at = None
    product.hidden_reason = ""
    db.session.flush()
    audit.record(
        actor,
        "product.unhide",
        "product",
        product.id,
        before=before,
        after={"hidden": False},
        facility_id=product.facility_id,
    )
    return product


# ---- categories -------------------------------------------------------------------------


def categories_with_counts() -> list[tuple[Category, int]]:
    """Every category in its order, with its number of products (any status)."""
    counts = (
        select(Product.category_id, func.count().label("n"))
        .group_by(Product.category_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Category, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == Category.id)
        .order_by(Category.position, Category.id)
    )
    return [(category, n) for category, n in rows]


def _names(name_id: str, name_en: str) -> tuple[str, str]:
    name_id, name_en = _clean(name_id, 120), _clean(name_en, 120)
    if not name_id:
        raise ModerationError(_l("Write the name in Indonesian."), "name_id")
    if not name_en:
        raise ModerationError(_l("Write the name in English."), "name_en")
    return name_id, name_en


def _unique_category_slug(name: str) -> str:
    base = slugify(name)[:70].rstrip("-") or "kategori"
    taken = set(db.session.scalars(select(Category.slug).where(Category.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _taken_name(name_id: str, except_id: int | None = None) -> bool:
    stmt = select(Category.id).where(func.lower(Category.name_id) == name_id.lower())
    if except_id is not None:
        stmt = stmt.where(Category.id != except_id)
    return db.session.scalar(stmt.limit(1)) is not None


def create_category(name_id: str, name_en: str, actor) -> Category:
    name_id, name_en = _names(name_id, name_en)
    if _taken_name(name_id):
        raise ModerationError(_l("A category with this name exists already."), "name_id")
    last = db.session.scalar(select(func.max(Category.position))) or 0
    category = Category(
        slug=_unique_category_slug(name_id), name_id=name_id, name_en=name_en, position=last + 1
    )
    db.session.add(category)
    db.session.flush()
    audit.record(
        actor,
        "category.create",
        "category",
        category.id,
        after={"name_id": name_id, "name_en": name_en, "position": category.position},
    )
    return category


def _category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise LookupError(category_id)
    return category


def _refresh_products_of(category_id: int) -> None:
    """Search text holds the category's names: rewrite it for its products."""
    for product in db.session.scalars(select(Product).where(Product.category_id == category_id)):
        refresh_search_text(product)
    db.session.flush()


def rename_category(category_id: int, name_id: str, name_en: str, actor) -> Category:
    category = _category(category_id)
    name_id, name_en = _names(name_id, name_en)
    if _taken_name(name_id, except_id=category.id):
        raise ModerationError(_l("A category with this name exists already."), "name_id")
    before, after = audit.changes(
        category, ["name_id", "name_en"], {"name_id": name_id, "name_en": name_en}
    )
    if not after:
        raise ModerationError(_l("The names are unchanged."), "name_id")
    category.name_id, category.name_en = name_id, name_en
    db.session.flush()
    _refresh_products_of(category.id)
    audit.record(actor, "category.rename", "category", category.id, before=before, after=after)
    return category


def move_category(category_id: int, direction: str, actor) -> Category:
    """Move a category one place up or down in the shop's order (positions renumbered)."""
    if direction not in ("up", "down"):
        raise ModerationError(_l("Choose up or down."))
    ordered = list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))
    index = next((i for i, c in enumerate(ordered) if c.id == category_id), None)
    if index is None:
        raise LookupError(category_id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        raise ModerationError(_l("This category is already at that end of the list."))
    category = ordered[index]
    before = index + 1
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    db.session.flush()
    audit.record(
        actor,
        "category.move",
        "category",
        category.id,
        before={"position": before},
        after={"position": other + 1},
    )
    return category


def merge_category(source_id: int, target_id: int, actor) -> int:
    """Move every product of ``source`` into ``target`` and delete ``source``; returns how
    many products moved."""
    if source_id == target_id:
        raise ModerationError(_l("Choose another category to merge into."), "target")
    source, target = _category(source_id), _category(target_id)
    moved = list(db.session.scalars(select(Product.id).where(Product.category_id == source.id)))
    db.session.execute(
        update(Product.__table__)
        .where(Product.__table__.c.category_id == source.id)
        .values(category_id=target.id)
    )
    db.session.expire_all()
    _refresh_products_of(target.id)
    before = {"name_id": source.name_id, "name_en": source.name_en, "slug": source.slug}
    db.session.delete(source)
    db.session.flush()
    audit.record(
        actor,
        "category.merge",
        "category",
        source_id,
        before={**before, "products": moved},
        after={"merged_into": target.id, "merged_into_name": target.name_id},
    )
    return len(moved)
