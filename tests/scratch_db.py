"""A scratch database of the suite's kind for migration tests: a SQLite file, or a
PostgreSQL database created and dropped on the suite's server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shop import create_app
from shop.extensions import db


@contextmanager
def scratch_app(app: Flask, database_url: str, tmp_path: Path, name: str) -> Iterator[Flask]:
    """An app like ``app`` on an empty database of its own, dropped afterwards."""
    url = make_url(database_url)
    admin_engine = None
    if url.get_backend_name() == "sqlite":
        scratch = f"sqlite:///{tmp_path / f'{name}.db'}"
    else:
        database = f"{url.database}_{name}"
        admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        scratch = url.set(database=database).render_as_string(hide_password=False)
    other = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": scratch})
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin_engine is not None:
            with admin_engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
            admin_engine.dispose()
