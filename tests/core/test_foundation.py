from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from shop import create_app
from shop.config import ConfigError, load_config
from shop.extensions import db
from shop.facilities.models import Facility
from shop.i18n import format_rupiah


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (150000, "Rp 150.000"),
        (0, "Rp 0"),
        (999, "Rp 999"),
        (1250000, "Rp 1.250.000"),
        (-5000, "-Rp 5.000"),
    ],
)
def test_format_rupiah(amount, expected):
    assert format_rupiah(amount) == expected


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(tmp_path):
    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1",
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_migrations_built_every_table(app):
    tables = set(inspect(db.engine).get_table_names())
    assert {"facility", "category", "product", "product_photo", "user_account"} <= tables


def test_foreign_keys_enforced(app):
    with pytest.raises(IntegrityError):
        db.session.execute(
            text(
                "INSERT INTO user_account (email, name, password_hash, role, facility_id, active,"
                " session_version, created_at) VALUES ('a@b.c', '', 'x', 'staff', 999999, true,"
                " 1, CURRENT_TIMESTAMP)"
            )
        )
        db.session.flush()
    db.session.rollback()


def test_revenue_split_must_add_up(app):
    db.session.add(
        Facility(
            slug="x",
            name="Lapas X",
            kind="Lapas",
            province="Bali",
            city="Denpasar",
            premi_pct=60,
            pnbp_pct=15,
            capital_pct=35,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_secret_key_generated_locally_and_kept(tmp_path: Path):
    first = load_config(tmp_path, env={})["SECRET_KEY"]
    second = load_config(tmp_path, env={})["SECRET_KEY"]
    assert first == second and len(first) >= 32


def test_secret_key_required_in_production(tmp_path: Path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path, env={"SHOP_ENV": "production"})


PRODUCTION = {"SHOP_ENV": "production", "SECRET_KEY": "s" * 32}
BANK = {
    "BANK_NAME": "Bank Mandiri",
    "BANK_ACCOUNT_NUMBER": "123-00-0987654-3",
    "BANK_ACCOUNT_HOLDER": "Koperasi Lapas Contoh",
}


@pytest.mark.parametrize("missing", sorted(BANK))
def test_bank_account_required_in_production(tmp_path: Path, missing):
    env = {**PRODUCTION, **BANK, missing: " "}
    with pytest.raises(ConfigError, match=f"{missing} must be set in production"):
        load_config(tmp_path, env=env)
    with pytest.raises(ConfigError, match="BANK_NAME, BANK_ACCOUNT_NUMBER, BANK_ACCOUNT_HOLDER"):
        load_config(tmp_path, env=PRODUCTION)


def test_bank_account_in_production_is_the_configured_one(tmp_path: Path):
    config = load_config(tmp_path, env={**PRODUCTION, **BANK})
    assert {name: config[name] for name in BANK} == BANK


def test_demo_bank_account_outside_production(tmp_path: Path):
    assert load_config(tmp_path, env={})["BANK_ACCOUNT_NUMBER"] == "0123-01-000456-30-7"


def test_stripe_keys_go_together(tmp_path: Path):
    with pytest.raises(ConfigError, match="STRIPE_WEBHOOK_SECRET"):
        load_config(tmp_path, env={"STRIPE_SECRET_KEY": "sk_test_x"})


def test_database_url_normalised(tmp_path: Path):
    config = load_config(tmp_path, env={"DATABASE_URL": "postgres://u@h/db"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_database_waits_are_bounded_by_configurable_timeouts(tmp_path):
    from shop.database import engine_options

    postgres = load_config(tmp_path, env={"DATABASE_URL": "postgres://u@h/db"})
    args = engine_options(postgres)["connect_args"]
    assert args["connect_timeout"] == 5
    assert args["options"] == "-c statement_timeout=15000"
    assert args["shop_answer_timeout"] == 20  # the server's own timeout fires first

    tuned = load_config(
        tmp_path,
        env={
            "DATABASE_URL": "postgres://u@h/db",
            "DB_CONNECT_TIMEOUT": "3",
            "DB_STATEMENT_TIMEOUT": "2.5",
        },
    )
    args = engine_options(tuned)["connect_args"]
    assert (args["connect_timeout"], args["options"]) == (3, "-c statement_timeout=2500")
    assert args["shop_answer_timeout"] == 7.5

    sqlite = load_config(tmp_path, env={"DB_BUSY_TIMEOUT": "4"})
    assert engine_options(sqlite)["connect_args"] == {"timeout": 4.0}
