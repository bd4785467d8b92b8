"""Administrators confirm bank transfers: the queue, the search, the confirmation form."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from order_helpers import BUYER, assert_stock_invariants, place, shop_with_products, stock
from sqlalchemy import func, select
from staff_helpers import csrf_token, make_user, sign_in

from shop.admin import transfers as transfer_list
from shop.extensions import db
from shop.i18n import format_rupiah
from shop.inventory.models import StockAllocation
from shop.mail.models import OutboxMessage
from shop.orders import services as orders
from shop.orders.models import Order, OrderEvent
from shop.payments.models import Payment, PaymentChange
from shop.sqltypes import utcnow

BUDI = replace(BUYER, name="Budi Santoso", email="budi@example.com")


def html_of(response) -> str:
    return response.get_data(as_text=True)


def payment_of(order_id: int) -> Payment:
    db.session.commit()  # a fresh snapshot: the request committed in its own transaction
    return db.session.execute(select(Payment).where(Payment.order_id == order_id)).scalar_one()


def order_status(order_id: int) -> str:
    db.session.commit()
    return db.session.scalar(select(Order.status).where(Order.id == order_id))


def changes(payment_id: int) -> list[tuple]:
    db.session.commit()
    return db.session.execute(
        select(PaymentChange.from_status, PaymentChange.to_status, PaymentChange.actor)
        .where(PaymentChange.payment_id == payment_id)
        .order_by(PaymentChange.id)
    ).all()


def mail_kinds(order_id: int) -> list[tuple[str, str]]:
    db.session.commit()
    return db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.to_addr)
        .where(OutboxMessage.order_id == order_id)
        .order_by(OutboxMessage.id)
    ).all()


def confirm(client, order_id: int, amount: str, reference: str = "", token: str | None = None):
    path = f"/admin/transfer/{order_id}"
    token = token or csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "amount": amount, "reference": reference})


def flashes(client) -> str:
    """The messages the next page shows (the list, after a redirect)."""
    return html_of(client.get("/admin/transfer"))


# ---- the list, the search, the to-do page ----------------------------------------------


def test_list_shows_transfers_awaiting_confirmation_oldest_deadline_first(admin):
    product, card_product = shop_with_products(on_hand=(3, 1))
    later = place({product.id: 1})
    sooner = place({product.id: 1}, buyer=BUDI, now=utcnow() - timedelta(hours=5))
    card = place({card_product.id: 1}, payment_method="card")
    paid = place({product.id: 1})
    assert confirm(admin, paid.id, str(paid.amount_due)).status_code == 303
    assert paid.number in flashes(admin)  # the confirmation message, shown once

    html = html_of(admin.get("/admin/transfer"))
    table = html[html.index('id="awaiting"') :]
    assert table.index(sooner.number) < table.index(later.number)
    assert card.number not in html and paid.number not in html
    assert "Budi Santoso" in table and "budi@example.com" in table and "siti@example.com" in table
    assert format_rupiah(sooner.amount_due) in table and format_rupiah(later.amount_due) in table
    assert sooner.amount_due != sooner.total  # the amount due carries the unique code
    assert table.count("Menunggu pembayaran") == 2
    assert f'href="/admin/transfer/{sooner.id}"' in table
    assert re.search(r"Menunggu konfirmasi <span class=\"badge\">2</span>", html)
    assert 'aria-current="page">Transfer bank</a>' in html  # the navigation entry


def test_the_awaiting_list_is_paged_with_the_shared_pager(admin, monkeypatch):
    (product,) = shop_with_products(on_hand=(2,))
    first = place({product.id: 1}, now=utcnow() - timedelta(hours=2))
    second = place({product.id: 1})
    monkeypatch.setattr(transfer_list, "PER_PAGE", 1)
    page_one = html_of(admin.get("/admin/transfer"))
    assert first.number in page_one and second.number not in page_one
    assert "Halaman 1 dari 2" in page_one and 'rel="next" href="/admin/transfer?page=2"' in page_one
    page_two = html_of(admin.get("/admin/transfer?page=2"))
    assert second.number in page_two and first.number not in page_two


@pytest.mark.parametrize(
    "style",
    [
        "Rp {dotted}",
        "{dotted}",
        "{plain}",
        "{dotted},00",
        "Rp {dotted},00",
        "{comma}",
        "{comma}.00",
        "IDR {comma}",
    ],
)
def test_search_by_exact_amount_in_each_written_form(admin, style):
    (product,) = shop_with_products(on_hand=(2,))
    wanted = place({product.id: 1})
    other = place({product.id: 1}, buyer=BUDI)
    typed = style.format(
        dotted=format_rupiah(wanted.amount_due).removeprefix("Rp "),
        comma=f"{wanted.amount_due:,}",
        plain=wanted.amount_due,
    )
    response = admin.get("/admin/transfer", query_string={"amount": typed})
    html = html_of(response)
    assert response.status_code == 200
    results = html[html.index('id="search-results"') :]
    assert wanted.number in results and other.number not in results
    assert format_rupiah(wanted.amount_due) in results
    typed_back = re.search(r'id="amount"[^>]*value="([^"]*)"', html)
    assert typed_back and typed_back.group(1) == typed


def test_search_by_order_number_and_what_finds_nothing(admin):
    (product,) = shop_with_products(on_hand=(2,))
    wanted = place({product.id: 1})
    other = place({product.id: 1}, buyer=BUDI)
    html = html_of(admin.get("/admin/transfer", query_string={"number": wanted.number.lower()}))
    results = html[html.index('id="search-results"') :]
    assert wanted.number in results and other.number not in results

    html = html_of(admin.get("/admin/transfer", query_string={"amount": "1"}))
    assert "Tidak ada transfer bank dengan jumlah atau nomor pesanan ini." in html
    html = html_of(admin.get("/admin/transfer", query_string={"amount": "seratus"}))
    assert "“seratus” bukan jumlah rupiah." in html and 'id="search-results"' not in html
    html = html_of(admin.get("/admin/transfer", query_string={"amount": "150.000,50"}))
    assert "memuat sen" in html and 'id="search-results"' not in html


def test_to_do_page_counts_transfers_to_confirm_and_to_review(admin):
    (product,) = shop_with_products(on_hand=(3,))
    place({product.id: 1})
    place({product.id: 1})
    short = place({product.id: 1})
    assert confirm(admin, short.id, str(short.total - 1)).status_code == 303
    html = html_of(admin.get("/admin/"))
    awaiting = re.search(r'id="transfers-awaiting">([^<]*)<span class="badge">(\d+)<', html)
    review = re.search(r'id="transfers-review">([^<]*)<span class="badge[^"]*">(\d+)<', html)
    assert awaiting and awaiting.groups() == ("Menunggu konfirmasi ", "2")
    assert review and review.groups() == ("Perlu diperiksa ", "1")
    assert 'href="/admin/transfer?tab=review" id="transfers-review"' in html


# ---- confirming ------------------------------------------------------------------------


def test_confirming_the_exact_amount_pays_the_order(admin, admin_user):
    a, b = shop_with_products(on_hand=(3, 2), facilities=2)
    order = place({a.id: 2, b.id: 1})
    page = html_of(admin.get(f"/admin/transfer/{order.id}"))
    assert a.name in page and b.name in page and "siti@example.com" in page
    assert format_rupiah(order.amount_due) in page and format_rupiah(order.total) in page
    assert "Menunggu transfer" in page and 'name="amount"' in page

    response = confirm(admin, order.id, format_rupiah(order.amount_due), "BRI 991")
    assert response.status_code == 303 and response.location.endswith("/admin/transfer")
    listing = flashes(admin)
    assert f"Pesanan {order.number} lunas: {format_rupiah(order.amount_due)} diterima." in listing
    assert 'id="awaiting"' not in listing  # nothing left to confirm

    assert order_status(order.id) == "paid"
    assert stock(a.id) == (1, 0) and stock(b.id) == (1, 0)
    allocations = db.session.execute(
        select(StockAllocation.status).where(StockAllocation.order_id == order.id)
    ).scalars()
    assert set(allocations) == {"consumed"}
    payment = payment_of(order.id)
    actor = f"admin:{admin_user.id}"
    assert (payment.status, payment.amount_received, payment.reference, payment.confirmed_by) == (
        "succeeded",
        order.amount_due,
        "BRI 991",
        actor,
    )
    assert changes(payment.id) == [("pending", "succeeded", actor)]
    reason = db.session.scalar(select(PaymentChange.reason_msg))
    assert reason["params"]["amount"] == {"rupiah": order.amount_due}
    assert reason["params"]["ref"]["params"] == {"ref": "BRI 991"}
    assert mail_kinds(order.id) == [
        ("order_received", "siti@example.com"),
        ("payment_confirmed", "siti@example.com"),
    ]
    page = html_of(admin.get(f"/admin/transfer/{order.id}"))
    assert 'id="payment-status">Diterima<' in page and 'name="amount"' not in page
    # Who confirmed it, by name (never the stored "admin:<id>").
    assert "Riwayat pembayaran" in page and admin_user.email in page and actor not in page
    assert_stock_invariants()


def test_less_than_the_total_is_held_for_review(admin, admin_user):
    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1})
    short = order.total - 1_000
    assert confirm(admin, order.id, str(short)).status_code == 303
    listing = flashes(admin)
    assert (
        f"{format_rupiah(short)} kurang dari total pesanan {format_rupiah(order.total)}: "
        f"pesanan {order.number} tetap belum dibayar"
    ) in listing

    assert order_status(order.id) == "awaiting_payment"
    assert stock(product.id) == (1, 1)  # still held, nothing sold
    payment = payment_of(order.id)
    assert (payment.status, payment.amount_received) == ("needs_review", short)
    assert changes(payment.id) == [("pending", "needs_review", f"admin:{admin_user.id}")]
    assert [kind for kind, _to in mail_kinds(order.id)] == ["order_received"]

    review = html_of(admin.get("/admin/transfer?tab=review"))
    table = review[review.index('id="review"') :]
    assert order.number in table and format_rupiah(short) in table
    assert "kurang dari total pesanan" in table
    # The shop's own note, in the reader's language (stored as a message and its values).
    assert f"diterima {format_rupiah(short)}, total pesanan {format_rupiah(order.total)}" in table
    assert "received" not in table

    # the rest arrives: the admin writes everything received and the order is paid
    page = html_of(admin.get(f"/admin/transfer/{order.id}"))
    assert "Semua yang sudah diterima untuk pesanan ini" in page
    assert confirm(admin, order.id, str(order.amount_due)).status_code == 303
    assert order_status(order.id) == "paid" and stock(product.id) == (0, 0)
    assert [change[1] for change in changes(payment.id)] == ["needs_review", "succeeded"]


def test_confirming_twice_changes_nothing_the_second_time(admin):
    (product,) = shop_with_products(on_hand=(2,))
    order = place({product.id: 1})
    token = csrf_token(admin, f"/admin/transfer/{order.id}")
    assert confirm(admin, order.id, str(order.amount_due), token=token).status_code == 303
    payment = payment_of(order.id)
    before = (stock(product.id), changes(payment.id), mail_kinds(order.id))
    events = db.session.scalar(select(func.count()).where(OrderEvent.order_id == order.id))

    again = confirm(admin, order.id, str(order.amount_due), token=token)  # same form again
    assert again.status_code == 303 and again.location.endswith(f"/admin/transfer/{order.id}")
    page = html_of(admin.get(again.location))
    assert f"Pesanan {order.number} tidak sedang menunggu pembayaran (Lunas)" in page
    assert 'id="not-confirmable"' in page and 'name="amount"' not in page
    assert (stock(product.id), changes(payment.id), mail_kinds(order.id)) == before
    assert db.session.scalar(select(func.count()).where(OrderEvent.order_id == order.id)) == events


def test_two_simultaneous_submissions_pay_once(app, admin, admin_user):
    (product,) = shop_with_products(on_hand=(2,))
    order = place({product.id: 1})
    other = app.test_client()
    assert sign_in(other, admin_user.email).status_code == 303
    path = f"/admin/transfer/{order.id}"
    posts = [
        (client, {"csrf_token": csrf_token(client, path), "amount": str(order.amount_due)})
        for client in (admin, other)
    ]
    db.session.commit()  # end this test's read snapshot before the threads write
    barrier = threading.Barrier(2)
    locations: list[str] = []

    def submit(client, data):
        barrier.wait()
        locations.append(client.post(path, data=data).location)

    threads = [threading.Thread(target=submit, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    # one confirmation went back to the list, the refused one to the order page
    assert sorted(loc.rsplit("/admin/", 1)[1] for loc in locations) == [
        "transfer",
        f"transfer/{order.id}",
    ]
    assert order_status(order.id) == "paid"
    assert stock(product.id) == (1, 0)
    payment = payment_of(order.id)
    assert [change[1] for change in changes(payment.id)] == ["succeeded"]
    assert [kind for kind, _to in mail_kinds(order.id)] == ["order_received", "payment_confirmed"]
    assert_stock_invariants()


def test_late_transfer_for_an_expired_order_whose_stock_is_gone_needs_review(admin):
    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1}, now=utcnow() - timedelta(hours=30))
    assert orders.expire_due_orders() == 1
    other = place({product.id: 1}, buyer=BUDI)
    assert stock(product.id) == (1, 1)

    found = html_of(admin.get("/admin/transfer", query_string={"number": order.number}))
    assert order.number in found and "Kedaluwarsa" in found
    page = html_of(admin.get(f"/admin/transfer/{order.id}"))
    assert "Pesanan ini sudah kedaluwarsa." in page and 'name="amount"' in page

    assert confirm(admin, order.id, str(order.amount_due)).status_code == 303
    assert (
        f"Pesanan {order.number} sudah kedaluwarsa dan barangnya tidak lagi tersedia: "
        f"pembayaran {format_rupiah(order.amount_due)} masuk daftar"
    ) in flashes(admin)
    assert order_status(order.id) == "expired"
    assert order_status(other.id) == "awaiting_payment"
    assert stock(product.id) == (1, 1)  # untouched: still held for the other buyer
    payment = payment_of(order.id)
    assert payment.status == "needs_review"
    assert payment.note_msg["msgid"] == (
        "paid after the order expired and the stock is gone: refund"
    )
    # the expiry is audited too (close_pending_payments goes through the machine)
    assert [change[:2] for change in changes(payment.id)] == [
        ("pending", "expired"),
        ("expired", "needs_review"),
    ]
    review = html_of(admin.get("/admin/transfer?tab=review"))
    assert order.number in review and "barangnya terjual: kembalikan dana" in review
    assert_stock_invariants()


# ---- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("seratus ribu", "Tulis jumlah rupiah tanpa desimal"),
        ("", "Tulis jumlah yang masuk, dalam rupiah bulat."),
        ("0", "Tulis jumlah antara Rp 1 dan Rp 2.000.000.000."),
        ("3.000.000.000", "Tulis jumlah antara Rp 1 dan Rp 2.000.000.000."),
    ],
)
def test_an_invalid_amount_comes_back_as_typed_and_changes_nothing(admin, typed, message):
    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1})
    response = confirm(admin, order.id, typed, "BCA 12")
    html = html_of(response)
    assert response.status_code == 400
    assert message in html and html.count('class="field-error"') == 1
    amount = re.search(r'id="amount"[^>]*value="([^"]*)"', html)
    assert (amount.group(1) if amount else "") == typed
    assert re.search(r'id="reference"[^>]*value="BCA 12"', html)
    assert payment_of(order.id).status == "pending"
    assert order_status(order.id) == "awaiting_payment" and stock(product.id) == (1, 1)


def test_a_post_without_csrf_token_is_refused(admin):
    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1})
    response = admin.post(f"/admin/transfer/{order.id}", data={"amount": str(order.amount_due)})
    assert response.status_code == 400
    payment = payment_of(order.id)
    assert payment.status == "pending" and changes(payment.id) == []
    assert order_status(order.id) == "awaiting_payment" and stock(product.id) == (1, 1)


def test_staff_and_signed_out_visitors_can_neither_see_nor_confirm(app):
    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1})
    path = f"/admin/transfer/{order.id}"
    data = {"amount": str(order.amount_due)}

    anonymous = app.test_client()
    for url in ("/admin/transfer", path):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/masuk" in response.location
    token = csrf_token(anonymous, "/masuk")
    response = anonymous.post(path, data={**data, "csrf_token": token})
    assert response.status_code == 302 and "/masuk" in response.location

    staff = app.test_client()
    assert sign_in(staff, make_user().email).status_code == 303
    for url in ("/admin/transfer", path):
        assert staff.get(url).status_code == 403
    response = staff.post(path, data={**data, "csrf_token": csrf_token(staff)})
    assert response.status_code == 403

    assert payment_of(order.id).status == "pending"
    assert order_status(order.id) == "awaiting_payment" and stock(product.id) == (1, 1)


def test_an_order_without_a_bank_transfer_is_not_found(admin):
    (product,) = shop_with_products(on_hand=(1,))
    card = place({product.id: 1}, payment_method="card")
    assert admin.get(f"/admin/transfer/{card.id}").status_code == 404
    assert admin.get("/admin/transfer/999999").status_code == 404
    response = confirm(admin, card.id, "1000", token=csrf_token(admin, "/admin/ongkir"))
    assert response.status_code == 404
    assert order_status(card.id) == "awaiting_payment"
