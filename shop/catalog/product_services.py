"""Product management for facility staff: list, create, edit, change status.

Every function takes the acting facility's id explicitly and reaches rows only through
:mod:`shop.accounts.scoping`, so a product of another facility is simply not found.
Products are never deleted here: a product that may have orders is archived (it leaves
the catalog, its orders and settlements keep pointing at it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from shop.accounts.scoping import for_facility, get_for_facility
from shop.audit import services as audit
from shop.catalog.indexing import search_text_for
from shop.catalog.models import PRODUCT_STATUSES, Category, Product
from shop.core.paging import Page, paginate
from shop.extensions import db
from shop.facilities.models import Facility

# Allowed status changes; a published product goes back to draft or is archived.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("active", "archived"),
    "active": ("draft", "archived"),
    "archived": ("draft",),
}


class ProductError(ValueError):
    """A product change was refused; ``field`` names the form field it concerns."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class PublishError(ValueError):
    def __init__(self, problems: list) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class StaleProduct(RuntimeError):
    """Someone saved the product after this form was loaded; nothing was written."""

    def __init__(self, product_id: int) -> None:
        super().__init__(f"product {product_id} was changed by someone else")
        self.product_id = product_id


@dataclass
class ProductData:
    """What the product form edits (stock and photos have their own sections)."""

    name: str
    category_id: int
    sku: str
    price: int
    weight_grams: int
    description: str = ""
    technique: str = ""
    materials: str = ""
    dimensions: str = ""
    material_cost: int = 0
    one_of_a_kind: bool = False
    maker_name: str = ""
    maker_consent: bool = False

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def like_pattern(text: str) -> str:
    """A case-insensitive LIKE pattern for ``text`` (use with ``escape='\\\\'``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def list_products(
    facility_id: int, q: str = "", status: str = "", page: int = 1, per_page: int = 50
) -> Page:
    """The facility's products, newest first, filtered by text (name, SKU) and status."""
    stmt = for_facility(select(Product), Product.facility_id, facility_id)
    q = q.strip()
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(
            or_(
                func.lower(Product.name).like(pattern, escape="\\"),
                func.lower(Product.sku).like(pattern, escape="\\"),
            )
        )
    if status in PRODUCT_STATUSES:
        stmt = stmt.where(Product.status == status)
    stmt = stmt.options(joinedload(Product.category)).order_by(
        Product.created_at.desc(), Product.id.desc()
    )
    return paginate(stmt, page, per_page)


def status_counts(facility_id: int) -> dict[str, int]:
    rows = db.session.execute(
        for_facility(
            select(Product.status, func.count()).group_by(Product.status),
            Product.facility_id,
            facility_id,
        )
    )
    counts = dict.fromkeys(PRODUCT_STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


def get_product(facility_id: int, product_id: int, with_photos: bool = False) -> Product | None:
    options = [joinedload(Product.category)]
    if with_photos:
        options.append(selectinload(Product.photos))
    return get_for_facility(Product, product_id, facility_id, options=options)


def categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:120].rstrip("-") or "produk"


def unique_slug(name: str) -> str:
    """A slug from ``name``, with ``-2``, ``-3``… appended when it is taken."""
    base = slugify(name)
    taken = set(
        db.session.scalars(
            select(Product.slug).where(or_(Product.slug == base, Product.slug.like(f"{base}-%")))
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def normalize_sku(sku: str) -> str:
    return sku.strip().upper()


def _check(facility_id: int, data: ProductData, product_id: int | None = None) -> None:
    sku_owner = db.session.scalar(
        for_facility(select(Product.id), Product.facility_id, facility_id).where(
            Product.sku == data.sku
        )
    )
    if sku_owner is not None and sku_owner != product_id:
        raise ProductError(_l("Another product of this facility already has this SKU."), "sku")
    if db.session.get(Category, data.category_id) is None:
        raise ProductError(_l("Choose a category."), "category_id")
    if data.maker_name and not data.maker_consent:
        raise ProductError(
            _l("Name a maker only when they agreed to be named; tick the consent box."),
            "maker_consent",
        )
    if data.material_cost > data.price:
        raise ProductError(_l("Material cost cannot be more than the price."), "material_cost")


def refresh_search_text(product: Product) -> None:
    """Rebuild ``product.search_text`` from the product, its facility and its category
    (also called when a facility is renamed or moves city)."""
    facility = db.session.get(Facility, product.facility_id)
    category = db.session.get(Category, product.category_id)
    product.search_text = search_text_for(
        name=product.name,
        description=product.description,
        technique=product.technique,
        materials=product.materials,
        facility_name=facility.name if facility else "",
        facility_city=facility.city if facility else "",
        category_names=(category.name_id, category.name_en) if category else (),
    )


def set_facility_province(facility_id: int, province: str) -> int:
    """Copy a facility's new province onto its products (the listing filters and sorts
    by ``Product.province``); returns how many rows changed."""
    result = db.session.execute(
        update(Product)
        .where(Product.facility_id == facility_id, Product.province != province)
        .values(province=province)
    )
    return result.rowcount


def _apply(product: Product, data: ProductData) -> None:
    for name in ProductData.field_names():
        setattr(product, name, getattr(data, name))
    if not product.maker_consent:
        product.maker_name = ""
    refresh_search_text(product)


def _audit_values(product: Product) -> dict:
    return {name: getattr(product, name) for name in ProductData.field_names()}


def create_product(facility_id: int, data: ProductData, *, actor) -> Product:
    """A new draft product; ``actor`` (the staff user) is written to the audit log."""
    data.sku = normalize_sku(data.sku)
    _check(facility_id, data)
    product = Product(facility_id=facility_id, slug=unique_slug(data.name), status="draft")
    _apply(product, data)
    product.province = db.session.get(Facility, facility_id).province  # loaded by _apply
    db.session.add(product)
    db.session.flush()
    audit.record(
        actor,
        "product.create",
        "product",
        product.id,
        after={**_audit_values(product), "status": product.status},
        facility_id=facility_id,
    )
    return product


def update_product(product: Product, data: ProductData, expected_version: int, *, actor) -> Product:
    """Save the form over ``product`` unless someone saved it since ``expected_version``.

    The version also guards the write itself (``version_id_col``): a save that races
    another between this check and the UPDATE fails with :class:`StaleProduct` too.
    """
    if product.version != expected_version:
        raise StaleProduct(product.id)
    data.sku = normalize_sku(data.sku)
    _check(product.facility_id, data, product.id)
    old = _audit_values(product)
    _apply(product, data)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleProduct(product.id) from exc
    new = _audit_values(product)
    changed = [name for name in new if new[name] != old[name]]
    audit.record(
        actor,
        "product.update",
        "product",
        product.id,
        before={name: old[name] for name in changed},
        after={name: new[name] for name in changed},
        facility_id=product.facility_id,
    )
    return product


def differences(product: Product, data: ProductData) -> list[str]:
    """Names of the fields where the saved product differs from ``data``."""
    return [
        name for name in ProductData.field_names() if getattr(product, name) != getattr(data, name)
    ]


def photo_problems(product: Product, require_photo: bool) -> list:
    """Photo rules for publishing: at least one photo, and alt text on every photo.

    Enforced when ``require_photo`` is true (config ``PUBLISH_REQUIRES_PHOTO``); it stays
    off until staff can upload photos from the dashboard. ``product.photos`` must be loaded.
    """
    if not require_photo:
        return []
    if not product.photos:
        return [_l("Add at least one photo.")]
    if any(not photo.alt_text.strip() for photo in product.photos):
        return [_l("Describe every photo (alt text) for people who cannot see it.")]
    return []


def publish_problems(product: Product, require_photo: bool = False) -> list:
    """What stops ``product`` from being published; empty when it may go live."""
    problems = []
    if not product.name.strip():
        problems.append(_l("Give the product a name."))
    if not product.description.strip():
        problems.append(_l("Write a description."))
    if not product.price or product.price <= 0:
        problems.append(_l("Set a price."))
    if not product.weight_grams or product.weight_grams <= 0:
        problems.append(_l("Set the weight (needed for shipping)."))
    problems.extend(photo_problems(product, require_photo))
    return problems


def change_status(
    product: Product,
    target: str,
    expected_version: int | None = None,
    require_photo: bool = False,
    *,
    actor,
) -> Product:
    if expected_version is not None and product.version != expected_version:
        raise StaleProduct(product.id)
    if target not in TRANSITIONS.get(product.status, ()):
        raise ProductError(_l("That status change is not possible."), "status")
    if target == "active":
        facility = db.session.get(Facility, product.facility_id)
        if facility is not None and not facility.active:
            raise ProductError(
                _l("The facility is inactive: its products cannot be published for now."),
                "status",
            )
        problems = publish_problems(product, require_photo)
        if problems:
            raise PublishError(problems)
    before = product.status
    product.status = target
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleProduct(product.id) from exc
    audit.record(
        actor,
        "product.status",
        "product",
        product.id,
        before={"status": before},
        after={"status": target},
        facility_id=product.facility_id,
    )
    return product
