import click
from flask.cli import with_appcontext


@click.group("shipping-rates")
def shipping_rates() -> None:
    """Show or edit the shipping rate table (courier × zone)."""


@shipping_rates.command("seed")
@with_appcontext
def seed() -> None:
    """Add the default rate for every courier and zone that has none."""
    from shop.shipping.services import ensure_default_rates
    from shop.uow import unit_of_work

    with unit_of_work():
        added = ensure_default_rates("cli")
    click.echo(f"added {added} rate(s)")


@shipping_rates.command("list")
@with_appcontext
def list_rates() -> None:
    from shop.shipping.services import rates_by_key

    for (courier, zone), rate in sorted(rates_by_key().items()):
        click.echo(
            f"{courier:4} zone {zone}: first kg {rate.first_kg:>7}  next kg {rate.next_kg:>7}"
        )


@shipping_rates.command("set")
@click.argument("courier")
@click.argument("zone", type=int)
@click.argument("first_kg", type=int)
@click.argument("next_kg", type=int)
@with_appcontext
def set_rate(courier: str, zone: int, first_kg: int, next_kg: int) -> None:
    """Set one rate, e.g. ``set jne 2 18000 12000``."""
    from shop.shipping.services import set_rate as set_rate_service
    from shop.uow import unit_of_work

    try:
        with unit_of_work():
            set_rate_service(courier, zone, first_kg, next_kg, "cli")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    click.echo("saved")
