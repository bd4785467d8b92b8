"""``flask --app shop …`` commands."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from shop.demo.cli import seed_demo

    app.cli.add_command(seed_demo)

    from shop.accounts.cli import create_user_command

    app.cli.add_command(create_user_command)

    from shop.mail.cli import send_mail
    from shop.orders.cli import expire_orders
    from shop.shipping.cli import shipping_rates

    app.cli.add_command(expire_orders)
    app.cli.add_command(send_mail)
    app.cli.add_command(shipping_rates)
