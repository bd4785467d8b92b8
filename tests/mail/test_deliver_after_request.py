"""Mail queued by a request goes out right after it commits (log mode), never before."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.mail.services import deliver_queued_now, enqueue


@pytest.fixture
def deliver_after_request(app):
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = True
    yield
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False


def _statuses() -> list[str]:
    db.session.commit()
    return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_committed_mail_is_sent_and_logged(deliver_after_request, caplog):
    enqueue("test", "buyer@example.com", "Pesanan KB-TEST", "isi", "<p>isi</p>")
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="shop.mail"):
        counts = deliver_queued_now()
    assert counts == {"sent": 1, "retry": 0, "failed": 0}
    assert "Subject: Pesanan KB-TEST" in caplog.text
    assert _statuses() == ["sent"]


def test_only_what_this_request_queued_is_sent(deliver_after_request):
    enqueue("test", "old@example.com", "queued earlier", "isi", "<p>isi</p>")
    db.session.commit()
    db.session.info.clear()  # as if queued by another process (e.g. cron, seed-demo)
    enqueue("test", "buyer@example.com", "this request", "isi", "<p>isi</p>")
    db.session.commit()
    assert deliver_queued_now() == {"sent": 1, "retry": 0, "failed": 0}
    assert _statuses() == ["pending", "sent"]  # the older one waits for send-mail


def test_uncommitted_mail_is_rolled_back_not_sent(deliver_after_request):
    enqueue("test", "buyer@example.com", "never", "isi", "<p>isi</p>")
    assert deliver_queued_now() is None  # nothing committed: nothing to deliver
    db.session.rollback()
    assert _statuses() == []


def test_rolled_back_mail_is_forgotten(deliver_after_request):
    enqueue("test", "buyer@example.com", "never", "isi", "<p>isi</p>")
    db.session.rollback()
    enqueue("test", "other@example.com", "later", "isi", "<p>isi</p>")
    assert deliver_queued_now() is None
    db.session.rollback()
    assert _statuses() == []


def test_off_by_default_in_production_settings(app):
    enqueue("test", "buyer@example.com", "queued", "isi", "<p>isi</p>")
    db.session.commit()
    assert deliver_queued_now() is None
    assert _statuses() == ["pending"]


def test_checkout_mail_shows_in_the_log_at_once(client, deliver_after_request, caplog):
    from order_helpers import shop_with_products

    from tests.checkout.test_checkout_flow import confirm_form, fill_cart, submit_details

    (product,) = shop_with_products(on_hand=(2,))
    fill_cart(client, (product, 1))
    assert submit_details(client).status_code == 303
    with caplog.at_level(logging.INFO, logger="shop.mail"):
        response = client.post("/checkout/pesan", data=confirm_form(client))
    assert response.status_code == 303
    assert "To: siti@example.com" in caplog.text
    assert _statuses() == ["sent"]
