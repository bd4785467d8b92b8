import click
from flask.cli import with_appcontext


@click.command("expire-orders")
@with_appcontext
def expire_orders() -> None:
    """Expire unpaid orders past their payment deadline and release their stock (cron)."""
    from shop.orders.services import expire_due_orders

    click.echo(f"expired {expire_due_orders()} order(s)")
