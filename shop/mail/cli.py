import click
from flask.cli import with_appcontext


@click.command("send-mail")
@click.option("--limit", default=100, show_default=True, help="Messages to try in this run.")
@with_appcontext
def send_mail(limit: int) -> None:
    """Send pending outbox mail (retries failed sends with backoff)."""
    from shop.mail.services import send_pending

    counts = send_pending(limit=limit)
    click.echo(f"sent {counts['sent']}, retry later {counts['retry']}, failed {counts['failed']}")
