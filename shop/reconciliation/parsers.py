"""Bank statement exports (CSV) read into plain lines: BCA, Mandiri, BNI, BRI, generic.

Every parser takes the file's text and returns a :class:`ParsedStatement`: the lines it
could read, and for every row it could not, the file's line number and why. A bad row
never stops the rest. Dates are the bank's local dates (WIB); days come before months
(``03/11/2026`` is 3 November), as every Indonesian bank writes them.
"""

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


def _rows(text: str) -> list[tuple[int, list[str]]]:
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


def _key(name: str) -> str:
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


def _amount(text: str) -> int:
    return parse_bank_amount(text) if text.strip() else 0


def _optional_amount(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    return parse_bank_amount(text, allow_negative=True)


def _header_index(rows, wanted: tuple[str, ...], start: int = 0) -> int | None:
    """The position in ``rows`` of the first header row holding all ``wanted`` keys."""
    for i, (_no, cells) in enumerate(rows[start:], start):
        keys = {_key(c) for c in cells}
        if all(any(k.startswith(w) for k in keys) for w in wanted):
            return i
    return None


def _columns(cells: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for i, name in enumerate(cells):
        found.setdefault(_key(name), []).append(i)
    return found


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _first(columns: dict[str, list[int]], *names: str) -> int | None:
    for name in names:
        if name in columns:
            return columns[name][0]
    return None


def _line(statement: ParsedStatement, line_no: int, read) -> None:
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


def _debit_credit(debit: str, credit: str) -> tuple[int, str]:
    """One of two columns holds the amount; the other is empty or zero."""
    d, c = _amount(debit), _amount(credit)
    if d and c:
        raise RowError(_l("Both debit and credit hold an amount."))
    if not d and not c:
        raise RowError(_l("Neither debit nor credit holds an amount."))
    return (c, "C") if c else (d, "D")


# ---- BCA (KlikBCA "mutasi rekening" CSV) -------------------------------------------------

_BCA_PERIOD = re.compile(r"(\d{2}/\d{2}/\d{4})\s*-\s*(\d{2}/\d{2}/\d{4})")
_BCA_SUMMARY = ("saldoawal", "mutasikredit", "mutasidebet", "mutasidebit", "saldoakhir")


def _bca_date(text: str, start: date | None, end: date | None) -> date:
    """``'03/11`` with the year from the period (a December→January period has two)."""
    match = re.fullmatch(r"'?(\d{2})/(\d{2})(?:/(\d{2,4}))?", text.strip())
    if not match:
        raise RowError(_l("“%(text)s” is not a date (write day/month/year).", text=text))
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if year:
        return parse_date(text)
    if start is None or end is None:
        raise RowError(_l("The date has no year and the file states no period."))
    for candidate_year in sorted({start.year, end.year}):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if start <= candidate <= end:
            return candidate
    raise RowError(
        _l("The date %(text)s is outside the statement's period.", text=text.lstrip("'"))
    )


def parse_bca(text: str) -> ParsedStatement:
    statement = ParsedStatement(bank="bca")
    rows = _rows(text)
    header = None
    for i, (_no, cells) in enumerate(rows):
        first = cells[0]
        label, _sep, value = ",".join(c for c in cells if c).partition(":")
        key = _key(label)
        if key.startswith("norekening"):
            statement.account_no = re.sub(r"[^0-9]", "", value)
        elif key.startswith("periode"):
            match = _BCA_PERIOD.search(value)
            if match:
                try:
                    statement.period_start = parse_date(match.group(1))
                    statement.period_end = parse_date(match.group(2))
                except RowError:
                    raise StatementError(
                        _l("The statement's period “%(text)s” cannot be read.", text=value.strip())
                    ) from None
        elif _key(first).startswith("tanggal"):
            header = i
            break
    if header is None:
        raise StatementError(_l("No transaction table (the “Tanggal Transaksi” header) found."))
    columns = _columns(rows[header][1])
    i_desc = _first(columns, "keterangan")
    i_amount = _first(columns, "jumlah")
    for line_no, cells in rows[header + 1 :]:
        if _key(cells[0]) in _BCA_SUMMARY:
            continue  # Saldo Awal, Mutasi Kredit, Mutasi Debet, Saldo Akhir

        def read(cells=cells, line_no=line_no):
            if _key(cells[0]) == "pend":
                statement.skipped.append(
                    RowProblem(line_no, _l("Pending (PEND): not yet booked by the bank."))
                )
                return None
            day = _bca_date(cells[0], statement.period_start, statement.period_end)
            raw = _cell(cells, i_amount)
            flag = ""
            match = re.fullmatch(r"(.*?)\s*(CR|DB)", raw, flags=re.IGNORECASE)
            if match:
                raw, flag = match.group(1), match.group(2).upper()
            else:  # the flag in the next column
                nxt = _cell(cells, (i_amount or 0) + 1).upper()
                if nxt in ("CR", "DB"):
                    flag = nxt
            if not flag:
                raise RowError(_l("The amount has no CR or DB mark."))
            # The balance: the last cell after the amount that is not its CR/DB mark.
            tail = [c for c in cells[(i_amount or 0) + 1 :] if c.upper() not in ("CR", "DB")]
            balance = _optional_amount(tail[-1]) if tail else None
            return ParsedLine(
                line_no=line_no,
                date=day,
                description=_cell(cells, i_desc),
                amount=parse_bank_amount(raw),
                direction="C" if flag == "CR" else "D",
                balance=balance,
                # KlikBCA has no reference column ("Cabang" is a branch code, mostly
                # '0000): the description carries the transfer's own number.
                reference="",
            )

        _line(statement, line_no, read)
    return statement


# ---- Mandiri (Mandiri Internet Bisnis / Livin' CSV) --------------------------------------


def parse_mandiri(text: str) -> ParsedStatement:
    statement = ParsedStatement(bank="mandiri")
    rows = _rows(text)
    header = _header_index(rows, ("accountno", "date", "debit", "credit"))
    if header is None:
        raise StatementError(_l("No Mandiri header (Account No, Date, Debit, Credit) found."))
    columns = _columns(rows[header][1])
    i_account = _first(columns, "accountno")
    i_date = _first(columns, "date", "postdate", "transactiondate")
    descriptions = [i for k, idx in columns.items() if k.startswith("description") for i in idx]
    i_ref = _first(columns, "referenceno", "reference", "refno")
    i_debit, i_credit = _first(columns, "debit"), _first(columns, "credit")
    i_balance = _first(columns, "balance", "saldo")
    for line_no, cells in rows[header + 1 :]:

        def read(cells=cells, line_no=line_no):
            account = re.sub(r"[^0-9]", "", _cell(cells, i_account))
            if account and not statement.account_no:
                statement.account_no = account
            amount, direction = _debit_credit(_cell(cells, i_debit), _cell(cells, i_credit))
            return ParsedLine(
                line_no=line_no,
                date=parse_date(_cell(cells, i_date)),
                description=" ".join(_cell(cells, i) for i in sorted(descriptions) if cells[i:]),
                amount=amount,
                direction=direction,
                balance=_optional_amount(_cell(cells, i_balance)),
                reference=_cell(cells, i_ref),
            )

        _line(statement, line_no, read)
    statement.fill_period()
    return statement


# ---- BNI (BNI Direct / BNI Internet Banking CSV) -----------------------------------------


def _preamble_period(statement: ParsedStatement, rows, before: int) -> None:
    """A ``Period : dd/mm/yyyy - dd/mm/yyyy`` line above the table, when there is one."""
    for _no, cells in rows[:before]:
        label, _sep, value = ",".join(c for c in cells if c).partition(":")
        match = _BCA_PERIOD.search(value)
        if _key(label) in ("period", "periode") and match:
            try:
                statement.period_start = parse_date(match.group(1))
                statement.period_end = parse_date(match.group(2))
            except RowError:
                return


def _preamble_account(rows, before: int) -> str:
    for _no, cells in rows[:before]:
        label, _sep, value = ",".join(c for c in cells if c).partition(":")
        if _key(label) in ("accountnumber", "accountno", "nomorrekening", "norekening", "norek"):
            return re.sub(r"[^0-9]", "", value)
    return ""


def parse_bni(text: str) -> ParsedStatement:
    statement = ParsedStatement(bank="bni")
    rows = _rows(text)
    header = _header_index(rows, ("postdate", "description", "amount"))
    if header is None:
        raise StatementError(_l("No BNI header (Post Date, Description, Amount, D/C) found."))
    statement.account_no = _preamble_account(rows, header)
    _preamble_period(statement, rows, header)
    columns = _columns(rows[header][1])
    i_date = _first(columns, "postdate")
    i_journal = _first(columns, "journalno", "journal")
    i_desc = _first(columns, "description")
    i_amount = _first(columns, "amount")
    i_dc = _first(columns, "d/c", "db/cr", "dc")
    i_balance = _first(columns, "balance")
    for line_no, cells in rows[header + 1 :]:
        if _key(cells[0]) in ("beginningbalance", "endingbalance", "totaldebit", "totalcredit"):
            continue

        def read(cells=cells, line_no=line_no):
            flag = _cell(cells, i_dc).upper()
            if flag not in ("D", "C", "DB", "CR"):
                raise RowError(_l("The D/C column must be D or C."))
            return ParsedLine(
                line_no=line_no,
                date=parse_date(_cell(cells, i_date)),
                description=_cell(cells, i_desc),
                amount=parse_bank_amount(_cell(cells, i_amount)),
                direction="C" if flag.startswith("C") else "D",
                balance=_optional_amount(_cell(cells, i_balance)),
                reference=_cell(cells, i_journal),
            )

        _line(statement, line_no, read)
    statement.fill_period()
    return statement


# ---- BRI (BRI CMS / Qlola mutasi CSV) ----------------------------------------------------


def parse_bri(text: str) -> ParsedStatement:
    statement = ParsedStatement(bank="bri")
    rows = _rows(text)
    header = _header_index(rows, ("mutasideb", "mutasikredit"))
    if header is None:
        raise StatementError(_l("No BRI header (MUTASI_DEBIT, MUTASI_KREDIT) found."))
    columns = _columns(rows[header][1])
    i_account = _first(columns, "norek", "norekening", "nomorrekening")
    i_date = _first(columns, "tgltran", "tanggal", "tgl")
    i_desc = _first(columns, "desktran", "keterangan", "deskripsi")
    i_debit = _first(columns, "mutasidebit", "mutasidebet")
    i_credit = _first(columns, "mutasikredit")
    i_balance = _first(columns, "saldoakhirmutasi", "saldoakhir", "saldo")
    i_ref = _first(columns, "reffno", "refno", "noreferensi", "reference")
    statement.account_no = _preamble_account(rows, header)
    _preamble_period(statement, rows, header)
    for line_no, cells in rows[header + 1 :]:

        def read(cells=cells, line_no=line_no):
            account = re.sub(r"[^0-9]", "", _cell(cells, i_account))
            if account and not statement.account_no:
                statement.account_no = account
            amount, direction = _debit_credit(_cell(cells, i_debit), _cell(cells, i_credit))
            return ParsedLine(
                line_no=line_no,
                date=parse_date(_cell(cells, i_date)),
                description=_cell(cells, i_desc),
                amount=amount,
                direction=direction,
                balance=_optional_amount(_cell(cells, i_balance)),
                reference=_cell(cells, i_ref),
            )

        _line(statement, line_no, read)
    statement.fill_period()
    return statement


# ---- generic CSV with a column mapping ---------------------------------------------------


def csv_header(text: str) -> list[str]:
    """The first row of a generic CSV: the column names to map."""
    rows = _rows(text)
    if not rows:
        raise StatementError(_l("The file is empty."))
    return rows[0][1]


def parse_generic(text: str, mapping: ColumnMapping) -> ParsedStatement:
    statement = ParsedStatement(bank="csv")
    rows = _rows(text)
    if not rows:
        raise StatementError(_l("The file is empty."))
    names = rows[0][1]

    def index(name: str) -> int | None:
        if not name:
            return None
        if name not in names:
            raise StatementError(_l("The file has no column “%(name)s”.", name=name))
        return names.index(name)

    i_date, i_desc = index(mapping.date), index(mapping.description)
    i_amount, i_debit, i_credit = index(mapping.amount), index(mapping.debit), index(mapping.credit)
    i_ref, i_balance = index(mapping.reference), index(mapping.balance)
    for line_no, cells in rows[1:]:

        def read(cells=cells, line_no=line_no):
            if i_amount is not None:
                signed = parse_bank_amount(_cell(cells, i_amount), allow_negative=True)
                if signed == 0:
                    raise RowError(_l("The amount is zero."))
                amount, direction = abs(signed), ("C" if signed > 0 else "D")
            else:
                amount, direction = _debit_credit(_cell(cells, i_debit), _cell(cells, i_credit))
            return ParsedLine(
                line_no=line_no,
                date=parse_date(_cell(cells, i_date)),
                description=_cell(cells, i_desc),
                amount=amount,
                direction=direction,
                balance=_optional_amount(_cell(cells, i_balance)),
                reference=_cell(cells, i_ref),
            )

        _line(statement, line_no, read)
    statement.fill_period()
    return statement


# ---- choosing the parser -----------------------------------------------------------------


def detect_bank(text: str) -> str | None:
    """The bank whose layout the file has, from its preamble and header (None: unknown)."""
    head = _key(" ".join(text.splitlines()[:30]).replace(" ", ""))
    lowered = text[:4000].lower()
    if "tanggaltransaksi" in head or "no. rekening" in lowered:
        return "bca"
    if "mutasi_kredit" in lowered or "mutasikredit" in head:
        return "bri"
    if "postdate" in head and ("d/c" in lowered or "db/cr" in lowered):
        return "bni"
    if "accountno" in head and "debit" in head and "credit" in head:
        return "mandiri"
    return None


def parse_statement(
    content: bytes, bank: str | None = None, mapping: ColumnMapping | None = None
) -> ParsedStatement:
    """Read an export; ``bank`` None (or "auto") detects it. A generic CSV needs ``mapping``."""
    text = decode(content)
    if not text.strip():
        raise StatementError(_l("The file is empty."))
    if bank in (None, "", "auto"):
        bank = detect_bank(text)
        if bank is None:
            raise StatementError(
                _l(
                    "This file's layout was not recognised as BCA, Mandiri, BNI or BRI: "
                    "import it as a generic CSV and choose its columns."
                )
            )
    if bank == "csv":
        if mapping is None:
            raise StatementError(_l("Choose which columns hold the date, description and amount."))
        return parse_generic(text, mapping)
    parsers = {"bca": parse_bca, "mandiri": parse_mandiri, "bni": parse_bni, "bri": parse_bri}
    if bank not in parsers:
        raise StatementError(_l("Unknown bank “%(bank)s”.", bank=bank))
    return parsers[bank](text)
