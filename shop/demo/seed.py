"""Fill a database with a demo shop: facilities, categories, products, photos, logins.

Photos are drawn by :mod:`shop.demo.artwork` and run through the real pipeline
(:func:`shop.media.pipeline.process_image`) into the configured storage. A small pool
of drawings per category is shared by all products (files are named by content hash,
so each is stored once), which keeps a 50,000-product run to a few minutes: products
and photo rows go in with bulk ``INSERT … RETURNING`` in batches, no per-row flush.
"""

from __future__ import annotations

import io
import random
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import func, insert, select

from shop.accounts.models import User
from shop.accounts.services import create_user
from shop.catalog.indexing import record_terms, search_text_for
from shop.catalog.models import Category, Product
from shop.demo import artwork
from shop.demo import data as D
from shop.extensions import db
from shop.facilities.models import Facility
from shop.media.models import ProductPhoto
from shop.media.pipeline import process_image
from shop.media.services import store_processed
from shop.media.storage import Storage, get_storage
from shop.uow import checkpoint

DEMO_PASSWORD = "karyabinaan-demo"  # noqa: S105 - printed for the demo on purpose
ADMIN_EMAIL = "admin@karyabinaan.id"
ART_SIZE = (1200, 1200)
BATCH = 1000
STREETS = ["Pemuda", "Sudirman", "Diponegoro", "Ahmad Yani", "Pahlawan", "Veteran", "Merdeka"]


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def staff_email(facility_slug: str) -> str:
    return f"staf.{facility_slug}@karyabinaan.id"


@dataclass
class SeedResult:
    facilities: list[Facility] = field(default_factory=list)
    products: int = 0
    photos: int = 0
    photo_files: int = 0
    users: list[str] = field(default_factory=list)
    seconds: float = 0.0


# --- photo pool ------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolPhoto:
    content_hash: str
    width: int
    height: int
    widths: tuple[int, ...]
    alt: str  # an alt-text template: "{name}" is replaced by the product name


@dataclass
class PoolEntry:
    category: str
    attrs: dict
    photos: list[PoolPhoto]


# Processed pool photos by drawing key, kept for the life of the process so repeated
# seeds (tests, re-runs) skip drawing when the storage still holds the files.
_PROCESSED: dict[tuple, PoolPhoto] = {}

_DETAIL_WORDS = {
    "batik-tulis": "Detail motif {motif} pada {{name}}",
    "batik-cap": "Detail motif {motif} pada {{name}}",
    "tenun": "Detail benang tenun pada {{name}}",
    "anyaman-rotan": "Detail anyaman rotan pada {{name}}",
    "kerajinan-kayu": "Detail serat kayu pada {{name}}",
    "kulit": "Detail jahitan tangan pada {{name}}",
    "lukisan": "Detail sapuan kuas pada lukisan {{name}}",
    "keramik": "Detail glasir pada {{name}}",
}


def _draw(category: str, attrs: dict, rng: random.Random) -> Image.Image:
    if category in ("batik-tulis", "batik-cap"):
        return artwork.batik(ART_SIZE, attrs["motif"], attrs["palette"], rng)
    if category == "tenun":
        return artwork.tenun(ART_SIZE, attrs["palette"], rng)
    if category == "anyaman-rotan":
        return artwork.anyaman_rotan(ART_SIZE, attrs["shape"], rng)
    if category == "kerajinan-kayu":
        return artwork.kerajinan_kayu(ART_SIZE, attrs["shape"], rng)
    if category == "kulit":
        return artwork.kulit(ART_SIZE, attrs["shape"], rng)
    if category == "keramik":
        return artwork.keramik(ART_SIZE, attrs["shape"], rng)
    return artwork.lukisan(ART_SIZE, rng)


def _pool_attrs(category: str, rng: random.Random) -> dict:
    if category in ("batik-tulis", "batik-cap"):
        return {
            "motif": rng.choice(list(artwork.BATIK_MOTIFS)),
            "palette": rng.choice(list(artwork.BATIK_PALETTES)),
        }
    if category == "tenun":
        return {"palette": rng.choice(list(artwork.TENUN_PALETTES))}
    if category in D.OBJECT_ITEMS:
        return {"shape": rng.choice(list(D.OBJECT_ITEMS[category]))}
    return {}


def _through_pipeline(image: Image.Image, alt: str, storage: Storage) -> tuple[PoolPhoto, bool]:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    processed = process_image(out.getvalue())
    new_files = sum(1 for name in processed.files if not storage.exists(name))
    store_processed(processed, storage)
    photo = PoolPhoto(
        processed.content_hash, processed.width, processed.height, tuple(processed.widths), alt
    )
    return photo, new_files > 0


def _files_present(photo: PoolPhoto, storage: Storage) -> bool:
    return all(
        storage.exists(f"{photo.content_hash}-{w}.{ext}")
        for w in photo.widths
        for ext in ("webp", "jpg")
    )


def build_pool(
    per_category: int, seed: int, storage: Storage, echo: Callable[[str], None] = print
) -> tuple[dict[str, list[PoolEntry]], int]:
    """Draw and process ``per_category`` looks per category, three photos each.

    Returns the pool and the number of photos that had to be newly written.
    """
    pool: dict[str, list[PoolEntry]] = {}
    written = 0
    for category in D.CATEGORIES:
        entries = []
        seen: set[tuple] = set()
        for index in range(per_category):
            rng = random.Random(f"{seed}:{category}:{index}")
            attrs = _pool_attrs(category, rng)
            for _ in range(6):  # prefer looks not already in the pool
                if tuple(sorted(attrs.items())) not in seen:
                    break
                attrs = _pool_attrs(category, rng)
            seen.add(tuple(sorted(attrs.items())))
            motif = D.BATIK_MOTIF_NAMES.get(attrs.get("motif", ""), "").lower()
            detail_alt = _DETAIL_WORDS[category].format(motif=motif)
            alts = ["{name}", detail_alt, detail_alt.replace("Detail", "Bagian lain:", 1)]
            photos = []
            main_image = None
            for n, alt in enumerate(alts):
                key = (seed, category, index, n, ART_SIZE)
                cached = _PROCESSED.get(key)
                if cached is not None and _files_present(cached, storage):
                    photos.append(cached)
                    continue
                if main_image is None:
                    main_image = _draw(category, attrs, rng)
                image = main_image if n == 0 else artwork.detail(main_image, rng)
                photo, new = _through_pipeline(image, alt, storage)
                written += new
                _PROCESSED[key] = photo
                photos.append(photo)
            entries.append(PoolEntry(category, attrs, photos))
        pool[category] = entries
    return pool, written


# --- words -------------------------------------------------------------------------------


def _round_to(value: float, step: int = 5_000) -> int:
    return max(step, int(round(value / step)) * step)


def _price(category: str, rng: random.Random) -> tuple[int, int]:
    low, high, *_ = D.PRICING[category]
    price = _round_to(rng.triangular(low, high, low + (high - low) * 0.25))
    cost = _round_to(price * rng.uniform(0.25, 0.5))
    return price, min(cost, price)


def _describe(category: str, attrs: dict, rng: random.Random, facility: dict) -> dict:
    """Name, description, technique, materials and dimensions for one product."""
    where = f"{facility['name']} di {facility['city']}"
    care = rng.choice(D.DESCRIPTION_CARE)
    if category in ("batik-tulis", "batik-cap"):
        item, dims = rng.choice(D.BATIK_GARMENTS[category])
        motif = D.BATIK_MOTIF_NAMES[attrs["motif"]]
        colour = D.BATIK_PALETTE_NAMES[attrs["palette"]]
        kind = "Batik Tulis" if category == "batik-tulis" else "Batik Cap"
        meaning = {
            "kawung": "Motif kawung terinspirasi buah aren yang dibelah empat, "
            "lambang kesucian dan keadilan.",
            "parang": "Parang rusak menggambarkan ombak yang tak pernah putus, "
            "lambang semangat yang tidak mudah menyerah.",
            "ceplok": "Ceplok bintang tersusun dari bunga bersudut delapan yang berulang rapi, "
            "motif klasik keraton.",
            "truntum": "Truntum berarti tumbuh kembali: bunga-bunga kecil yang melambangkan "
            "cinta yang bersemi lagi.",
        }[attrs["motif"]]
        if category == "batik-tulis":
            weeks = rng.randint(2, 8)
            made = (
                f"Dikerjakan dengan canting oleh warga binaan {where} selama sekitar "
                f"{weeks} minggu, dari nglowong hingga nglorod."
            )
            technique = rng.choice(
                ["Batik tulis, pewarna alam", "Batik tulis, pewarna sintetis", "Batik tulis halus"]
            )
            materials = rng.choice(
                [
                    "katun primissima, malam, soga alam",
                    "katun prima, malam, indigo alam",
                    "sutra ATBM, malam, pewarna alam",
                ]
            )
        else:
            made = f"Dicap dengan cap tembaga di bengkel batik {where}, lalu diwarnai dan dilorod."
            technique = "Batik cap tembaga"
            materials = rng.choice(["katun prima, malam, pewarna remasol", "katun, malam, naftol"])
        name = f"{item} {kind} {motif} {colour}"
        text = f"{item} {kind.lower()} motif {motif.lower()} warna {colour.lower()}. {made} "
        return dict(
            name=name,
            description=f"{text}{meaning} {care}",
            technique=technique,
            materials=materials,
            dimensions=dims,
        )
    if category == "tenun":
        item, dims = rng.choice(D.TENUN_ITEMS)
        origin = rng.choice(D.TENUN_ORIGINS)
        colour = D.TENUN_PALETTE_NAMES[attrs["palette"]]
        days = rng.randint(10, 60)
        return dict(
            name=f"{item} Motif {origin} {colour}",
            description=(
                f"{item} bermotif {origin.lower()} dengan warna dasar {colour.lower()}. "
                f"Benang diikat, dicelup dan ditenun oleh warga binaan {where} selama "
                f"{days} hari. {care}"
            ),
            technique=rng.choice(["Tenun ikat ATBM", "Tenun ikat gedogan", "Tenun songket"]),
            materials=rng.choice(
                [
                    "benang katun, pewarna alam",
                    "benang katun, benang emas",
                    "benang katun mercerisasi",
                ]
            ),
            dimensions=dims,
        )
    if category == "lukisan":
        title = rng.choice(D.LUKISAN_TITLES)
        technique, materials = rng.choice(D.LUKISAN_MEDIA)
        return dict(
            name=f"Lukisan “{title}”",
            description=(
                f"Lukisan pemandangan berjudul “{title}”, karya kelas melukis {where}. "
                "Karya asli satu-satunya, sudah berbingkai dan siap digantung. "
                "Setiap karya buatan tangan sedikit berbeda dari foto; itulah keunikannya."
            ),
            technique=technique,
            materials=materials,
            dimensions=rng.choice(D.LUKISAN_SIZES),
        )
    item, dims = rng.choice(D.OBJECT_ITEMS[category][attrs["shape"]])
    technique, materials = D.OBJECT_DETAILS[category]
    return dict(
        name=f"{item} {rng.choice(D.OBJECT_VARIANTS[category])}",
        description=(
            f"{item} buatan tangan warga binaan {where}. "
            f"{D.STORY_MIDDLES[category].format(**facility)} {care}"
        ),
        technique=technique,
        materials=materials,
        dimensions=dims,
    )


# --- facilities, categories, users ------------------------------------------------------


def ensure_categories() -> dict[str, Category]:
    existing = {c.slug: c for c in db.session.scalars(select(Category))}
    for position, (slug, (name_id, name_en, desc_id, desc_en)) in enumerate(D.CATEGORIES.items()):
        if slug not in existing:
            existing[slug] = Category(
                slug=slug,
                name_id=name_id,
                name_en=name_en,
                description_id=desc_id,
                description_en=desc_en,
                position=position,
            )
            db.session.add(existing[slug])
    db.session.flush()
    return existing


def _facility_specs(count: int, rng: random.Random):
    specs = list(D.FACILITIES[:count])
    n = 0
    while len(specs) < count:
        province, city = D.EXTRA_PLACES[n % len(D.EXTRA_PLACES)]
        prefix, kind = D.EXTRA_KINDS[(n // len(D.EXTRA_PLACES)) % len(D.EXTRA_KINDS)]
        round_ = n // (len(D.EXTRA_PLACES) * len(D.EXTRA_KINDS))
        name = f"{prefix} {city}" + (f" {round_ + 1}" if round_ else "")
        specialities = tuple(rng.sample(list(D.CATEGORIES), rng.randint(1, 3)))
        specs.append((name, kind, province, city, specialities))
        n += 1
    return specs


def _story(name: str, city: str, province: str, specialities, rng: random.Random) -> str:
    parts = [rng.choice(D.STORY_OPENINGS).format(name=name, city=city)]
    parts += [D.STORY_MIDDLES[s].format(city=city, province=province) for s in specialities]
    parts.append(rng.choice(D.STORY_CLOSINGS))
    return " ".join(parts)


def create_facilities(count: int, rng: random.Random) -> list[tuple[Facility, tuple[str, ...]]]:
    used = set(db.session.scalars(select(Facility.slug)))
    created = []
    for name, kind, province, city, specialities in _facility_specs(count, rng):
        slug = base = slugify(name)
        n = 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        mobile = f"+62 81{rng.randint(1, 9)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
        facility = Facility(
            slug=slug,
            name=name,
            kind=kind,
            province=province,
            city=city,
            address=f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 250)}, {city}, {province}",
            story=_story(name, city, province, specialities, rng),
            phone=f"+62 {rng.randint(21, 987)} {rng.randint(100, 999)}{rng.randint(100, 9999)}",
            whatsapp=mobile,
            email=f"bengkel.{slug}@karyabinaan.id",
        )
        db.session.add(facility)
        created.append((facility, specialities))
    db.session.flush()
    return created


def create_demo_users(facilities: list[Facility], password: str = DEMO_PASSWORD) -> list[str]:
    emails = []
    taken = set(db.session.scalars(select(User.email)))
    if ADMIN_EMAIL not in taken:
        create_user(ADMIN_EMAIL, password, "admin", name="Admin Karya Binaan")
        emails.append(ADMIN_EMAIL)
    for facility in facilities:
        email = staff_email(facility.slug)
        if email not in taken:
            create_user(
                email, password, "staff", facility_id=facility.id, name=f"Staf {facility.name}"
            )
            emails.append(email)
    return emails


# --- products ----------------------------------------------------------------------------


def _products_rows(count, facilities, categories, pool, rng, used_slugs):
    """Yield (product row, pool entry, number of photos) for ``count`` products."""
    now = datetime.now(UTC)
    sku_seq: dict[int, int] = {}
    slug_seq: dict[str, int] = {}
    cat_slugs = list(D.CATEGORIES)
    facility_info = [
        (f, specs, {"name": f.name, "city": f.city, "province": f.province})
        for f, specs in facilities
    ]
    for _ in range(count):
        facility, specialities, info = rng.choice(facility_info)
        category = rng.choice(specialities) if rng.random() < 0.85 else rng.choice(cat_slugs)
        entry = rng.choice(pool[category])
        words = _describe(category, entry.attrs, rng, info)
        price, cost = _price(category, rng)
        low_w, high_w, one_share = (
            D.PRICING[category][2],
            D.PRICING[category][3],
            D.PRICING[category][4],
        )
        one_of_a_kind = rng.random() < one_share
        if one_of_a_kind:
            on_hand = 0 if rng.random() < 0.12 else 1
        else:
            on_hand = 0 if rng.random() < 0.06 else rng.randint(2, 30)
        maker = rng.choice(D.MAKER_NAMES) if rng.random() < 0.75 else ""
        seq = sku_seq[facility.id] = sku_seq.get(facility.id, 0) + 1
        base = slugify(words["name"])[:140]
        slug = base
        while slug in used_slugs:
            n = slug_seq[base] = slug_seq.get(base, 1) + 1
            slug = f"{base}-{n}"
        used_slugs.add(slug)
        created = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        cat = categories[category]
        row = {
            "facility_id": facility.id,
            "province": facility.province,
            "category_id": cat.id,
            "slug": slug,
            "sku": f"{D.SKU_PREFIX[category]}-{seq:05d}",
            **words,
            "price": price,
            "material_cost": cost,
            "weight_grams": int(round(rng.randint(low_w, high_w), -1)),
            "status": "draft" if rng.random() < 0.04 else "active",
            "one_of_a_kind": one_of_a_kind,
            "maker_name": maker,
            "maker_consent": bool(maker) and rng.random() < 0.85,
            "on_hand": on_hand,
            "allocated": 0,
            "low_stock_threshold": 1 if one_of_a_kind else rng.randint(2, 5),
            "search_text": search_text_for(
                name=words["name"],
                description=words["description"],
                technique=words["technique"],
                materials=words["materials"],
                facility_name=facility.name,
                facility_city=facility.city,
                category_names=(cat.name_id, cat.name_en),
            ),
            "version": 1,
            "created_at": created,
            "updated_at": created,
        }
        yield row, entry, rng.choices((1, 2, 3), weights=(3, 4, 3))[0]


def insert_products(
    count: int,
    facilities,
    categories,
    pool,
    rng: random.Random,
    *,
    progress: Callable[[int], None] | None = None,
    commit_every_batch: bool = False,
) -> tuple[int, int]:
    used_slugs = (
        set(db.session.scalars(select(Product.slug)))
        if db.session.scalar(select(func.count(Product.id)))
        else set()
    )
    products = photos = 0
    batch: list[tuple[dict, PoolEntry, int]] = []

    def flush_batch():
        nonlocal products, photos
        ids = db.session.scalars(
            insert(Product).returning(Product.id, sort_by_parameter_order=True),
            [row for row, _, _ in batch],
        ).all()
        photo_rows = []
        for product_id, (row, entry, n) in zip(ids, batch, strict=True):
            for position, photo in enumerate(entry.photos[:n]):
                photo_rows.append(
                    {
                        "product_id": product_id,
                        "position": position,
                        "alt_text": photo.alt.format(name=row["name"])[:300],
                        "content_hash": photo.content_hash,
                        "width": photo.width,
                        "height": photo.height,
                        "widths": list(photo.widths),
                        "created_at": row["created_at"],
                    }
                )
        if photo_rows:
            db.session.execute(insert(ProductPhoto), photo_rows)
        # A bulk insert passes the ORM's flush hook: add the words to the vocabulary here.
        record_terms(
            db.session, (row["search_text"] for row, _, _ in batch if row["status"] == "active")
        )
        products += len(batch)
        photos += len(photo_rows)
        if commit_every_batch:
            checkpoint()
        if progress:
            progress(len(batch))
        batch.clear()

    for item in _products_rows(count, facilities, categories, pool, rng, used_slugs):
        batch.append(item)
        if len(batch) >= BATCH:
            flush_batch()
    if batch:
        flush_batch()
    return products, photos


def pool_size_for(products: int) -> int:
    """Looks per category: enough variety for a shop grid, bounded for big runs."""
    return max(1, min(5, round(products / 60)))


def seed_demo_data(
    *,
    facilities: int = 25,
    products: int = 300,
    seed: int = 1,
    storage: Storage | None = None,
    progress: Callable[[int], None] | None = None,
    echo: Callable[[str], None] = print,
    password: str = DEMO_PASSWORD,
) -> SeedResult:
    """Create the demo shop; the caller commits (big runs commit per batch themselves)."""
    started = time.perf_counter()
    storage = storage or get_storage()
    rng = random.Random(seed)
    result = SeedResult()
    categories = ensure_categories()
    created = create_facilities(facilities, rng)
    result.facilities = [f for f, _ in created]
    result.users = create_demo_users(result.facilities, password)
    if products and created:
        pool, result.photo_files = build_pool(pool_size_for(products), seed, storage, echo)
        result.products, result.photos = insert_products(
            products,
            created,
            categories,
            pool,
            rng,
            progress=progress,
            commit_every_batch=products > 5 * BATCH,
        )
    db.session.flush()
    result.seconds = time.perf_counter() - started
    return result
