"""The migration chain on a throwaway database of the kind under test (SQLite, or
PostgreSQL when TEST_DATABASE_URL is set): upgrade, downgrade to base with data in it,
upgrade again, and autogenerate finds nothing to change (the models and the migrations
agree, and the full-text search objects made by hand are not proposed for dropping)."""

from __future__ import annotations

from collections.abc import Iterator

import flask_migrate
import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from order_helpers import place, shop_with_products
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from shop import create_app
from shop.catalog.indexing import include_object
from shop.extensions import db
from shop.orders.models import Order


@pytest.fixture
def throwaway_url(database_url, tmp_path) -> Iterator[str]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"{url.database}_migr"
    server = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_and_no_autogenerate_differences(app, throwaway_url):
    scratch = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": throwaway_url}
    )
    with scratch.app_context():
        try:
            flask_migrate.upgrade()
            assert _differences() == []
            assert {"product", "shop_order", "facility_order", "audit_entry"} <= _tables()

            # Data in every table the later migrations alter: an order with its parts.
            (product,) = shop_with_products(on_hand=(2,))
            place({product.id: 1})
            assert db.session.query(Order).count() == 1
            db.session.remove()

            flask_migrate.downgrade(revision="base")
            assert _tables() == set()

            flask_migrate.upgrade()
            assert _differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()


def test_product_province_migration_fills_the_column_and_goes_back(app, database_url, tmp_path):
    """0024 copies each facility's province onto its products (backfill), adds the two
    province indexes, and its downgrade drops both and the column."""
    from factories import make_category, make_facility, make_product
    from scratch_db import scratch_app
    from sqlalchemy import text

    from shop import MIGRATIONS_DIR

    with (
        scratch_app(app, database_url, tmp_path, "province_migration") as other,
        other.app_context(),
    ):
        flask_migrate.upgrade(directory=MIGRATIONS_DIR)
        category = make_category()
        bali, papua = make_facility(province="Bali"), make_facility(province="Papua")
        for facility in (bali, bali, papua):
            make_product(facility, category)
        db.session.commit()
        db.session.remove()

        flask_migrate.downgrade(directory=MIGRATIONS_DIR, revision="0023catalogversion")
        columns = {c["name"] for c in inspect(db.engine).get_columns("product")}
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("product")}
        assert "province" not in columns
        assert not {"ix_product_province_created", "ix_product_province_price"} & indexes

        flask_migrate.upgrade(directory=MIGRATIONS_DIR)
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT facility.province, product.province FROM product "
                    "JOIN facility ON facility.id = product.facility_id ORDER BY product.id"
                )
            ).all()
        assert [tuple(r) for r in rows] == [("Bali", "Bali")] * 2 + [("Papua", "Papua")]
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("product")}
        assert {"ix_product_province_created", "ix_product_province_price"} <= indexes
        assert _differences() == []
        db.session.remove()


def test_migrations_are_not_cut_by_the_serving_statement_timeout(app, throwaway_url):
    """On PostgreSQL a migration may rewrite a whole table: while migrating, the connection
    has no statement timeout and no client answer timeout; afterwards the pooled
    connection has the configured limits back."""
    from sqlalchemy import text

    if make_url(throwaway_url).get_backend_name() != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    scratch = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": throwaway_url,
            "DB_STATEMENT_TIMEOUT": 3,
            "DB_ANSWER_TIMEOUT": 8,
        }
    )
    seen: list[tuple[str, float | None]] = []

    def after_each_step(ctx, **_):
        raw = ctx.connection.connection.driver_connection
        seen.append(
            (ctx.connection.exec_driver_sql("SHOW statement_timeout").scalar(), raw.answer_timeout)
        )

    with scratch.app_context():
        configure_args = scratch.extensions["migrate"].configure_args
        configure_args["on_version_apply"] = after_each_step
        try:
            flask_migrate.upgrade()
            with db.engine.connect() as conn:
                limits = (
                    conn.scalar(text("SHOW statement_timeout")),
                    conn.connection.driver_connection.answer_timeout,
                )
        finally:
            configure_args.pop("on_version_apply")
            db.session.remove()
            db.engine.dispose()
    assert len(seen) > 20 and set(seen) == {("0", None)}
    assert limits == ("3s", 8)
