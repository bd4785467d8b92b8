"""One place that decides where a write transaction begins and ends."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from shop.extensions import db

log = logging.getLogger("shop.uow")


def begin_write() -> None:
    """Start the session's write transaction; on SQLite take the write lock up front.

    ``BEGIN IMMEDIATE`` makes concurrent writers queue on ``busy_timeout`` instead of
    failing with "database is locked" when a read lock would need upgrading. Ends any
    read-only transaction the session has open (call it before the first write).
    """
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={"sqlite_immediate": True})


AFTER_COMMIT = "uow_after_commit"


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Begin a write transaction (``BEGIN IMMEDIATE`` on SQLite), commit it when the block
    ends, roll it back if the block raises. Services inside only ``flush()``. Work a
    service left for after the commit (:func:`after_commit`) runs once it succeeded."""
    begin_write()
    try:
        yield
        callbacks = db.session.info.pop(AFTER_COMMIT, [])
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for callback in callbacks:
        try:
            callback()
        except Exception:  # noqa: BLE001 - what was committed stands; the work is optional
            log.exception("after-commit work %r failed", callback)
            db.session.rollback()


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` after the unit of work commits (never if it rolls back): work that
    must not hold the write lock and may fail without undoing the commit, such as
    rendering an e-mail already queued in it (``send-mail`` renders it otherwise)."""
    db.session.info.setdefault(AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_commit_work(session: Session, transaction) -> None:
    """Work left in a transaction that ended outside a unit of work (rolled back, or
    committed by hand) is dropped, never run by a later one."""
    if transaction.parent is None:
        session.info.pop(AFTER_COMMIT, None)


def end_read() -> None:
    """End the session's read transaction, so that no snapshot or lock is held while the
    caller waits on the network (Stripe, SMTP). Loaded objects are expired."""
    if db.session().in_transaction():
        db.session.commit()


def checkpoint() -> None:
    """Inside a long batch job's unit of work: commit what it wrote so far and go on in a
    new write transaction, so that one job never holds the lock for minutes."""
    db.session.commit()
    begin_write()
