"""Outbox: queue mail inside the business transaction, send later with retries.

``send_pending`` claims each due message with a guarded UPDATE (a short lease), so two
``send-mail`` runs never send the same message; a failure schedules a retry with
exponential backoff and keeps the message until ``MAIL_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.mail.sender import send_message
from shop.sqltypes import utcnow

log = logging.getLogger("shop.mail")
LEASE = timedelta(minutes=10)
BASE_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
QUEUED = "outbox_queued_ids"
COMMITTED = "outbox_committed_ids"


def enqueue(
    kind: str,
    to_addr: str,
    subject: str,
    text_body: str,
    html_body: str,
    order_id: int | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        kind=kind,
        to_addr=to_addr,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        order_id=order_id,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(QUEUED, []).append(message.id)
    return message


@event.listens_for(Session, "after_commit")
def _note_committed_mail(session: Session) -> None:
    if queued := session.info.pop(QUEUED, None):
        session.info.setdefault(COMMITTED, []).extend(queued)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_mail(session: Session) -> None:
    session.info.pop(QUEUED, None)


def deliver_queued_now() -> dict[str, int] | None:
    """Send mail a request queued and committed, right after that request.

    On when ``MAIL_DELIVER_AFTER_REQUEST`` is set (by default only when mail goes to
    the log, so a local shop shows its mail at once); ``send-mail`` from cron remains
    the delivery and retry path. Anything the request left uncommitted is rolled back
    first, so sending never commits half of a failed request.
    """
    if not db.session.registry.has():
        return None  # this request never used the database
    committed = db.session.info.pop(COMMITTED, None)
    if not committed or not current_app.config.get("MAIL_DELIVER_AFTER_REQUEST"):
        return None
    db.session.rollback()
    return send_pending(only=committed)


def backoff(attempts: int) -> timedelta:
    return min(BASE_BACKOFF * (2 ** min(max(attempts - 1, 0), 20)), MAX_BACKOFF)


def _claim(message_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_pending(
    now: datetime | None = None, limit: int = 100, only: list[int] | None = None
) -> dict[str, int]:
    """Send what is due (or only the messages ``only`` names); commits after each message.

    Returns counts by outcome.
    """
    now = now or utcnow()
    max_attempts = current_app.config.get("MAIL_MAX_ATTEMPTS", 8)
    due_stmt = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if only is not None:
        due_stmt = due_stmt.where(OutboxMessage.id.in_(only))
    due = list(db.session.execute(due_stmt).scalars())
    db.session.commit()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for message_id in due:
        if not _claim(message_id, now):
            db.session.rollback()
            continue
        db.session.commit()
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        try:
            send_message(current_app.config, message)
        except Exception as exc:  # noqa: BLE001 - any failure means "try again later"
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= max_attempts:
                message.status = "failed"
                counts["failed"] += 1
                log.error("mail %s to %s failed for good: %s", message.id, message.to_addr, exc)
            else:
                message.next_attempt_at = now + backoff(message.attempts)
                counts["retry"] += 1
                log.warning(
                    "mail %s to %s failed, retry at %s: %s",
                    message.id,
                    message.to_addr,
                    message.next_attempt_at,
                    exc,
                )
        else:
            message.attempts += 1
            message.status = "sent"
            message.sent_at = utcnow()
            counts["sent"] += 1
        db.session.commit()
    return counts
