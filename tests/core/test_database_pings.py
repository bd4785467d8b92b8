"""Pooled connections are pinged before use only after sitting idle (shop/database.py).

A worker serving requests back to back reuses its connection without a round trip; one
that sat idle ``DB_PING_IDLE_SECONDS`` is pinged first, and a dead one is replaced
before the request sees it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from shop import database
from shop.database import engine_options, ping_idle_connections

IDLE_SECONDS = 5.0


class Clock:
    """``time.monotonic`` as shop.database sees it, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(database.time, "monotonic", clock)
    return clock


@pytest.fixture
def engine(app, database_url) -> Iterator:
    engine = create_engine(database_url, **engine_options(app.config))
    ping_idle_connections(engine, IDLE_SECONDS)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine, monkeypatch) -> list[int]:
    """One entry per ping the pool sends."""
    sent: list[int] = []
    real_ping = engine.dialect.do_ping

    def counted(dbapi_connection):
        sent.append(1)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return sent


def _select_one(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT 1")).scalar_one()


def test_the_shop_pings_only_idle_connections_by_default(app):
    assert app.config["DB_PING_IDLE_SECONDS"] == IDLE_SECONDS
    assert engine_options(app.config)["pool_pre_ping"] is False
    assert engine_options({**app.config, "DB_PING_IDLE_SECONDS": 0})["pool_pre_ping"] is True


def test_a_connection_in_use_is_not_pinged_an_idle_one_is(engine, pings, clock):
    assert _select_one(engine) == 1  # a new connection: not pinged
    clock.now += IDLE_SECONDS - 0.1
    assert _select_one(engine) == 1
    assert pings == []
    clock.now += IDLE_SECONDS
    assert _select_one(engine) == 1
    assert pings == [1]
    assert _select_one(engine) == 1  # just used again
    assert pings == [1]


def _backend_pid(connection) -> int:
    return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(app_engine, pid: int) -> None:
    with app_engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_an_idle_connection_the_server_closed_is_replaced_before_use(app, engine, clock):
    if engine.dialect.name != "postgresql":
        pytest.skip("a server that closes connections: PostgreSQL")
    from shop.extensions import db

    with engine.connect() as connection:
        dead = _backend_pid(connection)
    _terminate(db.engine, dead)
    clock.now += IDLE_SECONDS + 1
    with engine.connect() as connection:  # pinged, found dead, replaced
        assert _backend_pid(connection) != dead


def test_a_connection_that_died_while_in_use_fails_once_then_the_pool_reconnects(
    app, engine, clock
):
    if engine.dialect.name != "postgresql":
        pytest.skip("a server that closes connections: PostgreSQL")
    from shop.extensions import db

    with engine.connect() as connection:
        dead = _backend_pid(connection)
    _terminate(db.engine, dead)
    with pytest.raises(OperationalError), engine.connect() as connection:
        connection.execute(text("SELECT 1"))  # not idle: not pinged, fails
    with engine.connect() as connection:  # the pool was invalidated: a new connection
        assert _backend_pid(connection) != dead
