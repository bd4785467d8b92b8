"""Facility rules: the dated revenue split, deactivation and the audit row of each change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from concurrency_helpers import run_threads
from factories import make_category, make_facility, make_product
from order_helpers import place
from sqlalchemy import func, select
from staff_helpers import make_user

from shop.audit.models import AuditEntry
from shop.catalog.models import Product
from shop.catalog.services import split_for
from shop.extensions import db
from shop.facilities import services
from shop.facilities.models import Facility, FacilitySplit
from shop.facilities.services import FacilityData, FacilityError, Split, split_at
from shop.orders.models import Order
from shop.shipping.services import ensure_default_rates
from shop.uow import unit_of_work


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _data(**kw) -> FacilityData:
    values = {
        "name": "Lapas Perempuan Kelas IIA Malang",
        "kind": "LPP",
        "province": "Jawa Timur",
        "city": "Malang",
    }
    values.update(kw)
    return FacilityData(**values)


def test_create_records_the_facility_its_first_split_and_one_audit_row(app):
    admin = make_user(role="admin")
    facility = services.create_facility(
        admin,
        _data(bank_name="BRI", bank_account_number="0123 4567 89"),
        Split(60, 15, 25),
        today=date(2026, 12, 1),
    )
    assert facility.slug == "lapas-perempuan-kelas-iia-malang"
    assert (facility.premi_pct, facility.pnbp_pct, facility.capital_pct) == (60, 15, 25)
    assert split_at(facility.id, datetime(2026, 12, 1, 1, tzinfo=UTC)) == Split(60, 15, 25)
    (entry,) = _audit("facility.create")
    assert entry.user_id == admin.id and entry.object_id == facility.id
    assert entry.before == {}
    assert entry.after["name"] == "Lapas Perempuan Kelas IIA Malang"
    assert entry.after["premi_pct"] == 60 and entry.after["bank_name"] == "BRI"


def test_split_must_add_up_to_100(app):
    admin = make_user(role="admin")
    with pytest.raises(FacilityError) as caught:
        services.create_facility(admin, _data(), Split(60, 15, 35))
    assert "100" in str(caught.value)
    facility = make_facility()
    with pytest.raises(FacilityError):
        services.set_split(admin, facility, Split(50, 50, 1), date.today())
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_split_applies_from_its_date_only(app):
    """An order paid before the day of a change gets the old split; one after, the new."""
    admin = make_user(role="admin")
    facility = services.create_facility(admin, _data(), today=date(2026, 11, 1))
    services.set_split(
        admin, facility, Split(60, 15, 25), date(2026, 12, 10), today=date(2026, 12, 1)
    )
    # 9 December 23:30 in Jakarta is 16:30 UTC: still the old split.
    assert split_at(facility.id, datetime(2026, 12, 9, 16, 30, tzinfo=UTC)) == Split(50, 15, 35)
    # 10 December 00:30 in Jakarta is 9 December 17:30 UTC: the new one.
    assert split_at(facility.id, datetime(2026, 12, 9, 17, 30, tzinfo=UTC)) == Split(60, 15, 25)
    assert split_at(facility.id, datetime(2027, 3, 1, tzinfo=UTC)) == Split(60, 15, 25)
    # Before the facility's first dated split: its base split.
    assert split_at(facility.id, datetime(2020, 1, 1, tzinfo=UTC)) == Split(50, 15, 35)
    (entry,) = _audit("facility.split")
    assert entry.before == {
        "premi_pct": 50,
        "pnbp_pct": 15,
        "capital_pct": 35,
        "valid_from": "2026-12-10",
    }
    assert entry.after == {
        "premi_pct": 60,
        "pnbp_pct": 15,
        "capital_pct": 25,
        "valid_from": "2026-12-10",
    }


def test_a_split_cannot_start_in_the_past(app):
    admin = make_user(role="admin")
    facility = make_facility()
    with pytest.raises(FacilityError) as caught:
        services.set_split(
            admin, facility, Split(60, 15, 25), date(2026, 11, 30), today=date(2026, 12, 1)
        )
    assert caught.value.field == "valid_from"


def test_two_admins_recording_a_split_for_the_same_day_take_turns(app):
    """Both changes land (the later replaces the earlier); neither hits the unique key."""
    admin = make_user(role="admin")
    facility_id = make_facility().id
    day = date.today() + timedelta(days=3)
    shares = [Split(60, 15, 25), Split(55, 20, 25), Split(50, 25, 25), Split(45, 30, 25)]

    def record(split: Split):
        def job():
            with unit_of_work():
                facility = db.session.get(Facility, facility_id)
                services.set_split(admin, facility, split, day)
            return split

        return job

    results = run_threads(app, [record(split) for split in shares])

    assert [outcome for outcome, _ in results] == ["ok"] * len(shares), results
    db.session.commit()
    rows = services.split_history(facility_id)
    assert len(rows) == 1
    assert Split(rows[0].premi_pct, rows[0].pnbp_pct, rows[0].capital_pct) in shares
    assert len(_audit("facility.split")) == len(shares)


def test_the_product_page_split_is_the_one_in_force_today(app):
    admin = make_user(role="admin")
    facility = make_facility()  # base split 50/15/35, no dated rows
    product = make_product(facility, price=200_000, material_cost=100_000)
    services.set_split(admin, facility, Split(60, 15, 25), services.jakarta_date(datetime.now(UTC)))
    product = db.session.get(type(product), product.id)
    money = split_for(product)
    assert (money.premi_pct, money.premi, money.pnbp, money.capital) == (60, 60_000, 15_000, 25_000)


def test_update_writes_one_audit_row_with_only_what_changed(app):
    admin = make_user(role="admin")
    facility = make_facility(city="Banyuwangi")
    product = make_product(facility)
    data = FacilityData.of(facility)
    data.city = "Jember"
    data.bank_account_holder = "Koperasi Lapas"
    services.update_facility(admin, facility, data)
    (entry,) = _audit("facility.update")
    assert entry.before == {"city": "Banyuwangi", "bank_account_holder": ""}
    assert entry.after == {"city": "Jember", "bank_account_holder": "Koperasi Lapas"}
    assert "Jember" in db.session.get(type(product), product.id).search_text
    services.update_facility(admin, facility, FacilityData.of(facility))  # nothing changed
    assert len(_audit("facility.update")) == 1


def test_a_facility_moving_province_takes_its_products_to_that_province_page(app):
    from shop.catalog.services import ListingQuery, list_products
    from shop.catalog.services import clear_cache as clear_facets

    admin = make_user(role="admin")
    moving = make_facility(province="Bali")
    staying = make_facility(province="Bali")
    category = make_category()
    moved = [make_product(moving, category), make_product(moving, category, status="draft")]
    stayed = make_product(staying, category)
    db.session.commit()

    def province_page(province: str) -> list[int]:
        clear_facets()
        return [p.id for p in list_products(ListingQuery(province=province), 24).items]

    assert sorted(province_page("Bali")) == sorted([moved[0].id, stayed.id])
    data = FacilityData.of(moving)
    data.province = "Nusa Tenggara Timur"
    with unit_of_work():
        services.update_facility(admin, moving, data)
    db.session.expire_all()
    provinces = dict(db.session.execute(select(Product.id, Product.province)).all())
    assert provinces == {
        moved[0].id: "Nusa Tenggara Timur",
        moved[1].id: "Nusa Tenggara Timur",
        stayed.id: "Bali",
    }
    assert province_page("Bali") == [stayed.id]
    assert province_page("Nusa Tenggara Timur") == [moved[0].id]


def test_name_taken_by_another_facility_is_refused(app):
    admin = make_user(role="admin")
    make_facility(name="Rutan Kelas I Medan")
    with pytest.raises(FacilityError) as caught:
        services.create_facility(admin, _data(name="rutan kelas i medan"))
    assert caught.value.field == "name"


def test_deactivating_hides_products_keeps_orders_and_reactivating_brings_them_back(app, client):
    ensure_default_rates()
    admin = make_user(role="admin")
    category = make_category()
    facility = make_facility(name="Lapas Tenun Sikka")
    shown = make_product(facility, category, name="Sarung Tenun Ikat Sikka")
    draft = make_product(facility, category, name="Selendang Belum Siap", status="draft")
    db.session.commit()
    order = place({shown.id: 1})
    db.session.commit()
    assert "Sarung Tenun Ikat" in client.get("/produk?q=sarung").get_data(as_text=True)

    assert services.set_active(admin, facility, False) == 1
    db.session.commit()
    (entry,) = _audit("facility.deactivate")
    assert entry.before == {"active": True}
    assert entry.after == {"active": False, "products": [shown.id]}

    assert client.get(f"/produk/{shown.slug}").status_code == 404
    assert "Sarung Tenun Ikat" not in client.get("/produk?q=sarung").get_data(as_text=True)
    assert "Sarung Tenun Ikat" not in client.get("/produk").get_data(as_text=True)
    assert client.get(f"/fasilitas/{facility.slug}").status_code == 404
    assert "Lapas Tenun Sikka" not in client.get("/fasilitas").get_data(as_text=True)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert facility.slug not in sitemap and shown.slug not in sitemap
    assert db.session.get(Order, order.id).status == order.status  # the order stays
    assert db.session.get(Facility, facility.id).active is False

    assert services.set_active(admin, facility, True) == 1
    db.session.commit()
    assert client.get(f"/produk/{shown.slug}").status_code == 200
    assert "Sarung Tenun Ikat" in client.get("/produk?q=sarung").get_data(as_text=True)
    assert db.session.get(type(draft), draft.id).status == "draft"  # was never published
    assert len(_audit("facility.reactivate")) == 1


def test_staff_cannot_publish_while_their_facility_is_inactive(app):
    from shop.catalog.product_services import ProductError, change_status

    admin = make_user(role="admin")
    facility = make_facility()
    product = make_product(facility, status="draft")
    services.set_active(admin, facility, False)
    product = db.session.get(type(product), product.id)
    with pytest.raises(ProductError):
        change_status(product, "active", actor=admin)


def test_the_list_shows_each_facilitys_split_of_today(app):
    admin = make_user(role="admin")
    changed, plain = make_facility(name="A Lapas"), make_facility(name="B Lapas")
    today = services.jakarta_date(datetime.now(UTC))
    db.session.add(
        FacilitySplit(
            facility_id=changed.id,
            valid_from=today - timedelta(days=10),
            premi_pct=45,
            pnbp_pct=15,
            capital_pct=40,
            recorded_by="test",
        )
    )
    services.set_split(admin, changed, Split(30, 0, 70), today)
    services.set_split(admin, changed, Split(40, 10, 50), today + timedelta(days=5))
    rows = {row.facility.id: row for row in services.facility_rows()}
    assert rows[changed.id].split == Split(30, 0, 70)
    assert rows[plain.id].split == Split(50, 15, 35)
    assert split_at(changed.id, datetime.now(UTC)) == rows[changed.id].split
