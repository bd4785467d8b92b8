from __future__ import annotations

import re

import pytest
from csrf import csrf_token_from
from order_helpers import shop_with_products, stock
from sqlalchemy import event, func, select, update

from shop.catalog.models import Product
from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.orders.models import FacilityOrder, Order, OrderEvent
from shop.payments.models import Payment

DETAILS = {
    "name": "Siti Rahma",
    "email": "siti@example.com",
    "phone": "0812-3456-7890",
    "street": "Jl. Melati No. 5",
    "province": "DKI Jakarta",
    "city": "Jakarta Selatan",
    "district": "Tebet",
    "postal_code": "12810",
    "note": "Tolong dibungkus rapi",
    "courier": "jne",
}


def fill_cart(client, *products_and_quantities):
    token = csrf_token_from(client.get("/pesanan/cari").get_data(as_text=True))
    for product, quantity in products_and_quantities:
        response = client.post(
            "/keranjang/tambah",
            data={"csrf_token": token, "product_id": product.id, "quantity": str(quantity)},
        )
        assert response.status_code == 303
    return token


def submit_details(client, **overrides):
    token = csrf_token_from(client.get("/checkout").get_data(as_text=True))
    return client.post("/checkout", data={"csrf_token": token, **DETAILS, **overrides})


def confirm_form(client) -> dict:
    html = client.get("/checkout/ringkasan").get_data(as_text=True)
    fields = dict(
        re.findall(r'name="(csrf_token|idempotency_key|expected_total)"[^>]*value="([^"]*)"', html)
    )
    fields["payment_method"] = "bank_transfer"
    return fields


def order_count() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Order))


@pytest.fixture
def two_facilities():
    # Facility 0 in Jawa Timur, facility 1 in Bali; buyer ships to DKI Jakarta.
    return shop_with_products(on_hand=(3, 1), facilities=2, weight_grams=1200)


def test_guest_checkout_by_bank_transfer(client, two_facilities):
    batik, rattan = two_facilities
    fill_cart(client, (batik, 2), (rattan, 1))
    assert submit_details(client).status_code == 303

    summary = client.get("/checkout/ringkasan").get_data(as_text=True)
    assert summary.count('class="order-part"') == 2
    # Jawa Timur → DKI Jakarta is zone 2 (same island), 2.4 kg → JNE 18.000 + 2 × 12.000.
    assert "Rp 42.000" in summary
    # Bali → DKI Jakarta is zone 3, 1.2 kg → JNE 35.000 + 28.000.
    assert "Rp 63.000" in summary
    assert "Rp 555.000" in summary  # 450.000 products + 105.000 shipping

    response = client.post("/checkout/pesan", data=confirm_form(client))
    assert response.status_code == 303
    order = db.session.execute(select(Order)).scalar_one()
    assert response.location.endswith(f"/pesanan/{order.public_token}?baru=1")
    assert order.phone == "+6281234567890"
    assert (order.subtotal, order.shipping_total, order.total) == (450_000, 105_000, 555_000)
    assert 1 <= order.unique_code <= 999 and order.amount_due == 555_000 + order.unique_code
    assert re.fullmatch(r"KB-\d{4}-[2-9A-HJKMNP-TV-Z]{4}", order.number)
    parts = db.session.execute(select(FacilityOrder).order_by(FacilityOrder.id)).scalars().all()
    assert sorted(p.shipping_fee for p in parts) == [42_000, 63_000]
    assert stock(batik.id) == (3, 2) and stock(rattan.id) == (1, 1)
    payment = db.session.execute(select(Payment)).scalar_one()
    assert (payment.provider, payment.status, payment.amount) == (
        "bank_transfer",
        "pending",
        order.amount_due,
    )
    assert (
        db.session.execute(select(OrderEvent.to_status)).scalars().all().count("awaiting_payment")
        == 1
    )
    mail = db.session.execute(select(OutboxMessage)).scalar_one()
    assert mail.kind == "order_received" and mail.to_addr == "siti@example.com"
    assert order.number in mail.subject and order.public_token in mail.text_body

    page = client.get(response.location).get_data(as_text=True)
    assert order.number in page
    amount = f"Rp {order.amount_due:,}".replace(",", ".")
    assert amount in page
    assert "0123-01-000456-30-7" in page
    assert client.get("/keranjang").get_data(as_text=True).count("cart-line") == 0  # emptied


def test_form_errors_come_back_with_the_input(client, two_facilities):
    fill_cart(client, (two_facilities[0], 1))
    response = submit_details(
        client,
        phone="12345",
        postal_code="123",
        province="Atlantis",
        email="not-an-email",
        street="",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('class="field-error"') == 5
    assert 'value="12345"' in html and 'value="123"' in html and 'value="Siti Rahma"' in html
    assert 'aria-invalid="true"' in html
    # Screen readers hear the message with the field: it names the error paragraph.
    postal = re.search(r'<input[^>]*name="postal_code"[^>]*>', html).group(0)
    assert 'aria-describedby="postal_code-error"' in postal and 'aria-invalid="true"' in postal
    assert re.search(r'<p class="field-error" id="postal_code-error">[^<]+</p>', html)
    assert order_count() == 0


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(021) 555-1234", "+62215551234"),
        ("12345", None),
        ("+1 555 123 4567", None),
        ("08", None),
        ("0812345678901234", None),
        ("08abc", None),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw, expected):
    from shop.checkout.phone import normalize_phone

    assert normalize_phone(raw) == expected


def test_double_submit_places_one_order(client, two_facilities):
    fill_cart(client, (two_facilities[0], 1))
    submit_details(client)
    form = confirm_form(client)
    first = client.post("/checkout/pesan", data=form)
    second = client.post("/checkout/pesan", data=form)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert order_count() == 1
    assert stock(two_facilities[0].id) == (3, 1)


def test_a_submit_again_with_the_cart_still_there_places_nothing_more(client, two_facilities):
    """The second submit of a form (its cart not emptied yet, as when both were sent
    before the first answer came back) gets the first order from ``place_order``."""
    fill_cart(client, (two_facilities[0], 1))
    submit_details(client)
    form = confirm_form(client)
    statements: list[str] = []

    def sent(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", sent)
    try:
        first = client.post("/checkout/pesan", data=form)
    finally:
        event.remove(db.engine, "before_cursor_execute", sent)
    # The key is looked up by place_order's first read, not by a query of its own.
    by_key = "WHERE shop_order.idempotency_key"
    assert not [s for s in statements if s.startswith("SELECT shop_order") and by_key in s]
    fill_cart(client, (two_facilities[0], 1))
    second = client.post("/checkout/pesan", data=form)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert order_count() == 1
    assert stock(two_facilities[0].id) == (3, 1)


def test_tampered_total_or_changed_price_places_nothing(client, two_facilities):
    batik = two_facilities[0]
    fill_cart(client, (batik, 1))
    submit_details(client)
    form = confirm_form(client)
    tampered = {**form, "expected_total": "1000"}
    response = client.post("/checkout/pesan", data=tampered, follow_redirects=True)
    assert order_count() == 0
    assert "Rp 180.000" in response.get_data(as_text=True)  # summary shows the real total

    db.session.execute(update(Product).where(Product.id == batik.id).values(price=175_000))
    db.session.commit()
    response = client.post("/checkout/pesan", data=form)
    assert response.location.endswith("/checkout/ringkasan")
    assert order_count() == 0
    assert stock(batik.id) == (3, 0)


def test_item_running_out_before_placing_names_it_and_holds_nothing(client, two_facilities):
    batik, rattan = two_facilities
    fill_cart(client, (batik, 2), (rattan, 1))
    submit_details(client)
    form = confirm_form(client)
    db.session.execute(update(Product).where(Product.id == rattan.id).values(allocated=1))
    db.session.commit()
    response = client.post("/checkout/pesan", data=form, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert rattan.name in html
    assert order_count() == 0
    assert stock(batik.id) == (3, 0)


def test_tampered_cart_session_cannot_order_what_is_not_for_sale(client, two_facilities):
    batik = two_facilities[0]
    fill_cart(client, (batik, 1))
    submit_details(client)
    form = confirm_form(client)
    # The session is signed, but even a forged one only names ids and quantities.
    with client.session_transaction() as session:
        session["cart"] = {str(batik.id): [50, 1], "424242": [1, 1]}
    response = client.post("/checkout/pesan", data=form, follow_redirects=True)
    assert order_count() == 0
    assert stock(batik.id) == (3, 0)
    assert "cart-line" in response.get_data(as_text=True)  # back on the cart page


def test_courier_and_rates_come_from_the_editable_table(client, two_facilities):
    from shop.shipping.services import set_rate

    fill_cart(client, (two_facilities[0], 1))
    submit_details(client, courier="pos")
    assert "Rp 25.000" in client.get("/checkout/ringkasan").get_data(as_text=True)
    set_rate("pos", 2, 21_000, 9_000, "admin:1")
    db.session.commit()
    assert "Rp 30.000" in client.get("/checkout/ringkasan").get_data(as_text=True)


@pytest.mark.parametrize("field", ["name", "street", "city", "district"])
def test_details_of_only_spaces_are_refused_with_the_form_again(client, two_facilities, field):
    batik, _rattan = two_facilities
    fill_cart(client, (batik, 1))
    response = submit_details(client, **{field: "   \t "})
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # the form again, not the summary
    assert 'value="siti@example.com"' in html  # what was typed stays
    assert html.count('aria-invalid="true"') == 1
    messages = {
        "name": "Silakan isi nama Anda.",
        "street": "Silakan isi alamat jalan.",
        "city": "Silakan isi kota atau kabupaten.",
        "district": "Silakan isi kecamatan.",
    }
    assert messages[field] in html
    assert client.get("/checkout/ringkasan").status_code == 303  # no details saved


def test_details_are_saved_without_surrounding_spaces(client, two_facilities):
    batik, _rattan = two_facilities
    fill_cart(client, (batik, 1))
    assert (
        submit_details(client, name="  Siti   Rahma ", city=" Jakarta Selatan ").status_code == 303
    )
    client.post("/checkout/pesan", data=confirm_form(client))
    db.session.commit()
    order = db.session.scalars(select(Order)).one()
    assert (order.name, order.city) == ("Siti Rahma", "Jakarta Selatan")


def test_the_order_lookup_page_is_linked_from_pages_confirmation_and_emails(client, two_facilities):
    home = client.get("/").get_data(as_text=True)
    header, footer = home.split('id="main"')[0], home.split('class="site-footer"')[1]
    for part in (header, footer):
        assert 'href="/pesanan/cari"' in part and "Cari pesanan Anda" in part

    batik, _rattan = two_facilities
    fill_cart(client, (batik, 1))
    submit_details(client)
    placed = client.post("/checkout/pesan", data=confirm_form(client))
    order = db.session.execute(select(Order)).scalar_one()
    page = client.get(placed.location).get_data(as_text=True)
    main = page.split('id="main"')[1].split('class="site-footer"')[0]
    assert f"Simpan nomor pesanan {order.number}" in main and 'href="/pesanan/cari"' in main

    mail = db.session.execute(select(OutboxMessage)).scalar_one()
    lookup = "http://shop.test/pesanan/cari"  # SITE_URL of the tests
    assert f"{order.number} dan alamat email Anda: {lookup}" in mail.text_body
    assert f'<a href="{lookup}">' in mail.html_body
