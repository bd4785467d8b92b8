"""``flask --app shop stripe-sync``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.command("stripe-sync")
@with_appcontext
def stripe_sync() -> None:
    """Copy Stripe's balance transactions and payouts; post fees and payouts (cron)."""
    from shop.payments.stripe import gateway
    from shop.payments.stripe.sync import stripe_exceptions, sync

    if not gateway.stripe_enabled():
        click.echo(
            "stripe-sync: Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)",
            err=True,
        )
        sys.exit(2)
    try:
        result = sync(actor="cli:stripe-sync")
    except gateway.PaymentProviderUnavailable as error:
        click.echo(f"stripe-sync: Stripe is not answering ({error}); nothing was written", err=True)
        sys.exit(2)
    except gateway.PaymentProviderError as error:
        click.echo(f"stripe-sync: Stripe refused ({error}); nothing was written", err=True)
        sys.exit(2)
    click.echo(
        f"stripe-sync: {result.transactions_read} balance transaction(s) read, "
        f"{result.transactions_new} new; {result.payouts_new} new payout(s), "
        f"{result.payouts_changed} changed; {result.fees_posted} fee(s) and "
        f"{result.payout_entries} payout entr(y/ies) posted"
    )
    found = stripe_exceptions()
    for item in found:
        click.echo(f"exception {item.kind} {item.object_id}: {item.reason}")
    if found:
        click.echo(f"stripe-sync: {len(found)} exception(s) to look at", err=True)
