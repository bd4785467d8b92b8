"""How long the shop waits for its database, so a database that is down, slow or frozen
answers visitors with the "busy" page (503) in seconds instead of hanging a worker.

- PostgreSQL: ``connect_timeout`` for new connections, ``statement_timeout`` so the
  server cancels a slow statement, and a client-side limit on every wait for an answer
  (``TimedConnection``, in ``shop/pg_connection.py``): a frozen server cancels nothing,
  and a pooled connection's pre-ping would otherwise wait for ever.
- SQLite: a busy timeout, so a writer waits its turn for the lock instead of failing.

The limits come from the config (``DB_*``, set from the environment in ``config.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

_ANSWER_TIMEOUT_KEY = "shop_answer_timeout"


def engine_options(config: Mapping) -> dict:
    """SQLAlchemy engine options for ``SQLALCHEMY_DATABASE_URI`` with the configured limits."""
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    options: dict = {"pool_pre_ping": True}
    if url.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": float(config["DB_BUSY_TIMEOUT"])}
    elif url.get_backend_name() == "postgresql":
        # psycopg (~11 MB) only for a PostgreSQL shop; imported here so that a psycopg
        # without what the timeouts need fails at start-up, not in the middle of an outage.
        from shop import pg_connection  # noqa: F401

        statement_ms = int(float(config["DB_STATEMENT_TIMEOUT"]) * 1000)
        options["connect_args"] = {
            "connect_timeout": max(2, round(float(config["DB_CONNECT_TIMEOUT"]))),
            "options": f"-c statement_timeout={statement_ms}",
            _ANSWER_TIMEOUT_KEY: float(config["DB_ANSWER_TIMEOUT"]),
        }
        options["pool_timeout"] = float(config["DB_CONNECT_TIMEOUT"])
    return options


@event.listens_for(Engine, "do_connect")
def _connect_postgresql_with_timeouts(dialect, _record, cargs, cparams):
    """Open psycopg connections as :class:`TimedConnection` (other drivers: unchanged)."""
    answer_timeout = cparams.pop(_ANSWER_TIMEOUT_KEY, None)
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return None
    from shop.pg_connection import TimedConnection

    connection = TimedConnection.connect(*cargs, **cparams)
    connection.answer_timeout = answer_timeout
    return connection
