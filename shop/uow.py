"""One place that decides where a write transaction begins and ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from shop.extensions import db
from shop.inventory.services import begin_write


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Begin a write transaction (``BEGIN IMMEDIATE`` on SQLite), commit it when the block
    ends, roll it back if the block raises. Services inside only ``flush()``."""
    begin_write()
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
