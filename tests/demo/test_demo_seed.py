"""``flask seed-demo`` and the drawings behind its photos."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import func, select

from shop.accounts.models import User
from shop.accounts.services import verify_password
from shop.catalog.models import Category, Product
from shop.demo import artwork
from shop.demo.data import PRICING
from shop.demo.seed import ADMIN_EMAIL, DEMO_PASSWORD, slugify
from shop.extensions import db
from shop.facilities.models import FACILITY_KINDS, Facility
from shop.media.models import ProductPhoto
from shop.media.storage import get_storage
from shop.orders.models import Order, OrderLine

SMALL = ["seed-demo", "--facilities", "3", "--products", "12", "--seed", "7", "--orders", "0"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    db.session.remove()
    return result.output


def test_small_seed_creates_what_it_says(seeded):
    assert "Created 3 facilities, 12 products" in seeded
    assert _count(Facility) == 3
    assert _count(Product) == 12
    assert {c.slug for c in db.session.scalars(select(Category))} == {
        "batik-tulis", "batik-cap", "tenun", "anyaman-rotan",
        "kerajinan-kayu", "kulit", "lukisan", "keramik",
    }  # fmt: skip
    facilities = db.session.scalars(select(Facility)).all()
    for facility in facilities:
        assert facility.kind in FACILITY_KINDS
        assert facility.city and facility.province and len(facility.story) > 100
        assert facility.whatsapp.startswith("+62 8")
    products = db.session.scalars(select(Product)).all()
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    facility_names = {f.id: f.name for f in facilities}
    for p in products:
        low, high, *_ = PRICING[categories[p.category_id].slug]
        assert low - 5_000 <= p.price <= high + 5_000, (p.name, p.price)
        assert p.price % 5_000 == 0 and p.material_cost % 5_000 == 0
        assert p.price * 0.25 - 5_000 <= p.material_cost <= p.price * 0.5 + 5_000
        assert p.weight_grams > 0 and p.description and p.technique and p.materials
        assert p.name in p.search_text and facility_names[p.facility_id] in p.search_text
        assert categories[p.category_id].name_id in p.search_text
        assert p.status in ("active", "draft")
        assert p.allocated == 0 and p.on_hand >= 0
    assert len({p.slug for p in products}) == 12
    assert len({(p.facility_id, p.sku) for p in products}) == 12


def test_every_product_has_stored_photos_with_alt_text(seeded, client):
    storage = get_storage()
    photos = db.session.scalars(select(ProductPhoto)).all()
    per_product = Counter(photo.product_id for photo in photos)
    assert set(per_product) == set(db.session.scalars(select(Product.id)))
    assert all(1 <= n <= 3 for n in per_product.values())
    for photo in photos:
        assert photo.alt_text and photo.widths == [400, 800]
        for width in photo.widths:
            for fmt in ("webp", "jpeg"):
                assert storage.exists(photo.variant_name(width, fmt))
    main = next(p for p in photos if p.position == 0)
    response = client.get(f"/media/{main.variant_name(400, 'webp')}")
    assert response.status_code == 200 and response.mimetype == "image/webp"


def test_demo_users_can_sign_in_by_password(seeded):
    assert "Demo logins:" in seeded and DEMO_PASSWORD in seeded
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    assert admin.role == "admin" and verify_password(admin, DEMO_PASSWORD)
    assert not verify_password(admin, "wrong-password")
    staff = db.session.scalars(select(User).where(User.role == "staff")).all()
    facilities = db.session.scalars(select(Facility)).all()
    assert sorted(u.facility_id for u in staff) == sorted(f.id for f in facilities)
    for user in staff:
        facility = next(f for f in facilities if f.id == user.facility_id)
        assert user.email == f"staf.{facility.slug}@karyabinaan.id"
        assert verify_password(user, DEMO_PASSWORD)


def test_if_empty_does_nothing_on_a_filled_database(seeded, runner):
    result = runner.invoke(args=[*SMALL, "--if-empty"])
    assert result.exit_code == 0
    assert "nothing to do" in result.output
    assert (_count(Facility), _count(Product), _count(User)) == (3, 12, 4)


def test_seeding_again_adds_with_unique_slugs(seeded, runner):
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    assert _count(Facility) == 6 and _count(Product) == 24
    slugs = db.session.scalars(select(Facility.slug)).all()
    assert "lapas-kelas-iia-banyuwangi-2" in slugs
    assert len(set(db.session.scalars(select(Product.slug)))) == 24


def test_orders_are_placed_through_the_real_checkout(runner):
    result = runner.invoke(
        args=[
            "seed-demo",
            "--facilities",
            "3",
            "--products",
            "20",
            "--months",
            "0",
            "--orders",
            "8",
            "--seed",
            "3",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    orders = db.session.scalars(select(Order)).all()
    assert 0 < len(orders) <= 8
    assert f"Placed {len(orders)} demo orders." in result.output
    statuses = Counter(order.status for order in orders)
    assert set(statuses) <= {"awaiting_payment", "paid", "expired"}
    # Stock held equals what live allocations hold: the real allocation path was used.
    held = db.session.scalar(select(func.coalesce(func.sum(Product.allocated), 0)))
    awaiting_qty = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status == "awaiting_payment")
    )
    assert held == awaiting_qty


def test_slugify_handles_indonesian_names():
    assert slugify("Lukisan “Senja di Pematang”") == "lukisan-senja-di-pematang"
    assert slugify("Lapas Perempuan Kelas IIA Semarang") == "lapas-perempuan-kelas-iia-semarang"


DRAWINGS = [
    *[
        (f"batik-{m}", lambda s, r, m=m: artwork.batik(s, m, "sogan", r))
        for m in artwork.BATIK_MOTIFS
    ],
    ("tenun", lambda s, r: artwork.tenun(s, "merah", r)),
    ("rotan", lambda s, r: artwork.anyaman_rotan(s, "basket", r)),
    ("kayu", lambda s, r: artwork.kerajinan_kayu(s, "box", r)),
    ("kulit", lambda s, r: artwork.kulit(s, "wallet", r)),
    ("lukisan", lambda s, r: artwork.lukisan(s, r)),
    ("keramik", lambda s, r: artwork.keramik(s, "vase", r)),
]


@pytest.mark.parametrize(("label", "draw"), DRAWINGS, ids=[d[0] for d in DRAWINGS])
def test_artwork_has_the_requested_size_and_real_colour(label, draw):
    image = draw((320, 240), random.Random(1))
    assert image.size == (320, 240) and image.mode == "RGB"
    colours = image.getcolors(maxcolors=320 * 240)
    assert len(colours) > 50, label
    # nothing dominates the picture like an empty canvas would
    assert max(n for n, _ in colours) < 0.8 * 320 * 240, label


def test_artwork_is_reproducible_from_the_seed():
    a = artwork.batik((200, 200), "kawung", "indigo", random.Random(5))
    b = artwork.batik((200, 200), "kawung", "indigo", random.Random(5))
    assert a.tobytes() == b.tobytes()


def test_seeded_products_are_in_the_search_vocabulary(seeded):
    """The seed inserts in bulk (past the ORM's flush hook) and records the words itself,
    so a misspelt search of a seeded catalog is corrected."""
    from shop.catalog.models import SearchTerm
    from shop.catalog.services import ListingQuery, list_products

    words = set(db.session.scalars(select(SearchTerm.term)))
    assert "batik" in words or "tenun" in words
    word = "batik" if "batik" in words else "tenun"
    misspelt = word[:2] + word[2] * 2 + word[3:]  # "battik" / "tennun"
    page = list_products(ListingQuery(q=misspelt), 24)
    assert page.corrected == {misspelt: word} and page.items
