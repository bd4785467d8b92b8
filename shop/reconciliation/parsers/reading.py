"""What every bank layout shares: the parsed types, decoding, rows, dates and amounts."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from shop.reconciliation.amounts import AmountError, parse_bank_amount

BANKS = ("bca", "mandiri", "bni", "bri", "csv")
BANK_NAMES = {"bca": "BCA", "mandiri": "Mandiri", "bni": "BNI", "bri": "BRI", "csv": "CSV"}


class RowError(ValueError):
    """One row cannot be read; ``reason`` (lazy) says why in whichever language reads it."""

    def __init__(self, reason) -> None:
        super().__init__(str(reason))
        self.reason = reason


class StatementError(ValueError):
    """The file as a whole cannot be read (no table, unknown layout)."""

    def __init__(self, reason) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass
class ParsedLine:
    line_no: int  # the line in the file (1-based), for messages
    date: date
    description: str
    amount: int  # positive rupiah
    direction: str  # "C" (money in) or "D" (money out)
    balance: int | None = None
    reference: str = ""


@dataclass
class RowProblem:
    line_no: int
    reason: Any  # a lazy string: translated when shown


@dataclass
class ParsedStatement:
    bank: str
    account_no: str = ""
    period_start: date | None = None
    period_end: date | None = None
    lines: list[ParsedLine] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)  # read, deliberately not imported

    def fill_period(self) -> None:
        """A statement without a stated period covers its first to its last line."""
        if self.lines and self.period_start is None:
            self.period_start = min(line.date for line in self.lines)
        if self.lines and self.period_end is None:
            self.period_end = max(line.date for line in self.lines)


@dataclass(frozen=True)
class ColumnMapping:
    """Which columns of a generic CSV hold what (names as in its header row)."""

    date: str
    description: str
    amount: str = ""  # signed: negative is money out
    debit: str = ""
    credit: str = ""
    reference: str = ""
    balance: str = ""

    def problems(self) -> list:
        found = []
        if not self.date or not self.description:
            found.append(_l("Choose the date and description columns."))
        if not self.amount and not (self.debit and self.credit):
            found.append(_l("Choose either the amount column or both debit and credit columns."))
        return found


# ---- reading helpers ---------------------------------------------------------------------


def decode(content: bytes) -> str:
    """Bank exports are UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252.

    NUL characters are dropped (PostgreSQL text cannot hold them)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16").replace("\x00", "")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding).replace("\x00", "")
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1").replace("\x00", "")


def read_rows(text: str) -> list[tuple[int, list[str]]]:
    """``(line number, cells)`` for every non-empty row; the delimiter is sniffed."""
    sample = "\n".join(text.splitlines()[:40])
    counts = {d: sample.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            if any(cells):
                rows.append((reader.line_num, cells))
    except csv.Error:
        raise StatementError(
            _l(
                "Line %(line)d is not CSV text: is this the bank's CSV export?",
                line=reader.line_num,
            )
        ) from None
    return rows


def header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9/]", "", name.lower())


_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%Y/%m/%d",
)
_ID_MONTHS = {"mei": "may", "agu": "aug", "agt": "aug", "okt": "oct", "des": "dec", "peb": "feb"}


def parse_date(text: str) -> date:
    """``03/11/2026``, ``03/11/26``, ``2026-11-03``, ``03 Nov 2026`` (a time is ignored)."""
    value = text.strip().lstrip("'")
    value = re.split(r"[ T](?=\d{1,2}:\d{2})", value)[0].strip()
    for short, english in _ID_MONTHS.items():
        value = re.sub(rf"\b{short}\b", english, value, flags=re.IGNORECASE)
    if value.isascii():
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar day
            except ValueError:
                continue
    raise RowError(_l("“%(text)s” is not a date (write day/month/year).", text=text))


def amount_or_zero(text: str) -> int:
    return parse_bank_amount(text) if text.strip() else 0


def optional_amount(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    return parse_bank_amount(text, allow_negative=True)


def header_index(rows, wanted: tuple[str, ...], start: int = 0) -> int | None:
    """The position in ``rows`` of the first header row holding all ``wanted`` keys."""
    for i, (_no, cells) in enumerate(rows[start:], start):
        keys = {header_key(c) for c in cells}
        if all(any(k.startswith(w) for k in keys) for w in wanted):
            return i
    return None


def column_indexes(cells: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for i, name in enumerate(cells):
        found.setdefault(header_key(name), []).append(i)
    return found


def cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def first_column(columns: dict[str, list[int]], *names: str) -> int | None:
    for name in names:
        if name in columns:
            return columns[name][0]
    return None


def read_line(statement: ParsedStatement, line_no: int, read) -> None:
    """Run ``read()`` (→ ParsedLine or None to skip) and file its failure as a row problem."""
    try:
        line = read()
    except (AmountError, RowError) as error:
        statement.errors.append(RowProblem(line_no, error.reason))
        return
    except (ValueError, IndexError):
        statement.errors.append(RowProblem(line_no, _l("This row cannot be read.")))
        return
    if line is not None and line.amount <= 0:
        statement.errors.append(RowProblem(line_no, _l("The amount is zero.")))
    elif line is not None:
        statement.lines.append(line)


def debit_credit(debit: str, credit: str) -> tuple[int, str]:
    """One of two columns holds the amount; the other is empty or zero."""
    d, c = amount_or_zero(debit), amount_or_zero(credit)
    if d and c:
        raise RowError(_l("Both debit and credit hold an amount."))
    if not d and not c:
        raise RowError(_l("Neither debit nor credit holds an amount."))
    return (c, "C") if c else (d, "D")


PERIOD = re.compile(r"(\d{2}/\d{2}/\d{4})\s*-\s*(\d{2}/\d{2}/\d{4})")


def preamble_period(statement: ParsedStatement, rows, before: int) -> None:
    """A ``Period : dd/mm/yyyy - dd/mm/yyyy`` line above the table, when there is one."""
    for _no, cells in rows[:before]:
        label, _sep, value = ",".join(c for c in cells if c).partition(":")
        match = PERIOD.search(value)
        if header_key(label) in ("period", "periode") and match:
            try:
                statement.period_start = parse_date(match.group(1))
                statement.period_end = parse_date(match.group(2))
            except RowError:
                return


_ACCOUNT_LABELS = ("accountnumber", "accountno", "nomorrekening", "norekening", "norek")


def preamble_account(rows, before: int) -> str:
    for _no, cells in rows[:before]:
        label, _sep, value = ",".join(c for c in cells if c).partition(":")
        if header_key(label) in (
            "accountnumber",
            "accountno",
            "nomorrekening",
            "norekening",
            "norek",
        ):
            return re.sub(r"[^0-9]", "", value)
    return ""
