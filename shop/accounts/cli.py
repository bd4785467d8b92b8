"""``flask --app shop create-user``: the first administrator, or staff before the admin area."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from shop.accounts.services import AccountError, create_user
from shop.extensions import db
from shop.facilities.models import Facility
from shop.uow import unit_of_work


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@click.option("--email", required=True, help="Sign-in address of the new account.")
@click.option("--role", type=click.Choice(["admin", "staff"]), required=True)
@click.option("--facility", "facility_slug", default=None, help="Facility slug (staff only).")
@click.option("--name", default="", help="Display name.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin (also used when stdin is no terminal).",
)
@with_appcontext
def create_user_command(
    email: str, role: str, facility_slug: str | None, name: str, password_stdin: bool
) -> None:
    """Create an account; the password is asked twice (hidden) or read from stdin."""
    facility_id = None
    if role == "staff":
        if not facility_slug:
            raise click.UsageError("staff accounts need --facility SLUG")
        facility = db.session.scalar(db.select(Facility).where(Facility.slug == facility_slug))
        if facility is None:
            raise click.UsageError(f"no facility with slug {facility_slug!r}")
        facility_id = facility.id
    elif facility_slug:
        raise click.UsageError("administrators do not belong to a facility; drop --facility")
    password = _read_password(password_stdin)
    try:
        with unit_of_work():
            user = create_user(email, password, role, facility_id=facility_id, name=name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {user.role} {user.email} (id {user.id})")
