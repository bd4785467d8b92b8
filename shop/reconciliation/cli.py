"""``flask --app shop import-statement FILE [--bank …]``: import a bank statement export."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from shop.reconciliation.parsers import BANKS


@click.command("import-statement")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--bank",
    type=click.Choice(("auto", *BANKS)),
    default="auto",
    show_default=True,
    help="The export's layout (auto: recognised from the file).",
)
@click.option("--date-col", default="", help="csv: the date column's name.")
@click.option("--description-col", default="", help="csv: the description column's name.")
@click.option("--amount-col", default="", help="csv: a signed amount column (negative = out).")
@click.option("--debit-col", default="", help="csv: the debit (money out) column.")
@click.option("--credit-col", default="", help="csv: the credit (money in) column.")
@click.option("--reference-col", default="", help="csv: a reference column (optional).")
@click.option("--balance-col", default="", help="csv: a balance column (optional).")
@with_appcontext
def import_statement_command(
    file: Path,
    bank: str,
    date_col: str,
    description_col: str,
    amount_col: str,
    debit_col: str,
    credit_col: str,
    reference_col: str,
    balance_col: str,
) -> None:
    """Import FILE; credits that pay exactly one awaiting order confirm it."""
    from flask_babel import force_locale

    from shop.reconciliation.parsers import ColumnMapping, StatementError
    from shop.reconciliation.services import import_statement, problem_reason
    from shop.uow import unit_of_work

    mapping = None
    if bank == "csv":
        mapping = ColumnMapping(
            date=date_col,
            description=description_col,
            amount=amount_col,
            debit=debit_col,
            credit=credit_col,
            reference=reference_col,
            balance=balance_col,
        )
        problems = mapping.problems()
        if problems:
            raise click.UsageError(
                " ".join(str(p) for p in problems)
                + " (--date-col, --description-col, --amount-col or --debit-col/--credit-col)"
            )
    try:
        with unit_of_work():
            result = import_statement(
                file.read_bytes(), file.name, "cli", None if bank == "auto" else bank, mapping
            )
    except StatementError as error:
        with force_locale("en"):
            raise click.ClickException(str(error.reason)) from None
    statement = result.statement
    click.echo(
        f"import {statement.id}: {statement.bank} {statement.account_no} "
        f"{statement.period_start} - {statement.period_end}: "
        f"{statement.lines_new} new line(s), {statement.lines_known} already imported, "
        f"{result.matched} order(s) confirmed"
    )
    for problem in statement.problems or []:
        label = "skipped" if problem["kind"] == "skipped" else "error"
        reason = problem_reason(problem, "en")
        click.echo(f"line {problem['line']}: {label}: {reason}", err=True)
