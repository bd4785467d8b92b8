import click


@click.command("seed-demo")
def seed_demo() -> None:
    """Fill the database with demo facilities, products and photos."""
    raise click.ClickException("not yet")
