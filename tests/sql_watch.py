"""Watch the statements a block of code sends to the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from shop.extensions import db

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def writes_sent() -> Iterator[list[str]]:
    """Collect every INSERT, UPDATE and DELETE sent while the block runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        if statement.lstrip().upper().startswith(WRITES):
            seen.append(statement.split("\n", 1)[0][:120])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
