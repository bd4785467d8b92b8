"""Notes the shop writes are stored as a message id and parameters, and read in the
reader's language whatever the writer's; a person's own words are shown as written."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import flask_migrate
import pytest
from factories import make_category, make_facility, make_product
from flask_babel import force_locale
from order_helpers import place, shop_with_products
from scratch_db import scratch_app as scratch_database
from sqlalchemy import select, text
from staff_helpers import csrf_token, make_user, sign_in

from shop import MIGRATIONS_DIR
from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.i18n import format_rupiah
from shop.inventory.models import StockMovement
from shop.inventory.stock_services import adjust_stock
from shop.payments.models import Payment, PaymentChange
from shop.shipping.services import ensure_default_rates
from shop.system_text import N_, actor_label, render_note, rupiah, system_note, when


def _client(app, user, lang: str):
    client = app.test_client()
    client.set_cookie("lang", lang)
    assert sign_in(client, user.email).status_code == 303
    return client


@pytest.fixture
def admins(app):
    ensure_default_rates()
    ani = make_user(role="admin", name="Ani Wijaya")
    ben = make_user(role="admin", name="Ben Hartono")
    db.session.commit()
    return ani, ben


def _confirm_short(client, order, short: int, reference: str):
    path = f"/admin/transfer/{order.id}"
    response = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "amount": str(short), "reference": reference},
    )
    assert response.status_code == 303


def test_render_note_in_each_language_with_rupiah(app):
    ref = system_note(N_(" (reference %(ref)s)"), ref="BRI 7")
    note = system_note(
        N_("received %(received)s, order total %(total)s: below the total%(ref)s"),
        received=rupiah(300_000),
        total=rupiah(374_000),
        ref=ref,
    )
    with app.test_request_context(), force_locale("id"):
        assert render_note(note) == (
            "diterima Rp 300.000, total pesanan Rp 374.000: kurang dari total (referensi BRI 7)"
        )
        assert render_note(None, "Kain robek di pojok") == "Kain robek di pojok"
    with app.test_request_context(), force_locale("en"):
        assert render_note(note) == (
            "received Rp 300.000, order total Rp 374.000: below the total (reference BRI 7)"
        )


def test_dates_in_a_note_are_written_the_readers_way(app):
    note = system_note("due %(day)s", day=when(date(2026, 12, 31)))
    assert note["params"]["day"] == {"date": "2026-12-31"}
    with app.test_request_context(), force_locale("id"):
        assert render_note(note) == "due 31 Desember 2026"
    with app.test_request_context(), force_locale("en"):
        assert render_note(note) == "due December 31, 2026"


@pytest.mark.parametrize(("writer_lang", "reader_lang"), [("en", "id"), ("id", "en")])
def test_a_note_written_in_one_language_is_read_in_the_other(app, admins, writer_lang, reader_lang):
    ani, ben = admins
    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1})
    short = order.total - 74_000
    _confirm_short(_client(app, ani, writer_lang), order, short, "BRI 7")

    db.session.commit()
    payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
    change = db.session.scalars(
        select(PaymentChange).where(PaymentChange.payment_id == payment.id)
    ).one()
    # Stored as a message id and values, not as words of either language.
    assert change.reason == "" and payment.note == ""
    assert change.reason_msg["msgid"] == (
        "received %(received)s, order total %(total)s: below the total%(ref)s"
    )
    assert change.reason_msg["params"]["received"] == {"rupiah": short}
    assert payment.note_msg["params"]["total"] == {"rupiah": order.total}

    page = _client(app, ben, reader_lang).get(f"/admin/transfer/{order.id}").text
    money = f"{format_rupiah(short)}, "
    if reader_lang == "id":
        assert f"diterima {money}total pesanan {format_rupiah(order.total)}" in page
        assert "kurang dari total (referensi BRI 7)" in page
        assert "received " not in page and "below the total" not in page
    else:
        assert f"received {money}order total {format_rupiah(order.total)}" in page
        assert "below the total (reference BRI 7)" in page
        assert "diterima Rp" not in page
    # Who confirmed: the administrator's name, never "admin:<id>".
    assert "Ani Wijaya" in page and f"admin:{ani.id}" not in page


def test_a_persons_words_stay_as_written_and_the_system_is_named(app):
    facility = make_facility()
    product = make_product(facility, make_category(), on_hand=3)
    staff = make_user(facility=facility, name="Rudi Staf")
    db.session.commit()
    adjust_stock(facility.id, product.id, "damaged", -1, "Kain robek di pojok", staff)
    db.session.commit()

    movement = db.session.scalars(select(StockMovement)).one()
    assert (movement.reason, movement.reason_msg) == ("Kain robek di pojok", None)
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "stock.adjust")).one()
    assert audit.note == "" and audit.note_msg["params"]["note"] == "Kain robek di pojok"

    for lang, damaged in (("id", "Rusak"), ("en", "Damaged")):
        with app.test_request_context(), force_locale(lang):
            assert render_note(audit.note_msg) == f"{damaged}: Kain robek di pojok"
            assert render_note(movement.reason_msg, movement.reason) == "Kain robek di pojok"
            assert actor_label(staff.email) == "Rudi Staf"
            assert actor_label(f"admin:{staff.id}") == "Rudi Staf"
            assert actor_label("system") == ("Sistem" if lang == "id" else "System")
            assert actor_label("cli:stripe-sync") == actor_label("system")
            # Labels of no known person stay as written (a huge id never reaches the DB).
            assert actor_label("admin:setup") == "admin:setup"
            assert actor_label("admin:99999999999999999999") == "admin:99999999999999999999"

    page = _client(app, staff, "id").get("/dasbor/stok/riwayat").text
    assert "Kain robek di pojok" in page and "Rudi Staf" in page


def _load_migration():
    path = Path(MIGRATIONS_DIR) / "versions" / "0021_note_params.py"
    spec = importlib.util.spec_from_file_location("note_params_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_patterns_convert_old_english_notes():
    migration = _load_migration()
    assert migration.convert("order expired: payment deadline passed") == {
        "msgid": "order expired: %(why)s",
        "params": {"why": {"msgid": "payment deadline passed", "params": {}}},
    }
    assert migration.convert("refund 25000 (card)")["params"]["amount"] == {"rupiah": 25000}
    assert migration.convert("Kain robek di pojok") is None
    assert migration.convert_stock_adjust("production: batch Juli") == {
        "msgid": "%(reason)s: %(note)s",
        "params": {"reason": {"msgid": "New production batch", "params": {}}, "note": "batch Juli"},
    }


@pytest.fixture
def scratch_app(app, database_url, tmp_path):
    with scratch_database(app, database_url, tmp_path, "notes_migration") as other:
        yield other


def test_migration_converts_old_rows_and_keeps_unknown_text(scratch_app):
    from shop.orders.models import OrderEvent
    from shop.payments.bank_transfer import confirm_bank_transfer

    old_reason = "received 300000, order total 374000: below the total (ref BRI 7)"
    with scratch_app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS_DIR)
        (product,) = shop_with_products(on_hand=(1,))
        order = place({product.id: 1})
        confirm_bank_transfer(order.id, order.total - 1_000, "admin:1", "BRI 7")
        db.session.commit()
        db.session.remove()

        # The rows as the shop wrote them before this migration: English text.
        flask_migrate.downgrade(directory=MIGRATIONS_DIR, revision="0020reconwriteoff")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT reason FROM order_event")).scalars().all() == [
                "order placed",
                "order placed",
            ]
            conn.execute(text("UPDATE payment_change SET reason = :r"), {"r": old_reason})
            conn.execute(
                text(
                    "INSERT INTO audit_entry (created_at, actor, action, object_type, note) "
                    "VALUES (:now, 'staff1@lapas.test', :action, 'product', :note)"
                ),
                [
                    {"now": "2026-12-01 01:00:00", "action": "stock.adjust", "note": note}
                    for note in ("production: batch Juli", "Kain robek di pojok")
                ]
                + [{"now": "2026-12-01 01:00:00", "action": "order.note", "note": "order paid"}],
            )

        flask_migrate.upgrade(directory=MIGRATIONS_DIR)
        change = db.session.scalars(select(PaymentChange)).one()
        assert change.reason == ""
        assert change.reason_msg["params"]["received"] == {"rupiah": 300_000}
        events = db.session.scalars(select(OrderEvent)).all()
        assert {(e.reason, e.reason_msg["msgid"]) for e in events} == {("", "order placed")}
        rows = db.session.execute(
            select(AuditEntry.note, AuditEntry.note_msg).order_by(AuditEntry.id)
        ).all()
        assert rows[0].note == "" and rows[0].note_msg["msgid"] == "%(reason)s: %(note)s"
        # Unknown text, and other actions' notes (a person's words), stay plain text.
        assert (rows[1].note, rows[1].note_msg) == ("Kain robek di pojok", None)
        assert (rows[2].note, rows[2].note_msg) == ("order paid", None)
        with scratch_app.test_request_context(), force_locale("id"):
            assert render_note(change.reason_msg) == (
                "diterima Rp 300.000, total pesanan Rp 374.000: kurang dari total (referensi BRI 7)"
            )
            assert render_note(rows[0].note_msg) == "Hasil produksi baru: batch Juli"
        db.session.remove()

        flask_migrate.downgrade(directory=MIGRATIONS_DIR, revision="0020reconwriteoff")
        with db.engine.connect() as conn:
            notes = conn.execute(text("SELECT note FROM audit_entry ORDER BY id")).scalars()
            assert list(notes) == [
                "New production batch: batch Juli",
                "Kain robek di pojok",
                "order paid",
            ]
        flask_migrate.upgrade(directory=MIGRATIONS_DIR)
        db.session.remove()
