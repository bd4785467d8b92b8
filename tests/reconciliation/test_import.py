"""Importing statements: new lines kept once, re-imports and overlapping periods add nothing."""

from __future__ import annotations

from datetime import date

import pytest
from recon_helpers import SAMPLES, bca_csv
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.reconciliation.models import StatementImport, StatementLine
from shop.reconciliation.parsers import ColumnMapping, StatementError
from shop.reconciliation.services import import_statement


def line_count() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(StatementLine))


def imported(content: bytes, bank: str | None = None, **kw):
    result = import_statement(content, "mutasi.csv", "tester", bank, **kw)
    db.session.commit()
    return result


@pytest.mark.parametrize(
    ("name", "bank", "lines", "credits"),
    [
        ("bca.csv", None, 7, 5),
        ("mandiri.csv", None, 5, 3),
        ("bni.csv", None, 4, 3),
        ("bri.csv", None, 4, 3),
        ("generic.csv", "csv", 4, 3),
    ],
)
def test_every_sample_imports_once(app, name, bank, lines, credits):
    mapping = ColumnMapping("Tanggal", "Uraian", amount="Nominal", reference="Referensi")
    content = (SAMPLES / name).read_bytes()
    first = imported(content, bank, mapping=mapping if bank == "csv" else None)
    assert (first.statement.lines_new, first.statement.lines_known) == (lines, 0)
    statuses = db.session.scalars(select(StatementLine.status)).all()
    assert statuses.count("unmatched") == credits  # only credits wait for a match
    assert statuses.count("debit") == lines - credits

    again = imported(content, bank, mapping=mapping if bank == "csv" else None)
    assert (again.statement.lines_new, again.statement.lines_known) == (0, lines)
    assert line_count() == lines
    assert db.session.scalar(select(func.count()).select_from(StatementImport)) == 2
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions == ["statement.import", "statement.import"]


def test_an_overlapping_period_adds_only_the_new_days():
    first_half = [
        (date(2026, 11, 2), "TRSF E-BANKING CR SITI", 168_123, "CR"),
        (date(2026, 11, 10), "BIAYA ADM", 10_000, "DB"),
        (date(2026, 11, 12), "TRSF E-BANKING CR BUDI", 245_000, "CR"),
    ]
    second_half = [*first_half[1:], (date(2026, 11, 20), "TRSF E-BANKING CR DEWI", 99_000, "CR")]
    # The second export starts on 10/11: its balances go on from the same running total.
    imported(bca_csv(first_half, date(2026, 11, 1), date(2026, 11, 15)))
    a = bca_csv(first_half + second_half[2:], date(2026, 11, 1), date(2026, 11, 30))
    overlap = imported(a)
    assert (overlap.statement.lines_new, overlap.statement.lines_known) == (1, 3)
    assert line_count() == 4


def test_two_identical_lines_in_one_file_are_two_payments():
    row = b"02/11/2026,SETORAN TUNAI,50.000\n"
    text = b"Tanggal,Uraian,Nominal\n" + row + row
    mapping = ColumnMapping("Tanggal", "Uraian", amount="Nominal")
    assert imported(text, "csv", mapping=mapping).statement.lines_new == 2
    assert imported(text, "csv", mapping=mapping).statement.lines_new == 0
    assert sorted(db.session.scalars(select(StatementLine.occurrence))) == [1, 2]
    # A later export that shows a third one adds exactly that one.
    three = text + row
    assert imported(three, "csv", mapping=mapping).statement.lines_new == 1


def test_problem_rows_are_kept_with_the_import_in_both_languages():
    text = (SAMPLES / "bca.csv").read_text().replace('"10,000.00 DB"', '"10,000.50 DB"')
    result = imported(text.encode())
    assert result.statement.lines_new == 6
    assert result.statement.problems == [
        {
            "line": 9,
            "kind": "error",
            "reason": {
                "id": "“10,000.50” memuat sen; "
                "jumlah rupiah harus berakhir ,00 atau tanpa desimal.",
                "en": "“10,000.50” has cents; rupiah amounts must end in ,00 or nothing.",
            },
        },
        {
            "line": 14,
            "kind": "skipped",
            "reason": {
                "id": "Tertunda (PEND): belum dibukukan bank.",
                "en": "Pending (PEND): not yet booked by the bank.",
            },
        },
    ]


def test_an_unreadable_file_imports_nothing():
    with pytest.raises(StatementError):
        import_statement(b"hello,world\n1,2\n", "x.csv", "tester")
    db.session.rollback()
    assert line_count() == 0
