"""Matching credits to orders: automatic when certain, by a person otherwise; all audited."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from order_helpers import BUYER, place, shop_with_products
from recon_helpers import bca_csv, due, lines_by_amount, today
from sqlalchemy import select, update
from staff_helpers import csrf_token

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.orders import services as orders
from shop.orders.models import Order
from shop.payments.models import Payment
from shop.reconciliation.models import StatementLine, StatementMatch
from shop.reconciliation.services import import_statement
from shop.sqltypes import utcnow

BUDI = replace(BUYER, name="Budi Santoso", email="budi@example.com")


def html_of(response) -> str:
    return response.get_data(as_text=True)


def order_row(order_id: int) -> Order:
    db.session.commit()
    return db.session.get(Order, order_id, populate_existing=True)


def payment_of(order_id: int) -> Payment:
    db.session.commit()
    return db.session.execute(
        select(Payment)
        .where(Payment.order_id == order_id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def audit_actions(line_id: int) -> list[str]:
    db.session.commit()
    return db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "statement_line", AuditEntry.object_id == line_id)
        .order_by(AuditEntry.id)
    ).all()


def run_import(*lines):
    """Import a BCA export of ``(amount, description)`` credits dated today."""
    result = import_statement(
        bca_csv([(today(), text, amount, "CR") for amount, text in lines]), "bca.csv", "tester"
    )
    db.session.commit()
    return result


def line_status(line_id: int) -> str:
    db.session.commit()
    return db.session.scalar(select(StatementLine.status).where(StatementLine.id == line_id))


@pytest.fixture
def product(app):
    (product,) = shop_with_products(on_hand=(10,))
    return product


# ---- automatic ---------------------------------------------------------------------------


def test_a_credit_equal_to_one_awaiting_amount_pays_that_order(product):
    order = place({product.id: 1})
    other = place({product.id: 1}, buyer=BUDI)
    result = run_import((due(order), "TRSF E-BANKING CR SITI RAHMA"), (12_345, "BUNGA"))
    assert result.matched == 1
    line = lines_by_amount()[due(order)]
    assert line.status == "matched"
    assert order_row(order.id).status == "paid"
    assert order_row(other.id).status == "awaiting_payment"
    payment = payment_of(order.id)
    assert (payment.status, payment.amount_received) == ("succeeded", due(order))
    assert payment.confirmed_by == f"statement:{line.id}"
    assert payment.reference == "TRSF E-BANKING CR SITI RAHMA"  # BCA: the description
    match = db.session.scalars(select(StatementMatch)).one()
    assert (match.order_id, match.kind, match.outcome) == (order.id, "auto", "paid")
    assert audit_actions(line.id) == ["statement_line.auto_match"]
    assert lines_by_amount()[12_345].status == "unmatched"  # interest: nobody's order


def test_two_orders_with_the_same_amount_are_left_for_a_person(admin, product):
    first = place({product.id: 1}, now=utcnow() - timedelta(hours=30))
    orders.expire_due_orders()  # its payment expires and frees its amount …
    second = place({product.id: 1}, buyer=BUDI)
    db.session.execute(  # … which a later order happens to draw
        update(Payment).where(Payment.order_id == second.id).values(amount=due(first))
    )
    db.session.execute(update(Order).where(Order.id == second.id).values(amount_due=due(first)))
    db.session.commit()
    assert run_import((due(first), "TRSF E-BANKING CR")).matched == 0
    line = lines_by_amount()[due(first)]
    assert line.status == "unmatched"
    assert order_row(second.id).status == "awaiting_payment"
    html = html_of(admin.get(f"/admin/rekonsiliasi/baris/{line.id}"))
    candidates = html[html.index('id="candidates"') :]
    assert first.number in candidates and second.number in candidates
    assert "Jumlah tepat, dalam batas waktu pembayaran" in candidates
    assert "Jumlah tepat, tetapi setelah batas waktu pembayaran" in candidates


def test_a_late_payment_is_left_for_a_person(admin, product):
    late = place({product.id: 1}, now=utcnow() - timedelta(days=3))  # deadline 2 days ago
    assert run_import((due(late), "TRSF E-BANKING CR")).matched == 0
    line = lines_by_amount()[due(late)]
    assert line.status == "unmatched"
    assert order_row(late.id).status == "awaiting_payment"
    html = html_of(admin.get(f"/admin/rekonsiliasi/baris/{line.id}"))
    assert late.number in html and "setelah batas waktu pembayaran" in html


def test_a_near_amount_or_the_total_without_the_code_is_left_for_a_person(admin, product):
    order = place({product.id: 1})
    assert run_import((order.total, "TANPA KODE"), (due(order) + 1, "SALAH SATU")).matched == 0
    lines = lines_by_amount()
    assert {lines[order.total].status, lines[due(order) + 1].status} == {"unmatched"}
    assert order_row(order.id).status == "awaiting_payment"
    html = html_of(admin.get(f"/admin/rekonsiliasi/baris/{lines[order.total].id}"))
    assert order.number in html and "Jumlah yang mendekati" in html
    assert f"selisih -Rp {due(order) - order.total}" in html


def test_a_credit_like_no_order_shows_no_candidates(admin, product):
    place({product.id: 1})
    run_import((5_000_000, "SETORAN"))
    line = lines_by_amount()[5_000_000]
    html = html_of(admin.get(f"/admin/rekonsiliasi/baris/{line.id}"))
    assert 'id="no-candidates"' in html


# ---- by hand -----------------------------------------------------------------------------


PREFIXES = {"cocokkan": "match", "bagi": "split", "bukan-milik-kita": "notours", "batalkan": "undo"}


def post(client, line_id: int, action: str, **data):
    """Send one of the line page's forms (its fields carry the form's prefix)."""
    path = f"/admin/rekonsiliasi/baris/{line_id}"
    token = csrf_token(client, path)
    fields = {f"{PREFIXES[action]}-{name}": value for name, value in data.items()}
    return client.post(f"{path}/{action}", data={"csrf_token": token, **fields})


def test_a_person_matches_a_line_by_hand_and_the_order_is_paid(admin, admin_user, product):
    order = place({product.id: 1})
    run_import((order.total, "TRSF TANPA KODE SITI"))  # forgot the code: enough anyway
    line = lines_by_amount()[order.total]
    response = post(admin, line.id, "cocokkan", order_number=order.number.lower(), note="Siti")
    assert response.status_code == 303
    assert "dicocokkan dengan pesanan" in html_of(admin.get(response.location))
    assert line_status(line.id) == "matched"
    assert order_row(order.id).status == "paid"
    payment = payment_of(order.id)
    assert (payment.amount_received, payment.confirmed_by) == (
        order.total,
        f"admin:{admin_user.id}",
    )
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "statement_line.hand_match")
    ).one()
    assert (entry.object_id, entry.user_id, entry.note) == (line.id, admin_user.id, "Siti")
    assert entry.after["orders"] == [
        {"order": order.number, "amount": order.total, "outcome": "paid"}
    ]


def test_a_hand_match_to_a_wrong_order_is_refused_with_the_input_kept(admin, product):
    order = place({product.id: 1}, payment_method="card")
    run_import((500_000, "X"))
    line = lines_by_amount()[500_000]
    response = post(admin, line.id, "cocokkan", order_number="KB-0000-9999", note="coba")
    assert response.status_code == 409
    html = html_of(response)
    assert "Tidak ada pesanan bernomor KB-0000-9999." in html and 'value="KB-0000-9999"' in html
    response = post(admin, line.id, "cocokkan", order_number=order.number)
    assert "tidak dibayar dengan transfer bank" in html_of(response)
    response = post(admin, line.id, "cocokkan", order_number="")
    assert response.status_code == 400 and "Pilih pesanan atau tulis nomornya." in html_of(response)
    assert line_status(line.id) == "unmatched"


def test_a_line_is_matched_only_once(admin, product):
    a = place({product.id: 1})
    b = place({product.id: 1}, buyer=BUDI)
    run_import((a.total + 5_000_000, "BESAR"))
    line = lines_by_amount()[a.total + 5_000_000]
    assert post(admin, line.id, "cocokkan", order_number=a.number).status_code == 303
    response = post(admin, line.id, "cocokkan", order_number=b.number)
    assert response.status_code == 409
    assert "Baris ini sudah ditangani" in html_of(response)
    assert order_row(b.id).status == "awaiting_payment"


def test_not_ours_needs_a_reason_and_can_be_undone(admin, product):
    run_import((1_234, "BUNGA"))
    line = lines_by_amount()[1_234]
    response = post(admin, line.id, "bukan-milik-kita", note="")
    assert response.status_code == 400
    assert "Tulis mengapa baris ini bukan pembayaran pesanan." in html_of(response)
    assert post(admin, line.id, "bukan-milik-kita", note="Bunga bank").status_code == 303
    assert line_status(line.id) == "not_ours"
    assert "Bunga bank" in html_of(admin.get(f"/admin/rekonsiliasi/baris/{line.id}"))
    assert post(admin, line.id, "batalkan", note="salah tandai").status_code == 303
    assert line_status(line.id) == "unmatched"
    assert audit_actions(line.id) == ["statement_line.not_ours", "statement_line.undo"]


def test_a_match_that_paid_nothing_can_be_undone(admin, product):
    order = place({product.id: 1})
    run_import((50_000, "SEBAGIAN"))
    line = lines_by_amount()[50_000]
    assert post(admin, line.id, "cocokkan", order_number=order.number).status_code == 303
    assert payment_of(order.id).status == "needs_review"  # less than the total
    assert post(admin, line.id, "batalkan").status_code == 303
    assert line_status(line.id) == "unmatched"
    match = db.session.scalars(select(StatementMatch)).one()
    assert match.undone_at is not None and match.outcome == "underpaid"
    assert audit_actions(line.id) == ["statement_line.hand_match", "statement_line.undo"]


def test_a_match_that_paid_an_order_cannot_be_undone_and_says_why(admin, product):
    order = place({product.id: 1})
    run_import((due(order), "SITI"))
    line = lines_by_amount()[due(order)]
    response = post(admin, line.id, "batalkan", note="salah")
    assert response.status_code == 409
    assert f"Baris ini melunasi pesanan {order.number}" in html_of(response)
    assert line_status(line.id) == "matched" and order_row(order.id).status == "paid"


def test_a_line_split_over_two_orders_pays_both(admin, product):
    a = place({product.id: 1})
    b = place({product.id: 2}, buyer=BUDI)
    both = due(a) + due(b)
    run_import((both, "SATU TRANSFER DUA PESANAN"))
    line = lines_by_amount()[both]
    parts = {
        "parts-0-order_number": a.number,
        "parts-0-amount": f"{due(a):,}.00",  # as the bank writes it
        "parts-1-order_number": b.number,
        "parts-1-amount": str(due(b) - 1),
    }
    response = post(admin, line.id, "bagi", **parts)
    assert response.status_code == 409
    html = html_of(response)
    assert "Jumlah bagian-bagiannya" in html and f'value="{due(b) - 1}"' in html
    assert order_row(a.id).status == "awaiting_payment"

    response = post(admin, line.id, "bagi", **{**parts, "parts-1-amount": str(due(b))})
    assert response.status_code == 303
    assert (order_row(a.id).status, order_row(b.id).status) == ("paid", "paid")
    matches = db.session.scalars(select(StatementMatch).order_by(StatementMatch.id)).all()
    assert [(m.order_id, m.amount, m.kind) for m in matches] == [
        (a.id, due(a), "split"),
        (b.id, due(b), "split"),
    ]
    assert audit_actions(line.id) == ["statement_line.split"]


def test_a_split_where_one_order_refuses_changes_nothing(admin, product):
    a = place({product.id: 1})
    b = place({product.id: 1}, buyer=BUDI)
    db.session.execute(update(Order).where(Order.id == b.id).values(status="cancelled"))
    db.session.commit()
    run_import((due(a) + due(b), "DUA"))
    line = lines_by_amount()[due(a) + due(b)]
    response = post(
        admin,
        line.id,
        "bagi",
        **{
            "parts-0-order_number": a.number,
            "parts-0-amount": str(due(a)),
            "parts-1-order_number": b.number,
            "parts-1-amount": str(due(b)),
        },
    )
    assert response.status_code == 409
    assert f"Pesanan {b.number} tidak sedang menunggu pembayaran" in html_of(response)
    assert order_row(a.id).status == "awaiting_payment" and line_status(line.id) == "unmatched"
    assert db.session.scalars(select(StatementMatch)).all() == []


def test_a_second_transfer_tops_up_an_order_paid_short(admin, product):
    order = place({product.id: 1})
    first, rest = 50_000, due(order) - 50_000
    run_import((first, "SEBAGIAN PERTAMA"), (rest, "SISANYA"))
    lines = lines_by_amount()
    assert post(admin, lines[first].id, "cocokkan", order_number=order.number).status_code == 303
    assert payment_of(order.id).status == "needs_review"
    assert post(admin, lines[rest].id, "cocokkan", order_number=order.number).status_code == 303
    payment = payment_of(order.id)
    assert (payment.status, payment.amount_received) == ("succeeded", due(order))
    assert order_row(order.id).status == "paid"


def test_the_line_page_has_unique_ids_and_labelled_fields(admin, product):
    order = place({product.id: 1})
    run_import((order.total, "TANPA KODE"))
    html = html_of(admin.get(f"/admin/rekonsiliasi/baris/{lines_by_amount()[order.total].id}"))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert target in ids
    body = html.split("</head>")[1]
    assert not re.findall(r"<script(?![^>]*\bsrc=)", body)  # no inline scripts (strict CSP)
