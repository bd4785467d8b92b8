"""How long the shop waits for its database, so a database that is down, slow or frozen
answers visitors with the "busy" page (503) in seconds instead of hanging a worker.

- PostgreSQL: ``connect_timeout`` for new connections, ``statement_timeout`` so the
  server cancels a slow statement, and a client-side limit on every wait for an answer
  (``TimedConnection``, in ``shop/pg_connection.py``): a frozen server cancels nothing,
  and a pooled connection's pre-ping would otherwise wait for ever.
- SQLite: a busy timeout, so a writer waits its turn for the lock instead of failing.

A pooled connection is pinged before use only when it sat idle for
``DB_PING_IDLE_SECONDS`` or longer (:func:`ping_idle_connections`), not on every
checkout: a busy worker saves a round trip per request. A connection that died within
that window (the server restarted) fails its request with the busy page once; the
failure invalidates the whole pool, so the worker's next request reconnects. ``0``
pings on every checkout (SQLAlchemy's ``pool_pre_ping``).

The limits come from the config (``DB_*``, set from the environment in ``config.py``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import scoped_session
from sqlalchemy.pool import Pool

_ANSWER_TIMEOUT_KEY = "shop_answer_timeout"
_IDLE_SINCE = "shop_idle_since"
_AUTOCOMMIT = "shop_autocommit"
_READ_ONLY = "shop.read_without_transaction"  # request.environ


def engine_options(config: Mapping) -> dict:
    """SQLAlchemy engine options for ``SQLALCHEMY_DATABASE_URI`` with the configured limits."""
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    options: dict = {"pool_pre_ping": float(config["DB_PING_IDLE_SECONDS"]) <= 0}
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


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection at checkout only when it was idle ``idle_seconds`` or
    more (new connections are not pinged); a failed ping drops it and the pool opens
    another."""

    def mark_idle(_dbapi_connection, record, *_args) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("an idle pooled connection did not answer") from error

    event.listen(engine.pool, "connect", mark_idle)
    event.listen(engine.pool, "checkin", mark_idle)
    event.listen(engine.pool, "checkout", ping_if_idle)


def read_without_transaction() -> None:
    """Let this request's reads run in autocommit on PostgreSQL: for a request that only
    reads and needs no snapshot shared by its statements (a public catalog page), two
    round trips fewer a connection (psycopg's BEGIN, the pool's ROLLBACK). Applied as
    each connection begins (:func:`_autocommit_marked_reads`), the session's and any
    other, so a request that reads nothing checks out no connection. Nothing changes on
    SQLite: its BEGIN and ROLLBACK cost no round trip (shop/extensions.py emits them).
    Pair with :func:`end_read_without_transaction` at teardown."""
    request.environ[_READ_ONLY] = True


def end_read_without_transaction(sessions: scoped_session) -> None:
    """Give back the connection the session read on in autocommit, so nothing after the
    request (a test's next request, sharing its app context and session) writes in
    autocommit; in production the app context's own teardown does it a moment later."""
    if not sessions.registry.has():
        return  # none was made for this request
    session = sessions()
    if session.in_transaction() and session.connection().connection.info.get(_AUTOCOMMIT):
        session.rollback()  # no round trip: nothing is open on the server


@event.listens_for(Engine, "begin")
def _autocommit_marked_reads(connection: Connection) -> None:
    """psycopg sends BEGIN only before the first statement, so none has been sent yet:
    the connection can still be switched to autocommit (what SQLAlchemy's AUTOCOMMIT
    level does), and is switched back when it returns to the pool."""
    if connection.dialect.name != "postgresql" or not has_request_context():
        return
    if request.environ.get(_READ_ONLY):
        pooled = connection.connection
        pooled.dbapi_connection.autocommit = True
        pooled.info[_AUTOCOMMIT] = True


@event.listens_for(Pool, "checkin")
def _end_autocommit(dbapi_connection, record) -> None:
    if dbapi_connection is not None and record.info.pop(_AUTOCOMMIT, False):
        dbapi_connection.autocommit = False


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
