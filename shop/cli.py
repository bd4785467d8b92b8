"""``flask --app shop …`` commands."""

from __future__ import annotations

import click
from flask import Flask

from shop.i18n import compile_catalogs


@click.command("compile-translations")
def compile_translations() -> None:
    """Compile the Indonesian message catalogs (.po → .mo) that changed."""
    for path in compile_catalogs():
        click.echo(f"compiled {path}")


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
