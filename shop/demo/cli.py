"""``flask --app shop seed-demo``: a demo shop with generated photos."""

from __future__ import annotations

import random
import time
from pathlib import Path

import click
from sqlalchemy import select

from shop.extensions import db
from shop.facilities.models import Facility
from shop.uow import unit_of_work


@click.command("seed-demo")
@click.option("--facilities", default=25, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--products", default=300, show_default=True, type=click.IntRange(0, 1_000_000))
@click.option(
    "--months",
    default=6,
    show_default=True,
    type=click.IntRange(0, 36),
    help="Calendar months of history before this one (orders, statements, settlements).",
)
@click.option(
    "--orders",
    default=25,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="Orders per month of history (with --months 0: orders of the last weeks).",
)
@click.option(
    "--statements-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the demo bank statements go [default: instance/demo-statements].",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when any facility exists.")
@click.option("--seed", "seed", default=1, show_default=True, help="Random seed.")
def seed_demo(
    facilities: int,
    products: int,
    months: int,
    orders: int,
    statements_dir: Path | None,
    if_empty: bool,
    seed: int,
) -> None:
    """Fill the database with demo facilities, products, photos and logins."""
    from flask import current_app

    from shop.demo.orders import seed_demo_orders
    from shop.demo.seed import ADMIN_EMAIL, DEMO_PASSWORD, seed_demo_data

    if if_empty and db.session.scalar(select(Facility.id).limit(1)) is not None:
        click.echo("seed-demo: the database already has facilities; nothing to do.")
        return

    click.echo(
        f"Seeding {facilities} facilities and {products} products "
        f"(photos into {current_app.config.get('UPLOAD_DIR')}) …"
    )
    with unit_of_work():
        if products >= 2000:
            with click.progressbar(length=products, label="Products") as bar:
                result = seed_demo_data(
                    facilities=facilities,
                    products=products,
                    seed=seed,
                    progress=bar.update,
                    echo=click.echo,
                )
        else:
            result = seed_demo_data(
                facilities=facilities, products=products, seed=seed, echo=click.echo
            )

    click.echo(
        f"Created {len(result.facilities)} facilities, {result.products} products, "
        f"{result.photos} photos ({result.photo_files} new photo files) "
        f"in {result.seconds:.1f} s."
    )
    if orders and months:
        _history(months, orders, seed, statements_dir)
    elif orders:
        placed = seed_demo_orders(orders, random.Random(seed))
        click.echo(f"Placed {placed} demo orders.")
    if result.users:
        logins = []
        if ADMIN_EMAIL in result.users:
            logins.append(f"{ADMIN_EMAIL} (admin)")
        staff = [email for email in result.users if email != ADMIN_EMAIL]
        if staff:
            logins.append(f"{staff[0]} and staf.<facility-slug>@karyabinaan.id (staff)")
        click.echo(f"Demo logins: {'; '.join(logins)}; password: {DEMO_PASSWORD}")


def _history(months: int, per_month: int, seed: int, statements_dir: Path | None) -> None:
    from flask import current_app

    from shop.demo.history import seed_demo_history
    from shop.sqltypes import utcnow

    started = time.perf_counter()
    directory = statements_dir or Path(current_app.instance_path) / "demo-statements"
    click.echo(f"Living {months} months of history ({per_month} orders a month) …")
    result = seed_demo_history(months, per_month, random.Random(seed), directory, utcnow())
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(result.statuses.items()))
    click.echo(
        f"Placed {result.placed} demo orders ({statuses}); "
        f"{result.refunds} refunds, {result.disputes} card dispute(s), "
        f"{result.stripe_payouts} Stripe payout(s)."
    )
    states = ", ".join(f"{n} {state}" for state, n in sorted(result.settlements.items()))
    click.echo(f"Imported {result.imports} daily bank statements; settlements: {states or 'none'}.")
    click.echo(
        f"Bank statements to import in /admin/rekonsiliasi: {directory} "
        f"({len(result.files)} files) in {time.perf_counter() - started:.1f} s."
    )
