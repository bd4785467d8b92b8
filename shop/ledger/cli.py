"""``flask --app shop ledger-check``."""

from __future__ import annotations

import sys

import click

from shop.ledger.check import problems


@click.command("ledger-check")
def ledger_check() -> None:
    """Check that every rupiah adds up; print each difference, exit 1 if any."""
    found = problems()
    for line in found:
        click.echo(line)
    if found:
        click.echo(f"ledger-check: {len(found)} difference(s)", err=True)
        sys.exit(1)
    click.echo("ledger-check: clean")
