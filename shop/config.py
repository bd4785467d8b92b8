"""Configuration from the environment (12-factor), with safe local defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the shop can run with."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(env: Mapping[str, str], instance_path: Path, production: bool) -> str:
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    if production:
        raise ConfigError("SECRET_KEY must be set in production (SHOP_ENV=production).")
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


DEMO_BANK_ACCOUNT = {
    "BANK_NAME": "Bank Rakyat Indonesia (BRI)",
    "BANK_ACCOUNT_NUMBER": "0123-01-000456-30-7",
    "BANK_ACCOUNT_HOLDER": "Koperasi Karya Binaan",
}


def _bank_account(env: Mapping[str, str], production: bool) -> dict[str, str]:
    """Where buyers transfer to; the demo account only outside production."""
    if production:
        missing = [name for name in DEMO_BANK_ACCOUNT if not env.get(name, "").strip()]
        if missing:
            raise ConfigError(
                f"{', '.join(missing)} must be set in production (SHOP_ENV=production): "
                "buyers are told to transfer to this account, so the demo account is "
                "never shown to them."
            )
    return {name: env.get(name, "").strip() or demo for name, demo in DEMO_BANK_ACCOUNT.items()}


def normalize_database_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` URLs; use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def load_config(instance_path: Path, env: Mapping[str, str] | None = None) -> dict:
    """Build the Flask config mapping from ``env`` (defaults to ``os.environ``)."""
    env = os.environ if env is None else env
    production = env.get("SHOP_ENV", "development") == "production"
    database_url = normalize_database_url(
        env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'karya_binaan.db'}"
    )

    stripe_secret = env.get("STRIPE_SECRET_KEY", "")
    stripe_webhook = env.get("STRIPE_WEBHOOK_SECRET", "")
    if bool(stripe_secret) != bool(stripe_webhook):
        raise ConfigError(
            "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together: set both to offer "
            "card payments, or neither to offer bank transfer only."
        )

    return {
        "SHOP_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(env, instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # How long to wait for the database (seconds); engine options: shop/database.py.
        "DB_CONNECT_TIMEOUT": float(env.get("DB_CONNECT_TIMEOUT", "5")),
        "DB_STATEMENT_TIMEOUT": float(env.get("DB_STATEMENT_TIMEOUT", "15")),
        "DB_ANSWER_TIMEOUT": float(
            env.get("DB_ANSWER_TIMEOUT") or float(env.get("DB_STATEMENT_TIMEOUT", "15")) + 5
        ),
        "DB_BUSY_TIMEOUT": float(env.get("DB_BUSY_TIMEOUT", "10")),
        "DB_PING_IDLE_SECONDS": float(env.get("DB_PING_IDLE_SECONDS", "5")),
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(PROJECT_ROOT / "uploads"),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_REQUEST_MB", "50")) * 1024 * 1024,
        "MAX_UPLOAD_MB": int(env.get("MAX_UPLOAD_MB", "15")),
        # One photo request's work: pixels decoded, and seconds after which no new photo
        # is started (keep well below gunicorn's timeout, gunicorn.conf.py).
        "PHOTO_UPLOAD_MEGAPIXELS": int(env.get("PHOTO_UPLOAD_MEGAPIXELS", "100")),
        "PHOTO_UPLOAD_SECONDS": float(env.get("PHOTO_UPLOAD_SECONDS", "20")),
        "PHOTO_STORAGE": env.get("PHOTO_STORAGE", "local"),
        "S3_BUCKET": env.get("S3_BUCKET", ""),
        "S3_PREFIX": env.get("S3_PREFIX", ""),
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL", ""),
        "S3_REGION": env.get("S3_REGION", ""),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_LOGIN": env.get("RATELIMIT_LOGIN") or "10 per minute; 100 per hour",
        "PASSWORD_RESET_MAX_AGE": int(env.get("PASSWORD_RESET_MAX_AGE", "3600")),
        # Publishing needs a photo with alt text (dashboard); off only for special setups.
        "PUBLISH_REQUIRES_PHOTO": _bool(env.get("PUBLISH_REQUIRES_PHOTO"), default=True),
        "SITE_URL": env.get("SITE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "STRIPE_SECRET_KEY": stripe_secret,
        "STRIPE_WEBHOOK_SECRET": stripe_webhook,
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE", ""),
        "STRIPE_CHECKOUT_MINUTES": int(env.get("STRIPE_CHECKOUT_MINUTES", "30")),
        "STRIPE_MAX_HOLD_MINUTES": int(env.get("STRIPE_MAX_HOLD_MINUTES", "120")),
        "STRIPE_TIMEOUT": float(env.get("STRIPE_TIMEOUT", "10")),
        "STRIPE_MAX_NETWORK_RETRIES": int(env.get("STRIPE_MAX_NETWORK_RETRIES", "2")),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), default=True),
        "MAIL_FROM": env.get("MAIL_FROM", "Karya Binaan <toko@karyabinaan.id>"),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "10")),
        "MAIL_DELIVER_AFTER_REQUEST": _bool(
            env.get("MAIL_DELIVER_AFTER_REQUEST"), default=not env.get("MAIL_SERVER")
        ),
        **_bank_account(env, production),
        "PAYMENT_DEADLINE_HOURS": int(env.get("PAYMENT_DEADLINE_HOURS", "24")),
        # The largest shortfall (rupiah) an administrator may write off in reconciliation.
        "WRITE_OFF_LIMIT": int(env.get("WRITE_OFF_LIMIT", "10000")),
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS", "8")),
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "LANGUAGES": ("id", "en"),
        "CATALOG_PAGE_SIZE": int(env.get("CATALOG_PAGE_SIZE", "24")),
        "CATALOG_FACET_TTL": float(env.get("CATALOG_FACET_TTL", "60")),
        # Seconds a search's word check, count, facets and page ids are kept per search
        # (unset: CATALOG_FACET_TTL).
        "CATALOG_SEARCH_FACET_TTL": env.get("CATALOG_SEARCH_FACET_TTL") or None,
        "CATALOG_PAGE_CACHE_SECONDS": float(env.get("CATALOG_PAGE_CACHE_SECONDS", "10")),
        # Redis (redis://host:6379/0) shared by every process under each one's page cache
        # (shop/catalog/shared_cache.py); unset: each process keeps its pages alone.
        "CACHE_URL": env.get("CACHE_URL", ""),
        # How long it may take to connect and to answer before a process leaves it alone.
        "CACHE_TIMEOUT_MS": float(env.get("CACHE_TIMEOUT_MS", "50")),
        # Product cards kept rendered per process (shop/catalog/fragments.py; 0: none).
        "CATALOG_CARD_CACHE_SIZE": int(env.get("CATALOG_CARD_CACHE_SIZE", "2000")),
        # How often a process reads the catalog version (shop/catalog/freshness.py): the
        # longest another process's listing shows a page kept from before an edit.
        "CATALOG_VERSION_CHECK_SECONDS": float(env.get("CATALOG_VERSION_CHECK_SECONDS", "1")),
        # How long a browser or proxy may keep an anonymous visitor's public page (0: not).
        "HTTP_CACHE_SECONDS": int(env.get("HTTP_CACHE_SECONDS", "10")),
        # The reviewed synonym groups of search (English ↔ Indonesian); re-read when changed.
        "SEARCH_SYNONYMS_FILE": env.get("SEARCH_SYNONYMS_FILE", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
    }
