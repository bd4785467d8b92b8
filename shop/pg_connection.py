"""psycopg connections that stop waiting for a frozen server (see ``shop/database.py``).

A module of its own so that only a PostgreSQL shop imports psycopg.
"""

from __future__ import annotations

import psycopg

# What psycopg (3.3+) raises when Connection.wait(timeout=...) runs out; looked up at
# import, so a psycopg without it fails at start-up, not in the middle of an outage.
_WAIT_TIMEOUT = psycopg.errors._WaitTimeout


class DatabaseNotAnswering(psycopg.OperationalError):
    """The server took longer than the answer timeout; the connection was closed."""


class TimedConnection(psycopg.Connection):
    """A psycopg connection that stops waiting for the server after ``answer_timeout`` s.

    Every exchange with the server (queries, commit, rollback, the pool's pre-ping) goes
    through :meth:`wait`. When the limit passes, the connection is closed (a statement may
    still be in flight, so it cannot be reused) and :class:`DatabaseNotAnswering` raised;
    SQLAlchemy sees a closed connection and discards it from the pool.
    """

    answer_timeout: float | None = None

    def wait(self, gen, *args, **kwargs):
        if kwargs.get("timeout") is None and self.answer_timeout:
            kwargs["timeout"] = self.answer_timeout
        try:
            return super().wait(gen, *args, **kwargs)
        except _WAIT_TIMEOUT as exc:
            self.pgconn.finish()
            raise DatabaseNotAnswering(
                f"the database did not answer within {kwargs['timeout']:g} s"
            ) from exc
