"""Facility rules shared by the money core, the dashboard and the admin area.

The revenue split is dated: ``facility_split`` rows say from which day (in Jakarta) a
split applies; :func:`split_at` names the one in force at a moment, so a part paid
before a change keeps the split it was sold under. The facility's own ``*_pct`` columns
are the base split, for days before its first dated row.

Deactivating a facility takes its published products out of the shop (they go back to
draft, remembered in ``facility_paused_product``) so every public query and the search
index, which all read ``product.status``, drop them at once; its orders stay as they are.
Reactivating publishes exactly those products again (unless staff archived one since).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta, timezone
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from shop.audit.services import changes, record
from shop.catalog.models import Product
from shop.extensions import db
from shop.facilities.models import (
    FACILITY_KINDS,
    Facility,
    FacilityPausedProduct,
    FacilitySplit,
)
from shop.sqltypes import utcnow

try:
    from zoneinfo import ZoneInfo

    JAKARTA: Any = ZoneInfo("Asia/Jakarta")
except Exception:  # pragma: no cover - no tz database: WIB has been UTC+7 since 1964
    JAKARTA = timezone(timedelta(hours=7), "WIB")

DEFAULT_SPLIT = (50, 15, 35)


@dataclass(frozen=True)
class Split:
    """Whole percentages of a sale's profit: makers' premi, PNBP, production capital."""

    premi_pct: int
    pnbp_pct: int
    capital_pct: int


class FacilityError(ValueError):
    """A facility change was refused; ``field`` names the form field it concerns."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def jakarta_date(when: datetime) -> date:
    if when.tzinfo is None:  # naive datetimes in this code base are UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(JAKARTA).date()


# --------------------------------------------------------------------------- the split


def split_at(facility_id: int, when: datetime) -> Split:
    """The revenue split in force for ``facility_id`` at ``when``: the dated split with the
    latest ``valid_from`` on or before ``when``'s date in Jakarta, else the facility's base
    split.

    The money core copies it onto an order part when the part is paid, so a later change
    of percentages never rewrites history.
    """
    row = db.session.execute(
        select(FacilitySplit.premi_pct, FacilitySplit.pnbp_pct, FacilitySplit.capital_pct)
        .where(
            FacilitySplit.facility_id == facility_id,
            FacilitySplit.valid_from <= jakarta_date(when),
        )
        .order_by(FacilitySplit.valid_from.desc())
        .limit(1)
    ).first()
    if row is not None:
        return Split(*row)
    facility = db.session.get(Facility, facility_id)
    return Split(facility.premi_pct, facility.pnbp_pct, facility.capital_pct)


def split_now(facility_id: int) -> Split:
    return split_at(facility_id, utcnow())


def split_history(facility_id: int) -> list[FacilitySplit]:
    """Every dated split of the facility, newest first."""
    return list(
        db.session.scalars(
            select(FacilitySplit)
            .where(FacilitySplit.facility_id == facility_id)
            .order_by(FacilitySplit.valid_from.desc())
        )
    )


def check_split(premi: int, pnbp: int, capital: int) -> Split:
    for value in (premi, pnbp, capital):
        if value is None or not 0 <= value <= 100:
            raise FacilityError(_l("Each share is a whole percentage from 0 to 100."), "premi_pct")
    if premi + pnbp + capital != 100:
        raise FacilityError(
            _l(
                "The three shares must add up to 100%% (now %(total)d%%).",
                total=premi + pnbp + capital,
            ),
            "premi_pct",
        )
    return Split(premi, pnbp, capital)


def _split_dict(split: Split | FacilitySplit, valid_from: date | None = None) -> dict:
    data = {
        "premi_pct": split.premi_pct,
        "pnbp_pct": split.pnbp_pct,
        "capital_pct": split.capital_pct,
    }
    if valid_from is not None:
        data["valid_from"] = valid_from
    return data


def set_split(
    actor,
    facility: Facility,
    split: Split,
    valid_from: date,
    *,
    today: date | None = None,
) -> FacilitySplit:
    """Record ``split`` for ``facility`` from ``valid_from`` on (today or later: parts
    already paid keep theirs). A second change for the same day replaces the first."""
    split = check_split(split.premi_pct, split.pnbp_pct, split.capital_pct)
    today = today or jakarta_date(utcnow())
    if valid_from < today:
        raise FacilityError(
            _l("A new split starts today or later; sales already made keep their split."),
            "valid_from",
        )
    # Two administrators recording a split for the same day take turns on the facility
    # row, so the second replaces the first instead of hitting the unique key.
    db.session.execute(select(Facility.id).where(Facility.id == facility.id).with_for_update())
    row = db.session.scalar(
        select(FacilitySplit).where(
            FacilitySplit.facility_id == facility.id, FacilitySplit.valid_from == valid_from
        )
    )
    previous = split_at(facility.id, datetime.combine(valid_from, datetime.min.time(), JAKARTA))
    before = _split_dict(previous, valid_from)
    recorded_by_id = getattr(actor, "id", None)
    recorded_by = (getattr(actor, "email", None) or str(actor))[:254]
    if row is None:
        row = FacilitySplit(facility_id=facility.id, valid_from=valid_from)
        db.session.add(row)
    row.premi_pct, row.pnbp_pct, row.capital_pct = (
        split.premi_pct,
        split.pnbp_pct,
        split.capital_pct,
    )
    row.recorded_by_id, row.recorded_by = recorded_by_id, recorded_by
    row.recorded_at = utcnow()
    db.session.flush()
    record(
        actor,
        "facility.split",
        "facility",
        facility.id,
        before=before,
        after=_split_dict(split, valid_from),
        facility_id=facility.id,
    )
    return row


# --------------------------------------------------------------------------- facility data


@dataclass
class FacilityData:
    """What the facility form edits (the split and the photo have their own forms)."""

    name: str = ""
    kind: str = "Lapas"
    province: str = ""
    city: str = ""
    address: str = ""
    phone: str = ""
    whatsapp: str = ""
    email: str = ""
    story: str = ""
    bank_name: str = ""
    bank_account_number: str = ""
    bank_account_holder: str = ""

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def of(cls, facility: Facility) -> FacilityData:
        return cls(**{name: getattr(facility, name) for name in cls.field_names()})

    def cleaned(self) -> FacilityData:
        values = {}
        for name in self.field_names():
            value = getattr(self, name)
            values[name] = (value or "").strip() if isinstance(value, str | None) else value
        return FacilityData(**values)


def _check(data: FacilityData, facility_id: int | None = None) -> None:
    if data.kind not in FACILITY_KINDS:
        raise FacilityError(_l("Choose a kind of facility."), "kind")
    for name, label in (
        ("name", _l("Write the facility's name.")),
        ("province", _l("Write the province.")),
        ("city", _l("Write the city.")),
    ):
        if not getattr(data, name):
            raise FacilityError(label, name)
    same_name = select(Facility.id).where(func.lower(Facility.name) == data.name.lower())
    if facility_id is not None:
        same_name = same_name.where(Facility.id != facility_id)
    if db.session.scalar(same_name.limit(1)) is not None:
        raise FacilityError(_l("Another facility has this name."), "name")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100] or "fasilitas"


def _unique_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while db.session.scalar(select(Facility.id).where(Facility.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _facility_dict(facility: Facility) -> dict:
    data = {name: getattr(facility, name) for name in FacilityData.field_names()}
    data["active"] = facility.active
    return data


def create_facility(
    actor,
    data: FacilityData,
    split: Split = Split(*DEFAULT_SPLIT),
    *,
    today: date | None = None,
) -> Facility:
    """A new facility with ``split`` as its base split and as its first dated split
    (from today, in Jakarta)."""
    data = data.cleaned()
    _check(data)
    split = check_split(split.premi_pct, split.pnbp_pct, split.capital_pct)
    facility = Facility(slug=_unique_slug(data.name), active=True)
    for name in FacilityData.field_names():
        setattr(facility, name, getattr(data, name))
    facility.premi_pct, facility.pnbp_pct, facility.capital_pct = (
        split.premi_pct,
        split.pnbp_pct,
        split.capital_pct,
    )
    db.session.add(facility)
    db.session.flush()
    valid_from = today or jakarta_date(utcnow())
    db.session.add(
        FacilitySplit(
            facility_id=facility.id,
            valid_from=valid_from,
            premi_pct=split.premi_pct,
            pnbp_pct=split.pnbp_pct,
            capital_pct=split.capital_pct,
            recorded_by_id=getattr(actor, "id", None),
            recorded_by=(getattr(actor, "email", None) or str(actor))[:254],
        )
    )
    db.session.flush()
    after = _facility_dict(facility) | _split_dict(split, valid_from) | {"slug": facility.slug}
    record(
        actor,
        "facility.create",
        "facility",
        facility.id,
        before={},
        after=after,
        facility_id=facility.id,
    )
    return facility


def refresh_search_text(facility: Facility) -> None:
    """Products carry the facility's name and city in their search text."""
    from shop.catalog.product_services import refresh_search_text

    for product in db.session.scalars(select(Product).where(Product.facility_id == facility.id)):
        refresh_search_text(product)


def update_facility(actor, facility: Facility, data: FacilityData) -> Facility:
    """Save the form; one audit row with the fields that changed (none: nothing written)."""
    data = data.cleaned()
    _check(data, facility.id)
    new = {name: getattr(data, name) for name in FacilityData.field_names()}
    before, after = changes(facility, FacilityData.field_names(), new)
    if not after:
        return facility
    for name, value in after.items():
        setattr(facility, name, value)
    if "name" in after or "city" in after:
        refresh_search_text(facility)
    db.session.flush()
    if "province" in after:
        from shop.catalog.product_services import set_facility_province

        set_facility_province(facility.id, facility.province)
    record(
        actor,
        "facility.update",
        "facility",
        facility.id,
        before=before,
        after=after,
        facility_id=facility.id,
    )
    _forget_cached_pages()
    return facility


def _forget_cached_pages() -> None:
    """Every process's kept catalog pages, once this commits (shop/catalog/freshness.py)."""
    from shop.catalog.freshness import catalog_changed

    catalog_changed()


def set_active(actor, facility: Facility, active: bool) -> int:
    """Deactivate or reactivate ``facility``; returns how many products left or came back.

    Deactivating moves its published products to draft and remembers them; reactivating
    publishes those that are still drafts. Orders are not touched.
    """
    if facility.active == active:
        raise FacilityError(
            _l("The facility is already active.")
            if active
            else _l("The facility is already inactive."),
            "active",
        )
    if not active:
        ids = list(
            db.session.scalars(
                select(Product.id).where(
                    Product.facility_id == facility.id, Product.status == "active"
                )
            )
        )
        for product_id in ids:
            db.session.add(FacilityPausedProduct(product_id=product_id, facility_id=facility.id))
        moved_from, moved_to = "active", "draft"
    else:
        ids = list(
            db.session.scalars(
                select(FacilityPausedProduct.product_id)
                .join(Product, Product.id == FacilityPausedProduct.product_id)
                .where(FacilityPausedProduct.facility_id == facility.id, Product.status == "draft")
            )
        )
        db.session.execute(
            delete(FacilityPausedProduct).where(FacilityPausedProduct.facility_id == facility.id)
        )
        moved_from, moved_to = "draft", "active"
    if ids:
        # One statement; the version bump makes an open staff edit form of such a
        # product fail as stale rather than overwrite the change.
        db.session.execute(
            update(Product)
            .where(Product.id.in_(ids), Product.status == moved_from)
            .values(status=moved_to, version=Product.version + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    facility.active = active
    db.session.flush()
    db.session.expire_all()
    record(
        actor,
        "facility.reactivate" if active else "facility.deactivate",
        "facility",
        facility.id,
        before={"active": not active},
        after={"active": active, "products": sorted(ids)},
        facility_id=facility.id,
    )
    _forget_cached_pages()
    return len(ids)


def set_photo(actor, facility: Facility, data: bytes | IO[bytes], max_mb: int) -> Facility:
    """Run an upload through the photo pipeline (decoded, re-encoded, metadata dropped)
    and make it the facility page's photo. Raises ``PhotoRejected`` saying why."""
    from shop.media.pipeline import process_upload
    from shop.media.services import store_processed

    processed = process_upload(data, max_mb=max_mb)
    store_processed(processed)
    before = {"photo_hash": facility.photo_hash}
    facility.photo_hash = processed.content_hash
    facility.photo_width = processed.width
    facility.photo_height = processed.height
    facility.photo_widths = processed.widths
    db.session.flush()
    record(
        actor,
        "facility.photo",
        "facility",
        facility.id,
        before=before,
        after={"photo_hash": facility.photo_hash},
        facility_id=facility.id,
    )
    _forget_cached_pages()
    return facility


# --------------------------------------------------------------------------- lists


@dataclass(frozen=True)
class FacilityRow:
    facility: Facility
    products: int
    staff: int
    split: Split


def facility_rows() -> list[FacilityRow]:
    """Every facility (active first, then by name) with product and staff counts."""
    from shop.accounts.models import User

    product_counts = (
        select(Product.facility_id, func.count().label("n"))
        .where(Product.status == "active")
        .group_by(Product.facility_id)
        .subquery()
    )
    staff_counts = (
        select(User.facility_id, func.count().label("n"))
        .where(User.role == "staff", User.active.is_(True))
        .group_by(User.facility_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Facility, func.coalesce(product_counts.c.n, 0), func.coalesce(staff_counts.c.n, 0))
        .outerjoin(product_counts, product_counts.c.facility_id == Facility.id)
        .outerjoin(staff_counts, staff_counts.c.facility_id == Facility.id)
        .order_by(Facility.active.desc(), Facility.name)
    ).all()
    today = splits_today([f for f, _p, _s in rows])
    return [FacilityRow(f, p, s, today[f.id]) for f, p, s in rows] if rows else []


def splits_today(facilities: list[Facility]) -> dict[int, Split]:
    """The split in force today for each of ``facilities`` (one statement)."""
    day = jakarta_date(utcnow())
    found: dict[int, Split] = {}
    rows = db.session.execute(
        select(
            FacilitySplit.facility_id,
            FacilitySplit.premi_pct,
            FacilitySplit.pnbp_pct,
            FacilitySplit.capital_pct,
        )
        .where(
            FacilitySplit.facility_id.in_([f.id for f in facilities]),
            FacilitySplit.valid_from <= day,
        )
        .order_by(FacilitySplit.facility_id, FacilitySplit.valid_from)
    )
    for facility_id, *pcts in rows:  # the latest row of each facility wins
        found[facility_id] = Split(*pcts)
    return {
        f.id: found.get(f.id, Split(f.premi_pct, f.pnbp_pct, f.capital_pct)) for f in facilities
    }


def facility_choices() -> list[tuple[int, str]]:
    return [
        (f.id, f.name)
        for f in db.session.scalars(
            select(Facility).order_by(Facility.active.desc(), Facility.name)
        )
    ]
