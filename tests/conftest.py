"""Shared fixtures: one migrated database per test session, emptied after every test.

The database is SQLite in a temporary folder, or PostgreSQL when ``TEST_DATABASE_URL``
is set. Tests commit for real (views, threads and live servers all see the same data)
and every table is emptied after each test, which keeps them independent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import flask_migrate
import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_babel import refresh as babel_refresh
from sqlalchemy import event, text

from shop import create_app
from shop.catalog import page_cache
from shop.config import normalize_database_url
from shop.extensions import db
from shop.i18n import compile_catalogs


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalize_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    compile_catalogs()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "SITE_URL": "http://shop.test",
            "MAIL_DELIVER_AFTER_REQUEST": False,
            "CATALOG_FACET_TTL": 0,
            "CATALOG_PAGE_CACHE_SECONDS": 0,
            # One process: its own commits make it read the catalog version again
            # (shop/catalog/freshness.py); no read falls due with the clock mid-test.
            "CATALOG_VERSION_CHECK_SECONDS": 3600,
            "SERVER_NAME": None,
        }
    )
    app.test_client_class = FreshRequestClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        db.session.remove()
    return app


def _empty_all_tables() -> None:
    page_cache.wait_for_rebuilds()  # none still reading what is emptied
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(autouse=True)
def app_context(app) -> Iterator[None]:
    with app.app_context():
        yield
        _empty_all_tables()


class FreshRequestClient(FlaskClient):
    """A test client whose every request looks the user, CSRF token and locale up afresh.

    Test requests reuse the test's app context (so they share its database session),
    and with it ``g``: without this, one client's signed-in user and CSRF token would
    leak into another client's request. In production each request has its own context.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
            g.pop(self.application.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
            babel_refresh()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return f"<{self.count} statements>\n" + "\n".join(self.statements)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    """Count the SQL statements sent to the database inside the block."""
    counter = QueryCounter()

    def before_execute(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            counter.statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before_execute)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before_execute)


@pytest.fixture
def page_cache_on(app):
    """The page cache on for one test (60 s), empty before and after it."""
    from shop.catalog import page_cache

    page_cache.clear()
    app.config["CATALOG_PAGE_CACHE_SECONDS"] = 60
    yield
    app.config["CATALOG_PAGE_CACHE_SECONDS"] = 0
    app.config["CATALOG_VERSION_CHECK_SECONDS"] = 3600
    page_cache.clear()


@pytest.fixture
def queries():
    return count_queries


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app) -> Iterator[None]:
    """Rate-limit counters (login attempts) start from zero in every test."""
    yield
    from shop.accounts.limiter import limiter

    limiter.reset()
