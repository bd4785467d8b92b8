"""Staff product pages: list, create, edit (with version check), status changes."""

from __future__ import annotations

import re

import pytest
from dash_data import photo_row
from factories import make_category, make_facility, make_product
from staff_helpers import csrf_token, make_user, sign_in

from shop.catalog import product_services as services
from shop.catalog.models import Product
from shop.extensions import db


@pytest.fixture
def shop_setup(app):
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi", city="Banyuwangi")
    category = make_category(name_id="Kain Batik", name_en="Batik Cloth")
    staff = make_user(facility)
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 303
    return facility, category, staff, client


def _form(category, **overrides) -> dict:
    data = {
        "name": "Batik Tulis Gajah Oling",
        "category_id": str(category.id),
        "description": "Batik tulis motif gajah oling, pewarna alam.",
        "technique": "Batik tulis",
        "materials": "Katun primissima",
        "price": "Rp 450.000",
        "material_cost": "120000",
        "weight_grams": "350",
        "dimensions": "200 × 110 cm",
        "sku": "bt-001",
        "maker_name": "Wati",
        "maker_consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def test_create_product_saves_a_draft(shop_setup):
    facility, category, _staff, client = shop_setup
    response = _post(client, "/dasbor/produk/baru", _form(category))
    assert response.status_code == 303
    product = db.session.scalar(db.select(Product).where(Product.facility_id == facility.id))
    assert response.headers["Location"].endswith(f"/dasbor/produk/{product.id}")
    assert product.status == "draft"
    assert product.price == 450_000
    assert product.material_cost == 120_000
    assert product.sku == "BT-001"
    assert product.slug == "batik-tulis-gajah-oling"
    assert product.public_maker == "Wati"
    assert "Banyuwangi" in product.search_text and "Batik Cloth" in product.search_text
    assert product.on_hand == 0


def test_invalid_product_form_keeps_input_and_explains(shop_setup):
    _facility, category, _staff, client = shop_setup
    response = _post(
        client,
        "/dasbor/produk/baru",
        _form(category, price="seratus", weight_grams="", name="Tas Rotan Anyam"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="price-error"' in html and 'id="weight_grams-error"' in html
    assert 'value="Tas Rotan Anyam"' in html and 'value="seratus"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Product)) == 0

    # Rupiah fields are text with a numeric keyboard, so "Rp 450.000" can be typed; only
    # fields in error are marked invalid.
    price = re.search(r'<input[^>]*name="price"[^>]*>', html).group(0)
    assert 'type="text"' in price and 'inputmode="numeric"' in price
    assert 'aria-invalid="true"' in price and 'aria-describedby="price-error"' in price
    name = re.search(r'<input[^>]*name="name"[^>]*>', html).group(0)
    assert "aria-invalid" not in name and 'aria-invalid="None"' not in html


def test_sku_is_unique_within_the_facility_only(shop_setup):
    facility, category, _staff, client = shop_setup
    make_product(make_facility(), category, sku="BT-001")  # another facility may use it
    db.session.commit()
    assert _post(client, "/dasbor/produk/baru", _form(category)).status_code == 303
    again = _post(client, "/dasbor/produk/baru", _form(category, name="Batik Kedua"))
    assert again.status_code == 200
    assert 'id="sku-error"' in again.get_data(as_text=True)
    count = db.session.scalar(
        db.select(db.func.count()).select_from(Product).where(Product.facility_id == facility.id)
    )
    assert count == 1


def test_maker_named_only_with_consent(shop_setup):
    _facility, category, _staff, client = shop_setup
    response = _post(client, "/dasbor/produk/baru", _form(category, maker_consent=None))
    assert response.status_code == 200
    assert 'id="maker_consent-error"' in response.get_data(as_text=True)


def test_material_cost_cannot_exceed_price(shop_setup):
    _facility, category, _staff, client = shop_setup
    response = _post(
        client, "/dasbor/produk/baru", _form(category, price="100000", material_cost="150000")
    )
    assert 'id="material_cost-error"' in response.get_data(as_text=True)


def test_slugs_stay_unique():
    facility = make_facility()
    category = make_category()
    data = services.ProductData(
        name="Tas Rotan", category_id=category.id, sku="A", price=1, weight_grams=1
    )
    first = services.create_product(facility.id, data, actor="test")
    second = services.create_product(
        facility.id, services.ProductData(**{**data.__dict__, "sku": "B"}), actor="test"
    )
    third = services.create_product(
        make_facility().id, services.ProductData(**{**data.__dict__, "sku": "A"}), actor="test"
    )
    assert [first.slug, second.slug, third.slug] == ["tas-rotan", "tas-rotan-2", "tas-rotan-3"]


def test_a_new_product_carries_its_facilitys_province():
    facility = make_facility(province="Sulawesi Selatan")
    data = services.ProductData(
        name="Tas Lontar", category_id=make_category().id, sku="L1", price=1, weight_grams=1
    )
    product = services.create_product(facility.id, data, actor="test")
    db.session.expire_all()
    assert db.session.get(Product, product.id).province == "Sulawesi Selatan"


def test_list_shows_own_products_with_stock_search_and_filter(shop_setup):
    facility, category, _staff, client = shop_setup
    make_product(facility, category, name="Tas Rotan Besar", sku="TR-1", on_hand=7, allocated=2)
    make_product(facility, category, name="Kain Tenun Ikat", sku="KT-9", status="draft")
    make_product(make_facility(), category, name="Tas Rotan Tetangga")
    db.session.commit()

    html = client.get("/dasbor/produk").get_data(as_text=True)
    assert "Tas Rotan Besar" in html and "Kain Tenun Ikat" in html
    assert "Tas Rotan Tetangga" not in html
    row = re.search(r"Tas Rotan Besar.*?</tr>", html, re.S).group(0)
    assert re.findall(r'class="num">(\d+)', row) == ["7", "2", "5"]

    html = client.get("/dasbor/produk?q=rotan").get_data(as_text=True)
    assert "Tas Rotan Besar" in html and "Kain Tenun Ikat" not in html
    html = client.get("/dasbor/produk?q=kt-9").get_data(as_text=True)
    assert "Kain Tenun Ikat" in html and "Tas Rotan Besar" not in html
    html = client.get("/dasbor/produk?status=draft").get_data(as_text=True)
    assert "Kain Tenun Ikat" in html and "Tas Rotan Besar" not in html


def test_list_query_count_does_not_grow_with_products(shop_setup, queries):
    facility, category, _staff, client = shop_setup
    for _ in range(3):
        make_product(facility, category)
    db.session.commit()
    with queries() as few:
        client.get("/dasbor/produk")
    for _ in range(20):
        make_product(facility, category)
    db.session.commit()
    with queries() as many:
        client.get("/dasbor/produk")
    assert many.count == few.count


def test_edit_product(shop_setup):
    facility, category, _staff, client = shop_setup
    product = make_product(facility, category, status="draft", sku="X-1")
    db.session.commit()
    url = f"/dasbor/produk/{product.id}"
    form_html = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form_html).group(1)
    response = _post(client, url, _form(category, name="Nama Baru", sku="X-1", version=version))
    assert response.status_code == 303
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.name == "Nama Baru"
    assert "Nama Baru" in product.search_text


def test_concurrent_edits_do_not_overwrite_silently(app, shop_setup):
    facility, category, staff, first = shop_setup
    second_staff = make_user(facility)
    product = make_product(facility, category, status="draft", sku="X-1", price=100_000)
    db.session.commit()
    second = app.test_client()
    sign_in(second, second_staff.email)
    url = f"/dasbor/produk/{product.id}"
    loaded_version = str(product.version)

    # Both loaded version N; the first saves.
    saved_first = _post(
        first, url, _form(category, sku="X-1", price="200000", version=loaded_version)
    )
    assert saved_first.status_code == 303
    # The second saves on top of the stale version: refused, their input shown again.
    response = _post(
        second, url, _form(category, sku="X-1", price="300000", version=loaded_version)
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="300000"' in html
    assert 'role="alert"' in html
    assert "flash-warning" in html  # which fields differ from what is saved now
    db.session.expire_all()
    saved = db.session.get(Product, product.id)
    assert saved.price == 200_000
    # The form now carries the current version; saving again is a deliberate overwrite.
    new_version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    assert new_version == str(saved.version)
    again = _post(second, url, _form(category, sku="X-1", price="300000", version=new_version))
    assert again.status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, product.id).price == 300_000


def test_version_guard_in_the_service():
    product = make_product(status="draft")
    data = services.ProductData(
        name="X", category_id=product.category_id, sku="S", price=5, weight_grams=5
    )
    with pytest.raises(services.StaleProduct):
        services.update_product(product, data, expected_version=product.version - 1, actor="test")


def _status(client, product, target):
    url = f"/dasbor/produk/{product.id}"
    db.session.refresh(product)
    return client.post(
        f"{url}/status",
        data={
            "csrf_token": csrf_token(client, url),
            "target": target,
            "version": str(product.version),
        },
    )


def test_publish_archive_and_back_to_draft(shop_setup):
    facility, category, _staff, client = shop_setup
    product = make_product(facility, category, status="draft")
    photo_row(product)  # publishing needs a described photo (PUBLISH_REQUIRES_PHOTO)
    db.session.commit()
    assert _status(client, product, "active").status_code == 303
    db.session.refresh(product)
    assert product.status == "active"
    assert _status(client, product, "archived").status_code == 303
    db.session.refresh(product)
    assert product.status == "archived"
    # Archived products do not jump back into the catalog in one step.
    _status(client, product, "active")
    db.session.refresh(product)
    assert product.status == "archived"
    _status(client, product, "draft")
    db.session.refresh(product)
    assert product.status == "draft"


def test_publishing_needs_a_description(shop_setup):
    facility, category, _staff, client = shop_setup
    product = make_product(facility, category, status="draft", description="")
    db.session.commit()
    response = _status(client, product, "active")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(product)
    assert product.status == "draft"
    assert "flash-error" in page


def test_products_are_never_deleted(app):
    assert not [
        r.rule
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/dasbor/produk") and "DELETE" in r.methods
    ]
    assert "archived" in services.TRANSITIONS["active"]


def test_photo_rule_for_publishing():
    product = make_product(status="draft")
    db.session.refresh(product, ["photos"])
    assert services.photo_problems(product, require_photo=False) == []
    assert services.photo_problems(product, require_photo=True)  # no photo yet
    assert services.publish_problems(product, require_photo=True)


def test_dashboard_pages_carry_security_headers(shop_setup):
    *_, client = shop_setup
    response = client.get("/dasbor/produk")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and 'style="' not in html


def test_dashboard_speaks_indonesian_by_default_and_english_on_request(shop_setup):
    _facility, category, _staff, client = shop_setup
    html = client.get("/dasbor/produk").get_data(as_text=True)
    assert "Produk baru" in html and "Cari nama atau SKU" in html
    response = _post(client, "/dasbor/produk/baru", _form(category, price=""))
    assert "Tentukan harga." in response.get_data(as_text=True)
    english = client.get("/dasbor/produk", headers={"Accept-Language": "en"})
    assert "New product" in english.get_data(as_text=True)


def test_product_and_stock_lists_page_and_keep_their_filters(shop_setup, monkeypatch):
    facility, category, _staff, client = shop_setup
    for n in range(55):
        make_product(facility, category, name=f"Tas Rotan {n:02d}", sku=f"TR-{n:02d}")
    make_product(facility, category, name="Kain 100% Katun", sku="KK-1")
    db.session.commit()

    first = client.get("/dasbor/produk?q=rotan").get_data(as_text=True)
    assert first.count("Tas Rotan ") == 50
    assert re.search(r'rel="next" href="/dasbor/produk\?[^"]*page=2', first)
    assert re.search(r'rel="next" href="[^"]*q=rotan', first)
    second = client.get("/dasbor/produk?q=rotan&page=2").get_data(as_text=True)
    assert second.count("Tas Rotan ") == 5 and 'rel="prev"' in second
    assert 'rel="next"' not in second
    last = client.get("/dasbor/produk?q=rotan&page=99").get_data(as_text=True)
    assert last.count("Tas Rotan ") == 5  # past the end: the last page

    stock = client.get("/dasbor/stok?q=rotan&page=2").get_data(as_text=True)
    assert stock.count("Tas Rotan ") == 5
    # LIKE wildcards in the search are searched for, not expanded, in both lists.
    for url in ("/dasbor/produk?q=100%25", "/dasbor/stok?q=100%25"):
        html = client.get(url).get_data(as_text=True)
        assert "Kain 100% Katun" in html and "Tas Rotan" not in html
    assert "Tas Rotan" not in client.get("/dasbor/stok?q=_").get_data(as_text=True)
