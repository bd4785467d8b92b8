"""Outbox: queue mail inside the business transaction, send later with retries.

``send_pending`` claims each due message with a guarded UPDATE (``pending`` → ``sending``
with a claim token), so two senders (``send-mail`` runs, requests delivering their own
mail) never send the same message; only the claim's holder marks it sent. A failure
schedules a retry with exponential backoff and keeps the message until
``MAIL_MAX_ATTEMPTS``; a claim left by a sender that died mid-send expires after ``LEASE``.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shop.extensions import db
from shop.mail.models import OutboxMessage
from shop.mail.sender import send_message
from shop.sqltypes import utcnow
from shop.uow import end_read, unit_of_work

log = logging.getLogger("shop.mail")
LEASE = timedelta(minutes=10)
BASE_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
QUEUED = "outbox_queued_ids"
COMMITTED = "outbox_committed_ids"
# kind → (message → (text body, html body)) for messages queued with their body to come
# (an empty ``text_body``): rendered after the commit, or by the sender at the latest.
BODY_RENDERERS: dict[str, Callable[[OutboxMessage], tuple[str, str]]] = {}


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
    first, so sending never commits half of a failed request. The request has already
    succeeded: a failure here (a busy or unreachable database, a mail server down) is
    logged and the mail stays in the outbox for ``send-mail``; it never becomes an error
    page.
    """
    if not db.session.registry.has():
        return None  # this request never used the database
    committed = db.session.info.pop(COMMITTED, None)
    if not committed or not current_app.config.get("MAIL_DELIVER_AFTER_REQUEST"):
        return None
    try:
        db.session.rollback()
        return send_pending(only=committed)
    except Exception:  # noqa: BLE001 - the response must go out whatever happens here
        log.exception("mail %s not delivered after the request; send-mail will retry", committed)
        with contextlib.suppress(Exception):
            db.session.rollback()
        return None


def render_waiting_bodies(message_ids: list[int]) -> None:
    """Give the messages still waiting for their body one: rendered with no transaction
    held (it reads), stored by one short guarded UPDATE each."""
    waiting = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.id.in_(message_ids), OutboxMessage.text_body == ""
        )
    ).all()
    bodies = {m.id: BODY_RENDERERS[m.kind](m) for m in waiting}
    end_read()
    for message_id, (text_body, html_body) in bodies.items():
        fill_body(message_id, text_body, html_body)


def fill_body(message_id: int, text_body: str, html_body: str) -> None:
    """Store the body of a message queued without one (one short guarded UPDATE)."""
    with unit_of_work():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.text_body == "")
            .values(text_body=text_body, html_body=html_body)
            .execution_options(synchronize_session=False)
        )


def backoff(attempts: int) -> timedelta:
    return min(BASE_BACKOFF * (2 ** min(max(attempts - 1, 0), 20)), MAX_BACKOFF)


def _claim(message_id: int, now: datetime) -> str | None:
    """Take the message for sending: one guarded UPDATE in a write transaction, committed.

    Only a due ``pending`` message, or one whose sender vanished mid-send (claimed more
    than ``LEASE`` ago), can be claimed; the winner gets a token, everyone else ``None``.
    """
    token = secrets.token_hex(16)
    with unit_of_work():
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                or_(
                    and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                    and_(
                        OutboxMessage.status == "sending", OutboxMessage.claimed_at <= now - LEASE
                    ),
                ),
            )
            .values(status="sending", claim_token=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    return token if result.rowcount == 1 else None


def _settle(message_id: int, token: str, values: dict) -> bool:
    """Record the outcome of a send, if this claim still holds the message (committed).

    A write transaction taken up front (SQLite: ``BEGIN IMMEDIATE``) waits for its turn
    instead of failing on a lock; a busy database gets a few more tries, because a message
    sent but not marked would be sent again once its claim expires.
    """
    for attempt in range(1, 4):
        try:
            with unit_of_work():
                result = db.session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token)
                    .values(claim_token=None, claimed_at=None, **values)
                    .execution_options(synchronize_session=False)
                )
            return result.rowcount == 1
        except OperationalError:
            if attempt == 3:
                raise
            log.warning("mail %s: database busy while recording the send, trying again", message_id)
    return False


def send_pending(
    now: datetime | None = None, limit: int = 100, only: list[int] | None = None
) -> dict[str, int]:
    """Send what is due (or only the messages ``only`` names); commits after each message.

    Each message is claimed first (``pending`` → ``sending``), sent, then marked ``sent``
    or put back as ``pending`` with a retry time: two senders never send the same message.
    Returns counts by outcome.
    """
    now = now or utcnow()
    max_attempts = current_app.config.get("MAIL_MAX_ATTEMPTS", 8)
    due_stmt = (
        select(OutboxMessage.id)
        .where(
            or_(
                and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at <= now - LEASE),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if only is not None:
        due_stmt = due_stmt.where(OutboxMessage.id.in_(only))
    due = list(db.session.execute(due_stmt).scalars())
    end_read()
    if due:
        render_waiting_bodies(due)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for message_id in due:
        token = _claim(message_id, now)
        if token is None:
            continue
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        db.session.expunge(message)  # kept loaded: the send below reads nothing more
        end_read()
        attempts = message.attempts + 1
        try:
            send_message(current_app.config, message)
        except Exception as exc:  # noqa: BLE001 - any failure means "try again later"
            error = f"{type(exc).__name__}: {exc}"[:2000]
            if attempts >= max_attempts:
                outcome = {"status": "failed", "attempts": attempts, "last_error": error}
                log.error("mail %s to %s failed for good: %s", message_id, message.to_addr, exc)
            else:
                retry_at = now + backoff(attempts)
                outcome = {
                    "status": "pending",
                    "attempts": attempts,
                    "last_error": error,
                    "next_attempt_at": retry_at,
                }
                log.warning(
                    "mail %s to %s failed, retry at %s: %s",
                    message_id,
                    message.to_addr,
                    retry_at,
                    exc,
                )
            kind = outcome["status"] if outcome["status"] == "failed" else "retry"
        else:
            outcome = {"status": "sent", "attempts": attempts, "sent_at": utcnow()}
            kind = "sent"
        if _settle(message_id, token, outcome):
            counts[kind] += 1
        else:
            log.error("mail %s: claim lost before the outcome (%s) was recorded", message_id, kind)
    return counts
