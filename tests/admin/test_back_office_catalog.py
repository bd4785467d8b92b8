"""Catalog moderation: a hidden product is not buyable anywhere, the facility sees why;
categories are created, renamed, reordered and merged; each change one audit row."""

from __future__ import annotations

import pytest
from csrf import csrf_token_from
from factories import make_category, make_facility, make_product
from order_helpers import place, shop_with_products
from sqlalchemy import func, select
from staff_helpers import csrf_token, make_user, sign_in

from shop.audit.models import AuditEntry
from shop.catalog.models import Category, Product
from shop.checkout.services import CheckoutProblem
from shop.extensions import db

EN = {"Accept-Language": "en"}


def html_of(response) -> str:
    return response.get_data(as_text=True)


def audit_rows(**where) -> list[AuditEntry]:
    db.session.commit()
    stmt = select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)
    return list(db.session.scalars(stmt))


def post(client, url, data, headers=None):
    token = csrf_token(client, "/admin/kategori")
    return client.post(url, data={"csrf_token": token, **data}, headers=headers or {})


def hide(admin, product, reason="Foto memuat wajah warga binaan"):
    return post(admin, f"/admin/produk/{product.id}/sembunyikan", {"reason": reason})


def test_hidden_product_leaves_catalog_search_page_cart_and_checkout(app, admin, admin_user):
    (product,) = shop_with_products(on_hand=(5,), name="Tas Anyaman Pandan Unik")
    visitor = app.test_client()
    token = csrf_token_from(html_of(visitor.get("/pesanan/cari")))
    add = {"csrf_token": token, "product_id": product.id, "quantity": "1"}
    assert visitor.post("/keranjang/tambah", data=add).status_code in (302, 303)
    assert "Tas Anyaman Pandan Unik" in html_of(visitor.get("/produk?q=pandan"))

    response = hide(admin, product)
    assert response.status_code == 303
    (row,) = audit_rows(action="product.hide")
    assert (row.user_id, row.object_type, row.object_id, row.facility_id) == (
        admin_user.id,
        "product",
        product.id,
        product.facility_id,
    )
    assert row.before == {"hidden": False}
    assert row.after == {"hidden": True, "hidden_reason": "Foto memuat wajah warga binaan"}
    assert len(audit_rows()) == 1

    db.session.refresh(product)
    assert product.status == "active"  # the facility's status is untouched
    assert "Tas Anyaman Pandan Unik" not in html_of(visitor.get("/produk"))
    assert "Tas Anyaman Pandan Unik" not in html_of(visitor.get("/produk?q=pandan"))
    assert "Tas Anyaman Pandan Unik" not in html_of(visitor.get("/"))
    assert visitor.get(f"/produk/{product.slug}").status_code == 404
    cart = html_of(visitor.get("/keranjang"))
    assert "cart-line-blocked" in cart and 'href="/checkout"' not in cart
    visitor.post(f"/keranjang/{product.id}/hapus", data={"csrf_token": token})
    visitor.post("/keranjang/tambah", data=add)
    assert "Tas Anyaman Pandan Unik" not in html_of(visitor.get("/keranjang"))
    with pytest.raises(CheckoutProblem):
        place({product.id: 1})

    response = post(admin, f"/admin/produk/{product.id}/tampilkan", {})
    assert response.status_code == 303
    (row,) = audit_rows(action="product.unhide")
    assert row.before == {"hidden": True, "hidden_reason": "Foto memuat wajah warga binaan"}
    assert row.after == {"hidden": False}
    assert "Tas Anyaman Pandan Unik" in html_of(visitor.get("/produk?q=pandan"))
    assert place({product.id: 1}).status == "awaiting_payment"


def test_staff_sees_why_their_product_is_hidden(app, admin):
    facility = make_facility()
    product = make_product(facility, name="Kursi Rotan")
    staff = make_user(facility)
    db.session.commit()
    assert hide(admin, product, "Harga salah ketik").status_code == 303
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 303
    page = html_of(client.get(f"/dasbor/produk/{product.id}"))
    assert "Disembunyikan oleh administrator" in page
    assert "Harga salah ketik" in page
    listing = html_of(client.get("/dasbor/produk"))
    assert "Kursi Rotan" in listing and "Disembunyikan administrator" in listing


def test_hiding_needs_a_reason_and_says_so_in_indonesian(admin):
    product = make_product()
    db.session.commit()
    response = hide(admin, product, "   ")
    assert response.status_code == 400
    assert "Tulis alasan produk disembunyikan" in html_of(response)
    assert audit_rows() == []
    db.session.refresh(product)
    assert product.hidden_at is None


def test_product_list_filters(admin):
    batik, rotan = make_category(name_id="Batik"), make_category(name_id="Rotan")
    north, south = make_facility(name="Lapas Utara"), make_facility(name="Lapas Selatan")
    make_product(north, batik, name="Kain Parang Utara", status="active")
    make_product(south, rotan, name="Keranjang Selatan", status="draft", sku="KR-9")
    hidden = make_product(south, batik, name="Kain Tersembunyi", status="active")
    db.session.commit()
    assert hide(admin, hidden).status_code == 303

    def names(query: str) -> set[str]:
        page = html_of(admin.get(f"/admin/produk?{query}"))
        return {
            name
            for name in ("Kain Parang Utara", "Keranjang Selatan", "Kain Tersembunyi")
            if name in page
        }

    assert names("") == {"Kain Parang Utara", "Keranjang Selatan", "Kain Tersembunyi"}
    assert names(f"facility={south.id}") == {"Keranjang Selatan", "Kain Tersembunyi"}
    assert names(f"category={batik.id}") == {"Kain Parang Utara", "Kain Tersembunyi"}
    assert names("status=draft") == {"Keranjang Selatan"}
    assert names("hidden=1") == {"Kain Tersembunyi"}
    assert names("hidden=0&status=active") == {"Kain Parang Utara"}
    assert names("q=kr-9") == {"Keranjang Selatan"}
    assert names("q=kain&facility=999999999999999&category=%D9%A1") == {
        "Kain Parang Utara",
        "Kain Tersembunyi",
    }  # hostile ids are ignored, never a 500


def test_merge_moves_products_and_removes_the_category(admin, admin_user):
    tulis, cap = make_category(name_id="Batik Tulis"), make_category(name_id="Batik Cap")
    moved = [make_product(category=cap, name=f"Kain Cap {i}") for i in range(3)]
    stays = make_product(category=tulis, name="Kain Tulis")
    db.session.commit()
    response = post(admin, f"/admin/kategori/{cap.id}/gabung", {f"m{cap.id}-target": tulis.id})
    assert response.status_code == 303
    db.session.commit()
    assert db.session.get(Category, cap.id) is None
    in_tulis = db.session.scalars(select(Product.id).where(Product.category_id == tulis.id))
    assert set(in_tulis) == {stays.id, *(p.id for p in moved)}
    moved_text = db.session.get(Product, moved[0].id).search_text.lower()
    assert "batik tulis" in moved_text and "batik cap" not in moved_text
    (row,) = audit_rows()
    assert (row.action, row.object_id, row.user_id) == ("category.merge", cap.id, admin_user.id)
    assert row.before["name_id"] == "Batik Cap"
    assert sorted(row.before["products"]) == sorted(p.id for p in moved)
    assert row.after["merged_into"] == tulis.id


def test_merge_into_itself_is_refused(admin):
    category = make_category()
    other = make_category()
    db.session.commit()
    response = post(
        admin, f"/admin/kategori/{category.id}/gabung", {f"m{category.id}-target": category.id}
    )
    assert response.status_code == 400
    assert db.session.get(Category, category.id) is not None
    assert audit_rows() == []
    assert other.id  # the other category was a valid target, this one was not


def test_create_rename_and_reorder_categories_each_write_one_audit_row(admin):
    first = make_category(name_id="Tenun", name_en="Weaving", position=1)
    db.session.commit()
    response = post(admin, "/admin/kategori", {"new-name_id": "Kulit", "new-name_en": "Leather"})
    assert response.status_code == 303
    created = db.session.scalar(select(Category).where(Category.name_id == "Kulit"))
    (row,) = audit_rows(action="category.create")
    assert row.object_id == created.id and row.after["name_en"] == "Leather"

    duplicate = post(admin, "/admin/kategori", {"new-name_id": "kulit", "new-name_en": "X"})
    assert duplicate.status_code == 400
    assert "Kategori dengan nama ini sudah ada." in html_of(duplicate)
    assert 'value="kulit"' in html_of(duplicate)  # the input comes back

    url = f"/admin/kategori/{first.id}"
    renamed = post(
        admin, url, {f"c{first.id}-name_id": "Tenun Ikat", f"c{first.id}-name_en": "Ikat"}
    )
    assert renamed.status_code == 303
    (row,) = audit_rows(action="category.rename")
    assert row.before == {"name_id": "Tenun", "name_en": "Weaving"}
    assert row.after == {"name_id": "Tenun Ikat", "name_en": "Ikat"}

    assert (
        post(admin, f"/admin/kategori/{created.id}/posisi", {"direction": "up"}).status_code == 303
    )
    db.session.commit()
    order = db.session.scalars(select(Category.name_id).order_by(Category.position, Category.id))
    assert list(order) == ["Kulit", "Tenun Ikat"]
    (row,) = audit_rows(action="category.move")
    assert (row.before, row.after) == ({"position": 2}, {"position": 1})
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 3
