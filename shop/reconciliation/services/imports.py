"""Statement import: each booked line kept once, whatever files and periods bring it."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select

from shop.audit.services import record
from shop.extensions import db
from shop.i18n import LANGUAGES
from shop.reconciliation.models import StatementImport, StatementLine
from shop.reconciliation.parsers import ColumnMapping, ParsedLine, RowProblem, parse_statement
from shop.reconciliation.services.matching import actor_label, auto_match
from shop.sqltypes import utcnow


def fingerprint(bank: str, account_no: str, line: ParsedLine, occurrence: int) -> str:
    """A line's identity: the same booking in another file gives the same fingerprint."""
    description = " ".join(line.description.upper().split())
    tail = str(line.balance) if line.balance is not None else " ".join(line.reference.split())
    key = "|".join(
        [
            bank,
            account_no,
            line.date.isoformat(),
            str(line.amount),
            line.direction,
            description,
            tail,
            str(occurrence),
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()


def _problem(problem: RowProblem, kind: str) -> dict:
    """A row problem as stored: its reason in each language, shown in the reader's."""
    reasons = {}
    for locale in LANGUAGES:
        with force_locale(locale):
            reasons[locale] = str(problem.reason)
    return {"line": problem.line_no, "kind": kind, "reason": reasons}


def problem_reason(problem: dict, locale: str) -> str:
    reason = problem.get("reason")
    if isinstance(reason, dict):
        return reason.get(locale) or reason.get("id") or next(iter(reason.values()), "")
    return str(reason or "")


@dataclass
class ImportResult:
    statement: StatementImport
    new_lines: list[StatementLine]
    known: int
    matched: int


def import_statement(
    content: bytes,
    filename: str,
    actor: Any,
    bank: str | None = None,
    mapping: ColumnMapping | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Read a statement, keep the lines not seen before, auto-match their credits.

    Raises :class:`shop.reconciliation.parsers.StatementError` for a file that cannot be
    read at all; rows that cannot be read are listed in ``statement.problems``.
    """
    now = now or utcnow()
    parsed = parse_statement(content, bank, mapping)
    parsed.fill_period()
    statement = StatementImport(
        filename=(filename or "statement.csv")[:255],
        bank=parsed.bank,
        account_no=parsed.account_no[:40],
        period_start=parsed.period_start,
        period_end=parsed.period_end,
        rows_read=len(parsed.lines),
        problems=[_problem(p, "error") for p in parsed.errors]
        + [_problem(p, "skipped") for p in parsed.skipped],
        created_by=actor_label(actor),
        created_at=now,
    )
    db.session.add(statement)
    db.session.flush()

    seen: Counter[str] = Counter()
    keyed: list[tuple[str, int, ParsedLine]] = []
    for line in parsed.lines:
        base = fingerprint(parsed.bank, parsed.account_no, line, 0)
        seen[base] += 1
        occurrence = seen[base]
        keyed.append(
            (fingerprint(parsed.bank, parsed.account_no, line, occurrence), occurrence, line)
        )
    existing: set[str] = set()
    prints = [k for k, _o, _l in keyed]
    for start in range(0, len(prints), 500):
        existing.update(
            db.session.scalars(
                select(StatementLine.fingerprint).where(
                    StatementLine.fingerprint.in_(prints[start : start + 500])
                )
            )
        )
    new_lines = []
    for key, occurrence, line in keyed:
        if key in existing:
            continue
        existing.add(key)
        row = StatementLine(
            import_id=statement.id,
            fingerprint=key,
            occurrence=occurrence,
            source_line=line.line_no,
            bank=parsed.bank,
            account_no=parsed.account_no[:40],
            booked_on=line.date,
            description=line.description[:500],
            reference=line.reference[:120],
            direction=line.direction,
            amount=line.amount,
            balance=line.balance,
            status="unmatched" if line.direction == "C" else "debit",
            created_at=now,
        )
        db.session.add(row)
        new_lines.append(row)
    statement.lines_new = len(new_lines)
    statement.lines_known = len(keyed) - len(new_lines)
    db.session.flush()
    record(
        actor,
        "statement.import",
        "statement_import",
        statement.id,
        after={
            "filename": statement.filename,
            "bank": statement.bank,
            "period": [statement.period_start, statement.period_end],
            "new": statement.lines_new,
            "known": statement.lines_known,
            "problems": len(parsed.errors),
        },
        now=now,
    )
    matched = sum(1 for row in new_lines if row.direction == "C" and auto_match(row, now))
    return ImportResult(statement, new_lines, statement.lines_known, matched)
