"""Orders to fulfil: tabs, one part (own lines only, no payment details), pack, ship with
courier and tracking (buyer emailed), cancel a paid part (stock back, refund flagged)."""

from __future__ import annotations

import pytest
from dash_data import paid_order
from factories import make_category, make_facility, make_product
from order_helpers import place, stock
from sqlalchemy import select
from staff_helpers import csrf_token, make_user, sign_in

from shop.extensions import db
from shop.i18n import format_rupiah as rupiah
from shop.inventory.models import StockMovement
from shop.mail.models import OutboxMessage
from shop.orders import services as orders
from shop.orders.models import FacilityOrder, Order
from shop.shipping.services import ensure_default_rates

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(app):
    ensure_default_rates()
    category = make_category()
    home = make_facility(name="Lapas Batik")
    other = make_facility(name="Lapas Tenun", province="Bali")
    mine = make_product(home, category, name="Batik Kawung Biru", on_hand=5, sku="BK-1")
    theirs = make_product(other, category, name="Tenun Endek Merah", on_hand=5)
    staff = make_user(home)
    db.session.commit()
    order = paid_order({mine.id: 2, theirs.id: 1})
    parts = {
        p.facility_id: p
        for p in db.session.scalars(select(FacilityOrder).where(FacilityOrder.order_id == order.id))
    }
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 303
    return {
        "client": client,
        "order": order,
        "part": parts[home.id],
        "their_part": parts[other.id],
        "mine": mine,
        "theirs": theirs,
    }


def _post(client, url, **data):
    data["csrf_token"] = csrf_token(client, "/dasbor/pesanan")
    return client.post(url, data=data, headers=EN)


def _status(part_id: int) -> str:
    db.session.commit()
    return db.session.get(FacilityOrder, part_id).status


def test_tabs_list_only_this_facilitys_parts(world):
    client = world["client"]
    page = client.get("/dasbor/pesanan", headers=EN).get_data(as_text=True)
    assert world["order"].number in page and "2 × Batik Kawung Biru" in page
    assert "Tenun Endek Merah" not in page
    assert 'Paid, to pack <span class="badge">1</span>' in page
    assert world["order"].number not in client.get("/dasbor/pesanan?tab=shipped").get_data(
        as_text=True
    )


def test_part_page_shows_address_and_own_lines_but_no_payment_details(world):
    client, order, part = world["client"], world["order"], world["part"]
    html = client.get(f"/dasbor/pesanan/{part.id}", headers=EN).get_data(as_text=True)
    assert "Jl. Melati No. 5" in html and "12810" in html and "Siti Rahma" in html
    assert "Batik Kawung Biru" in html and "Tenun Endek Merah" not in html
    assert f'Subtotal</th><td class="num">{rupiah(part.subtotal)}</td>' in html
    assert "Paid" in html and "Mark as packed" in html
    assert "BRI test" not in html and "siti@example.com" not in html
    assert f"{order.amount_due:,}".replace(",", ".") not in html  # nor the amount paid
    slip = client.get(f"/dasbor/pesanan/{part.id}/slip", headers=EN).get_data(as_text=True)
    assert "Packing slip" in slip and "BK-1" in slip and "Tenun Endek Merah" not in slip
    assert "Jl. Melati No. 5" in slip


def test_pack_then_ship_emails_the_buyer(world):
    client, part = world["client"], world["part"]
    url = f"/dasbor/pesanan/{part.id}"
    early = _post(client, f"{url}/kirim", courier="jne", tracking_number="JNE123456")
    followed = client.get(early.headers["Location"], headers=EN).get_data(as_text=True)
    assert "status changed meanwhile; nothing was done" in followed
    assert _status(part.id) == "processing"  # must be packed first: refused, told why
    assert _post(client, f"{url}/dikemas").status_code == 303
    assert _status(part.id) == "packed"
    bad = _post(client, f"{url}/kirim", courier="jne", tracking_number="x!")
    assert "Write the tracking number from the courier" in bad.get_data(as_text=True)
    assert _status(part.id) == "packed"
    response = _post(client, f"{url}/kirim", courier="jnt", tracking_number=" jp 1234 5678 ")
    assert response.status_code == 303
    db.session.commit()
    shipped = db.session.get(FacilityOrder, part.id)
    assert (shipped.status, shipped.courier, shipped.tracking_number) == (
        "shipped",
        "jnt",
        "JP12345678",
    )
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "part_shipped")
    ).one()
    assert mail.to_addr == "siti@example.com" and "JP12345678" in mail.text_body
    assert stock(world["mine"].id) == (3, 0)  # shipping does not move stock again
    assert _status(world["their_part"].id) == "processing"


def test_cancel_a_paid_part_returns_stock_and_flags_refund(world):
    client, part, order = world["client"], world["part"], world["order"]
    url = f"/dasbor/pesanan/{part.id}/batal"
    short = _post(client, url, reason="")
    assert "Say why the part cannot be sent." in short.get_data(as_text=True)
    assert _status(part.id) == "processing"
    assert stock(world["mine"].id) == (3, 0)
    assert _post(client, url, reason="Kain sobek saat dikemas").status_code == 303
    db.session.commit()
    cancelled = db.session.get(FacilityOrder, part.id)
    assert cancelled.status == "cancelled" and cancelled.refund_due
    assert cancelled.cancel_reason == "Kain sobek saat dikemas"
    assert stock(world["mine"].id) == (5, 0)
    back = db.session.scalars(
        select(StockMovement).where(StockMovement.reason_code == "cancelled")
    ).one()
    assert (back.delta, back.order_id, back.kind) == (2, order.id, "return")
    assert [p.id for p in orders.refund_due_parts()] == [part.id]
    assert db.session.get(Order, order.id).status == "paid"  # money: administrators' job
    assert _status(world["their_part"].id) == "processing"
    assert stock(world["theirs"].id) == (4, 0)
    again = _post(client, url, reason="Sekali lagi dibatalkan")
    assert again.status_code == 303 and stock(world["mine"].id) == (5, 0)

    # The buyer hears why, once, in the language of the checkout, with the amount back.
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "part_cancelled")
    ).one()
    refund = rupiah(cancelled.subtotal + cancelled.shipping_fee)
    assert mail.to_addr == order.email and mail.subject.startswith("Sebagian pesanan")
    assert "Kain sobek saat dikemas" in mail.text_body and refund in mail.text_body
    assert refund in mail.html_body


def test_shipped_or_unpaid_parts_cannot_be_cancelled(world, app):
    client, part = world["client"], world["part"]
    _post(client, f"/dasbor/pesanan/{part.id}/dikemas")
    _post(client, f"/dasbor/pesanan/{part.id}/kirim", courier="jne", tracking_number="JNE998877")
    page = _post(client, f"/dasbor/pesanan/{part.id}/batal", reason="Terlambat sekali")
    assert _status(part.id) == "shipped" and page.status_code == 303
    unpaid = place({world["mine"].id: 1})
    unpaid_part = db.session.scalar(
        select(FacilityOrder).where(FacilityOrder.order_id == unpaid.id)
    )
    _post(client, f"/dasbor/pesanan/{unpaid_part.id}/batal", reason="Belum dibayar kok")
    assert _status(unpaid_part.id) == "pending"
    html = client.get(f"/dasbor/pesanan/{unpaid_part.id}", headers=EN).get_data(as_text=True)
    assert "Waiting for payment" in html and "Not paid yet" in html


def test_other_facilitys_part_is_404_everywhere(world):
    client, theirs = world["client"], world["their_part"]
    base = f"/dasbor/pesanan/{theirs.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/slip").status_code == 404
    assert _post(client, f"{base}/dikemas").status_code == 404
    assert (
        _post(client, f"{base}/kirim", courier="jne", tracking_number="JNE1234567").status_code
        == 404
    )
    assert _post(client, f"{base}/batal", reason="bukan milik kami").status_code == 404
    assert _post(client, f"{base}/diterima").status_code == 404
    assert _status(theirs.id) == "processing"


def test_shipped_part_is_marked_delivered_only_after_shipping(world):
    client, part = world["client"], world["part"]
    url = f"/dasbor/pesanan/{part.id}"
    _post(client, f"{url}/diterima")
    assert _status(part.id) == "processing"  # not shipped yet: refused
    _post(client, f"{url}/dikemas")
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "Mark as delivered" not in page
    _post(client, f"{url}/kirim", courier="jne", tracking_number="JNE12345678")
    assert "Mark as delivered" in client.get(url, headers=EN).get_data(as_text=True)
    assert _post(client, f"{url}/diterima").status_code == 303
    assert _status(part.id) == "delivered"
    assert "Mark as delivered" not in client.get(url, headers=EN).get_data(as_text=True)
