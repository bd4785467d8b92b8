"""``flask --app shop …`` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from shop.i18n import compile_catalogs


@click.command("compile-translations")
def compile_translations() -> None:
    """Compile the Indonesian message catalogs (.po → .mo) that changed."""
    for path in compile_catalogs():
        click.echo(f"compiled {path}")


@click.command("search-reindex")
@with_appcontext
def search_reindex() -> None:
    """Rewrite every product's search text (Indonesian roots included) and rebuild the
    vocabulary that misspelt searches are corrected to."""
    from shop.catalog.indexing import rebuild_terms
    from shop.catalog.models import Product
    from shop.catalog.product_services import refresh_search_text
    from shop.extensions import db
    from shop.uow import unit_of_work

    done = 0
    with unit_of_work():
        for product in db.session.scalars(select(Product).execution_options(yield_per=500)):
            refresh_search_text(product)
            done += 1
        db.session.flush()
        words = rebuild_terms(db.session)
    click.echo(f"reindexed {done} products; {words} words in the vocabulary")


def register_cli(app: Flask) -> None:
    from shop.accounts.cli import create_user_command
    from shop.demo.cli import seed_demo
    from shop.ledger.cli import ledger_check
    from shop.mail.cli import send_mail
    from shop.orders.cli import expire_orders
    from shop.payments.cli import stripe_sync
    from shop.reconciliation.cli import import_statement_command
    from shop.shipping.cli import shipping_rates

    for command in (
        compile_translations,
        search_reindex,
        create_user_command,
        expire_orders,
        import_statement_command,
        ledger_check,
        seed_demo,
        send_mail,
        shipping_rates,
        stripe_sync,
    ):
        app.cli.add_command(command)
