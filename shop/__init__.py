"""Karya Binaan: one storefront for goods made in Indonesian correctional facilities."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from flask_babel.speaklater import LazyString

from shop.config import PROJECT_ROOT, load_config
from shop.database import engine_options, ping_idle_connections
from shop.extensions import babel, csrf, db, login_manager, migrate
from shop.i18n import (
    format_rupiah,
    install_request_translations,
    select_locale,
    translation_directories,
)
from shop.parsing import IdConverter
from shop.security import refuse_nul_bytes
from shop.sessions import CookieSessionInterface

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    app.session_interface = CookieSessionInterface()
    app.url_map.converters["id"] = IdConverter
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))

    db.init_app(app)
    _ping_idle_connections(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale)
    install_request_translations(app)
    # Before CSRF (which reads the form) and every view: NUL bytes answer 400.
    app.before_request(refuse_nul_bytes)
    csrf.init_app(app)
    login_manager.init_app(app)
    _init_access(app)

    _register_models()
    _register_blueprints(app)
    _register_access_blueprints(app)
    _register_template_helpers(app)
    _configure_logging(app)

    from shop import mail

    mail.init_app(app)

    from shop.cli import register_cli

    register_cli(app)
    return app


def _ping_idle_connections(app: Flask) -> None:
    """Idle connections pinged before use (shop/database.py), unless every checkout is."""
    idle_seconds = float(app.config.get("DB_PING_IDLE_SECONDS", 0))
    if idle_seconds <= 0 or app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
        return
    with app.app_context():
        for engine in db.engines.values():
            ping_idle_connections(engine, idle_seconds)


def _register_models() -> None:
    """Import every domain's models so metadata (and Alembic) see all tables."""
    from shop.accounts import loader as _loader  # noqa: F401
    from shop.accounts import models as _accounts  # noqa: F401
    from shop.audit import models as _audit  # noqa: F401
    from shop.catalog import freshness as _freshness  # noqa: F401  (session listeners)
    from shop.catalog import models as _catalog  # noqa: F401
    from shop.facilities import models as _facilities  # noqa: F401
    from shop.inventory import models as _inventory  # noqa: F401
    from shop.ledger import models as _ledger  # noqa: F401
    from shop.mail import models as _mail  # noqa: F401
    from shop.makers import models as _makers  # noqa: F401
    from shop.media import models as _media  # noqa: F401
    from shop.orders import models as _orders  # noqa: F401
    from shop.payments import bank_transfer as _bank_transfer  # noqa: F401  (signal handlers)
    from shop.payments import models as _payments  # noqa: F401
    from shop.payments.stripe import balance_models as _stripe_balance  # noqa: F401
    from shop.payments.stripe import models as _stripe  # noqa: F401
    from shop.reconciliation import models as _reconciliation  # noqa: F401
    from shop.settlements import models as _settlements  # noqa: F401
    from shop.shipping import models as _shipping  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from shop.catalog import bp as catalog_bp
    from shop.core import bp as core_bp
    from shop.media import bp as media_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(media_bp)

    from shop.cart import bp as cart_bp
    from shop.checkout import bp as checkout_bp
    from shop.orders import bp as orders_bp

    app.register_blueprint(cart_bp)
    app.register_blueprint(checkout_bp)
    app.register_blueprint(orders_bp)

    from shop.payments.stripe.views import bp as stripe_bp

    app.register_blueprint(stripe_bp)


def _init_access(app: Flask) -> None:
    """Login rate limits and security headers (accounts issue)."""
    from shop.accounts.limiter import init_limiter
    from shop.http_cache import init_http_cache
    from shop.security import init_security

    init_limiter(app)
    init_security(app)
    init_http_cache(app)


def _register_access_blueprints(app: Flask) -> None:
    from shop.accounts import bp as accounts_bp
    from shop.admin import bp as admin_bp
    from shop.dashboard import bp as dashboard_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(admin_bp)

    from shop.reconciliation import bp as reconciliation_bp

    app.register_blueprint(reconciliation_bp)

    from shop.settlements.views import bp as settlements_bp

    app.register_blueprint(settlements_bp)


def _configure_logging(app: Flask) -> None:
    """Log the shop's own messages (mail written to the log, among others) to stderr."""
    logger = logging.getLogger("shop")
    if logger.handlers or app.testing:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))


def _plain_lazy_strings(value):
    """``{{ lazy_string }}`` is escaped like any text.

    Flask-Babel's ``LazyString`` has ``__html__`` returning itself unescaped, so Jinja
    would treat a lazily translated message as safe markup, including any value
    interpolated into it (``lazy_gettext("%(value)s …", value=typed_text)``).
    """
    return str(value) if isinstance(value, LazyString) else value


def _register_template_helpers(app: Flask) -> None:
    from shop.i18n import current_locale
    from shop.urls import kept_url_for

    app.add_template_filter(format_rupiah, "rupiah")
    app.jinja_env.finalize = _plain_lazy_strings
    app.add_template_global(current_locale)
    app.add_template_global(kept_url_for, "url_for")

    from shop.site_parts import init_site_parts

    init_site_parts(app)

    from shop.payments.core import refund_due_of, refunds_of
    from shop.payments.labels import money_kind_label, refund_method_label

    app.add_template_global(refunds_of, "order_refunds")
    app.add_template_global(refund_due_of)
    app.add_template_global(refund_method_label)

    from shop.system_text import actor_label, render_note

    app.add_template_filter(render_note, "note")
    app.add_template_filter(actor_label, "actor")
    app.add_template_global(money_kind_label)
