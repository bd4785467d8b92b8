"""Makers of a facility: record (with consent), edit, retire, link to products.

Every function takes the acting facility's id (or a maker already found through it)
explicitly; products and makers of another facility are simply not found. Each change
writes one audit row with before and after.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select

from shop.accounts.scoping import for_facility, get_for_facility
from shop.audit.services import record
from shop.catalog.models import Product
from shop.extensions import db
from shop.makers.models import Maker, product_maker
from shop.sqltypes import utcnow

MAX_NAME = 80


class MakerError(ValueError):
    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def _check(name: str, consent_on: date | None, today: date | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise MakerError(_l("Write a first name or a pseudonym."), "name")
    if len(name) > MAX_NAME:
        raise MakerError(_l("At most 80 characters."), "name")
    if consent_on is None:
        raise MakerError(_l("Write the day the maker agreed."), "consent_on")
    if today is not None and consent_on > today:
        raise MakerError(_l("The day of consent cannot be in the future."), "consent_on")
    return name


def makers(facility_id: int, *, include_retired: bool = True) -> list[Maker]:
    stmt = for_facility(select(Maker), Maker.facility_id, facility_id)
    if not include_retired:
        stmt = stmt.where(Maker.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Maker.active.desc(), Maker.name, Maker.id)))


def get_maker(facility_id: int, maker_id: int) -> Maker | None:
    return get_for_facility(Maker, maker_id, facility_id)


def create_maker(
    actor, facility_id: int, name: str, consent_on: date | None, *, today: date | None = None
) -> Maker:
    """Record a maker by the name they agreed to show; who recorded the consent is kept."""
    name = _check(name, consent_on, today)
    maker = Maker(
        facility_id=facility_id,
        name=name,
        consent_on=consent_on,
        consent_recorded_by_id=getattr(actor, "id", None),
        consent_recorded_by=(getattr(actor, "email", None) or str(actor))[:254],
        active=True,
        created_at=utcnow(),
    )
    db.session.add(maker)
    db.session.flush()
    record(
        actor,
        "maker.create",
        "maker",
        maker.id,
        before={},
        after={"name": name, "consent_on": consent_on, "active": True},
        facility_id=facility_id,
    )
    return maker


def update_maker(
    actor, maker: Maker, name: str, consent_on: date | None, *, today: date | None = None
) -> Maker:
    name = _check(name, consent_on, today)
    before, after = {}, {}
    for field, value in (("name", name), ("consent_on", consent_on)):
        if getattr(maker, field) != value:
            before[field], after[field] = getattr(maker, field), value
            setattr(maker, field, value)
    if not after:
        return maker
    if "consent_on" in after:
        maker.consent_recorded_by_id = getattr(actor, "id", None)
        maker.consent_recorded_by = (getattr(actor, "email", None) or str(actor))[:254]
    db.session.flush()
    record(
        actor,
        "maker.update",
        "maker",
        maker.id,
        before=before,
        after=after,
        facility_id=maker.facility_id,
    )
    return maker


def set_active(actor, maker: Maker, active: bool) -> Maker:
    """Retire a maker (they stay linked to what they made) or bring them back."""
    if maker.active == active:
        raise MakerError(
            _l("The maker is already active.") if active else _l("The maker is already retired.")
        )
    maker.active = active
    db.session.flush()
    record(
        actor,
        "maker.reinstate" if active else "maker.retire",
        "maker",
        maker.id,
        before={"active": not active},
        after={"active": active},
        facility_id=maker.facility_id,
    )
    return maker


def product_ids(maker_id: int) -> list[int]:
    return sorted(
        db.session.scalars(
            select(product_maker.c.product_id).where(product_maker.c.maker_id == maker_id)
        )
    )


def product_choices(facility_id: int) -> list[tuple[int, str]]:
    """The facility's products that can be linked (not archived), by name."""
    stmt = for_facility(
        select(Product.id, Product.name, Product.sku), Product.facility_id, facility_id
    ).where(Product.status != "archived")
    return [
        (pid, f"{name} ({sku})")
        for pid, name, sku in db.session.execute(stmt.order_by(Product.name, Product.id))
    ]


def set_products(actor, maker: Maker, wanted: Iterable[int]) -> list[int]:
    """Link ``maker`` to exactly the ``wanted`` products of its facility (others of the
    facility unlinked; archived products keep their links). Returns the linked ids."""
    wanted = set(wanted)
    allowed = (
        {
            pid
            for pid in db.session.scalars(
                for_facility(select(Product.id), Product.facility_id, maker.facility_id).where(
                    Product.id.in_(wanted)
                )
            )
        }
        if wanted
        else set()
    )
    if wanted - allowed:
        raise MakerError(_l("Choose products of your own facility."), "products")
    current = set(product_ids(maker.id))
    choosable = {pid for pid, _label in product_choices(maker.facility_id)}
    to_remove = (current - wanted) & choosable
    to_add = wanted - current
    if not to_remove and not to_add:
        return sorted(current)
    if to_remove:
        db.session.execute(
            delete(product_maker).where(
                product_maker.c.maker_id == maker.id, product_maker.c.product_id.in_(to_remove)
            )
        )
    if to_add:
        db.session.execute(
            insert(product_maker), [{"maker_id": maker.id, "product_id": p} for p in to_add]
        )
    after = sorted((current - to_remove) | to_add)
    record(
        actor,
        "maker.products",
        "maker",
        maker.id,
        before={"products": sorted(current)},
        after={"products": after},
        facility_id=maker.facility_id,
    )
    return after


def makers_of_product(product_id: int) -> list[Maker]:
    """The makers linked to a product (for settlements: premi split per maker)."""
    return list(
        db.session.scalars(
            select(Maker)
            .join(product_maker, product_maker.c.maker_id == Maker.id)
            .where(product_maker.c.product_id == product_id)
            .order_by(Maker.id)
        )
    )
