from __future__ import annotations

import email
import logging
import socket
import socketserver
import threading
from datetime import timedelta

import pytest
from order_helpers import place, shop_with_products
from sqlalchemy import select

from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.mail.services import backoff, enqueue, send_pending
from shop.sqltypes import utcnow


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept a message (no TLS, no auth)."""

    def handle(self):
        self.wfile.write(b"220 fake ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 fake\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                self.server.received.append(b"".join(data))
                self.wfile.write(b"250 queued\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def outbox():
    db.session.commit()
    return db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


def test_without_a_mail_server_mail_goes_to_the_log(app, runner, caplog):
    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1})
    with caplog.at_level(logging.INFO, logger="shop.mail"):
        result = runner.invoke(args=["send-mail"])
    assert "sent 1" in result.output
    assert order.number in caplog.text
    assert "Subject:" in caplog.text
    (message,) = outbox()
    assert message.status == "sent" and message.sent_at is not None
    assert "sent 0" in runner.invoke(args=["send-mail"]).output  # nothing sent twice


def test_smtp_down_loses_nothing_and_retries_with_backoff(app, monkeypatch, closed_port):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2.0)
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    enqueue("test", "a@example.com", "Halo", "teks", "<p>teks</p>")
    db.session.commit()

    now = utcnow()
    assert send_pending(now) == {"sent": 0, "retry": 1, "failed": 0}
    (message,) = outbox()
    assert message.status == "pending" and message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error
    assert message.next_attempt_at >= now + timedelta(seconds=59)
    assert send_pending(now) == {"sent": 0, "retry": 0, "failed": 0}  # not due yet

    assert send_pending(now + timedelta(minutes=2))["retry"] == 1
    assert send_pending(now + timedelta(hours=1))["failed"] == 1
    (message,) = outbox()
    assert (message.status, message.attempts) == ("failed", 3)
    assert backoff(1) < backoff(2) < backoff(3) <= backoff(50) == timedelta(hours=6)


def test_mail_is_delivered_over_smtp_in_the_buyers_language(app, monkeypatch, smtp_server):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.server_address[1])
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    a, b = shop_with_products(on_hand=(2, 2))
    indonesian = place({a.id: 1}, locale="id")
    english = place({b.id: 1}, locale="en")
    assert send_pending()["sent"] == 2
    assert len(smtp_server.received) == 2
    parsed = [email.message_from_bytes(raw) for raw in smtp_server.received]
    by_to = {msg["To"]: msg for msg in parsed}
    assert set(by_to) == {"siti@example.com"}
    subjects = sorted(str(msg["Subject"]) for msg in parsed)
    assert any(indonesian.number in s and "Pesanan" in s for s in subjects), subjects
    assert any(english.number in s and "Order" in s for s in subjects), subjects
    for msg in parsed:
        kinds = sorted(part.get_content_type() for part in msg.walk() if not part.is_multipart())
        assert kinds == ["text/html", "text/plain"]
    assert all(m.status == "sent" for m in outbox())


def test_a_message_being_sent_elsewhere_is_not_sent_again(app, caplog):
    from shop.mail.services import LEASE

    message = enqueue("test", "a@example.com", "Halo", "teks", "<p>teks</p>")
    db.session.commit()
    now = utcnow()
    # Another sender (a request, a send-mail run) holds a fresh claim on it.
    message.status, message.claim_token, message.claimed_at = "sending", "other", now
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="shop.mail"):
        assert send_pending(now + LEASE / 2) == {"sent": 0, "retry": 0, "failed": 0}
    assert "Subject: Halo" not in caplog.text
    (message,) = outbox()
    assert (message.status, message.claim_token) == ("sending", "other")

    # Its sender died mid-send: once the claim is older than LEASE, the mail goes out.
    with caplog.at_level(logging.INFO, logger="shop.mail"):
        assert send_pending(now + LEASE + timedelta(seconds=1))["sent"] == 1
    assert caplog.text.count("Subject: Halo") == 1
    (message,) = outbox()
    assert (message.status, message.claim_token, message.attempts) == ("sent", None, 1)


def test_a_sender_whose_claim_was_taken_over_does_not_mark_the_message(app):
    from shop.mail.services import _claim, _settle

    message = enqueue("test", "a@example.com", "Halo", "teks", "<p>teks</p>")
    db.session.commit()
    now = utcnow()
    token = _claim(message.id, now)
    assert token is not None
    assert _claim(message.id, now) is None  # claimed once only
    (row,) = outbox()
    assert (row.status, row.claim_token) == ("sending", token)
    assert _settle(message.id, "someone-else", {"status": "sent"}) is False
    assert outbox()[0].status == "sending"
    assert _settle(message.id, token, {"status": "sent", "attempts": 1}) is True
    (row,) = outbox()
    assert (row.status, row.claim_token, row.claimed_at) == ("sent", None, None)


def test_a_message_queued_without_its_body_is_rendered_by_the_sender(app, runner):
    """Order e-mails are queued with their body; one queued without it (by a release
    that rendered it after the commit, the process stopped in between) gets it from
    ``send-mail`` before it goes out, once."""
    from shop.uow import unit_of_work

    (product,) = shop_with_products(on_hand=(1,))
    order = place({product.id: 1})
    (placed,) = outbox()
    assert order.number in placed.text_body  # rendered when the order was placed
    with unit_of_work():
        waiting = enqueue("order_received", order.email, placed.subject, "", "", order.id)
    waiting_id = waiting.id
    assert "sent 2" in runner.invoke(args=["send-mail"]).output
    message = db.session.get(OutboxMessage, waiting_id, populate_existing=True)
    assert message.status == "sent"
    assert (message.text_body, message.html_body) == (placed.text_body, placed.html_body)
    assert "sent 0" in runner.invoke(args=["send-mail"]).output
