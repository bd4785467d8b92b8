"""The layouts: BCA, Mandiri, BNI, BRI and a generic CSV with chosen columns."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from shop.reconciliation.amounts import parse_bank_amount
from shop.reconciliation.parsers.reading import (
    PERIOD,
    ColumnMapping,
    ParsedLine,
    ParsedStatement,
    RowError,
    RowProblem,
    StatementError,
    cell,
    column_indexes,
    debit_credit,
    decode,
    first_column,
    header_index,
    header_key,
    optional_amount,
    parse_date,
    preamble_account,
    preamble_period,
    read_line,
    read_rows,
)

# ---- BCA (KlikBCA "mutasi rekening" CSV) -------------------------------------------------

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
    rows = read_rows(text)
    header = None
    for i, (_no, cells) in enumerate(rows):
        first = cells[0]
        label, _sep, value = ",".join(c for c in cells if c).partition(":")
        key = header_key(label)
        if key.startswith("norekening"):
            statement.account_no = re.sub(r"[^0-9]", "", value)
        elif key.startswith("periode"):
            match = PERIOD.search(value)
            if match:
                try:
                    statement.period_start = parse_date(match.group(1))
                    statement.period_end = parse_date(match.group(2))
                except RowError:
                    raise StatementError(
                        _l("The statement's period “%(text)s” cannot be read.", text=value.strip())
                    ) from None
        elif header_key(first).startswith("tanggal"):
            header = i
            break
    if header is None:
        raise StatementError(_l("No transaction table (the “Tanggal Transaksi” header) found."))
    columns = column_indexes(rows[header][1])
    i_desc = first_column(columns, "keterangan")
    i_amount = first_column(columns, "jumlah")
    for line_no, cells in rows[header + 1 :]:
        if header_key(cells[0]) in _BCA_SUMMARY:
            continue  # Saldo Awal, Mutasi Kredit, Mutasi Debet, Saldo Akhir

        def read(cells=cells, line_no=line_no):
            if header_key(cells[0]) == "pend":
                statement.skipped.append(
                    RowProblem(line_no, _l("Pending (PEND): not yet booked by the bank."))
                )
                return None
            day = _bca_date(cells[0], statement.period_start, statement.period_end)
            raw = cell(cells, i_amount)
            flag = ""
            match = re.fullmatch(r"(.*?)\s*(CR|DB)", raw, flags=re.IGNORECASE)
            if match:
                raw, flag = match.group(1), match.group(2).upper()
            else:  # the flag in the next column
                nxt = cell(cells, (i_amount or 0) + 1).upper()
                if nxt in ("CR", "DB"):
                    flag = nxt
            if not flag:
                raise RowError(_l("The amount has no CR or DB mark."))
            # The balance: the last cell after the amount that is not its CR/DB mark.
            tail = [c for c in cells[(i_amount or 0) + 1 :] if c.upper() not in ("CR", "DB")]
            balance = optional_amount(tail[-1]) if tail else None
            return ParsedLine(
                line_no=line_no,
                date=day,
                description=cell(cells, i_desc),
                amount=parse_bank_amount(raw),
                direction="C" if flag == "CR" else "D",
                balance=balance,
                # KlikBCA has no reference column ("Cabang" is a branch code, mostly
                # '0000): the description carries the transfer's own number.
                reference="",
            )

        read_line(statement, line_no, read)
    return statement


# ---- Mandiri (Mandiri Internet Bisnis / Livin' CSV) --------------------------------------


def parse_mandiri(text: str) -> ParsedStatement:
    statement = ParsedStatement(bank="mandiri")
    rows = read_rows(text)
    header = header_index(rows, ("accountno", "date", "debit", "credit"))
    if header is None:
        raise StatementError(_l("No Mandiri header (Account No, Date, Debit, Credit) found."))
    columns = column_indexes(rows[header][1])
    i_account = first_column(columns, "accountno")
    i_date = first_column(columns, "date", "postdate", "transactiondate")
    descriptions = [i for k, idx in columns.items() if k.startswith("description") for i in idx]
    i_ref = first_column(columns, "referenceno", "reference", "refno")
    i_debit, i_credit = first_column(columns, "debit"), first_column(columns, "credit")
    i_balance = first_column(columns, "balance", "saldo")
    for line_no, cells in rows[header + 1 :]:

        def read(cells=cells, line_no=line_no):
            account = re.sub(r"[^0-9]", "", cell(cells, i_account))
            if account and not statement.account_no:
                statement.account_no = account
            amount, direction = debit_credit(cell(cells, i_debit), cell(cells, i_credit))
            return ParsedLine(
                line_no=line_no,
                date=parse_date(cell(cells, i_date)),
                description=" ".join(cell(cells, i) for i in sorted(descriptions) if cells[i:]),
                amount=amount,
                direction=direction,
                balance=optional_amount(cell(cells, i_balance)),
                reference=cell(cells, i_ref),
            )

        read_line(statement, line_no, read)
    statement.fill_period()
    return statement


# ---- BNI (BNI Direct / BNI Internet Banking CSV) -----------------------------------------


_BNI_SUMMARY = ("beginningbalance", "endingbalance", "totaldebit", "totalcredit")


def parse_bni(text: str) -> ParsedStatement:
    statement = ParsedStatement(bank="bni")
    rows = read_rows(text)
    header = header_index(rows, ("postdate", "description", "amount"))
    if header is None:
        raise StatementError(_l("No BNI header (Post Date, Description, Amount, D/C) found."))
    statement.account_no = preamble_account(rows, header)
    preamble_period(statement, rows, header)
    columns = column_indexes(rows[header][1])
    i_date = first_column(columns, "postdate")
    i_journal = first_column(columns, "journalno", "journal")
    i_desc = first_column(columns, "description")
    i_amount = first_column(columns, "amount")
    i_dc = first_column(columns, "d/c", "db/cr", "dc")
    i_balance = first_column(columns, "balance")
    for line_no, cells in rows[header + 1 :]:
        if header_key(cells[0]) in (
            "beginningbalance",
            "endingbalance",
            "totaldebit",
            "totalcredit",
        ):
            continue

        def read(cells=cells, line_no=line_no):
            flag = cell(cells, i_dc).upper()
            if flag not in ("D", "C", "DB", "CR"):
                raise RowError(_l("The D/C column must be D or C."))
            return ParsedLine(
                line_no=line_no,
                date=parse_date(cell(cells, i_date)),
                description=cell(cells, i_desc),
                amount=parse_bank_amount(cell(cells, i_amount)),
                direction="C" if flag.startswith("C") else "D",
                balance=optional_amount(cell(cells, i_balance)),
                reference=cell(cells, i_journal),
            )

        read_line(statement, line_no, read)
    statement.fill_period()
    return statement


# ---- BRI (BRI CMS / Qlola mutasi CSV) ----------------------------------------------------


def parse_bri(text: str) -> ParsedStatement:
    statement = ParsedStatement(bank="bri")
    rows = read_rows(text)
    header = header_index(rows, ("mutasideb", "mutasikredit"))
    if header is None:
        raise StatementError(_l("No BRI header (MUTASI_DEBIT, MUTASI_KREDIT) found."))
    columns = column_indexes(rows[header][1])
    i_account = first_column(columns, "norek", "norekening", "nomorrekening")
    i_date = first_column(columns, "tgltran", "tanggal", "tgl")
    i_desc = first_column(columns, "desktran", "keterangan", "deskripsi")
    i_debit = first_column(columns, "mutasidebit", "mutasidebet")
    i_credit = first_column(columns, "mutasikredit")
    i_balance = first_column(columns, "saldoakhirmutasi", "saldoakhir", "saldo")
    i_ref = first_column(columns, "reffno", "refno", "noreferensi", "reference")
    statement.account_no = preamble_account(rows, header)
    preamble_period(statement, rows, header)
    for line_no, cells in rows[header + 1 :]:

        def read(cells=cells, line_no=line_no):
            account = re.sub(r"[^0-9]", "", cell(cells, i_account))
            if account and not statement.account_no:
                statement.account_no = account
            amount, direction = debit_credit(cell(cells, i_debit), cell(cells, i_credit))
            return ParsedLine(
                line_no=line_no,
                date=parse_date(cell(cells, i_date)),
                description=cell(cells, i_desc),
                amount=amount,
                direction=direction,
                balance=optional_amount(cell(cells, i_balance)),
                reference=cell(cells, i_ref),
            )

        read_line(statement, line_no, read)
    statement.fill_period()
    return statement


# ---- generic CSV with a column mapping ---------------------------------------------------


def csv_header(text: str) -> list[str]:
    """The first row of a generic CSV: the column names to map."""
    rows = read_rows(text)
    if not rows:
        raise StatementError(_l("The file is empty."))
    return rows[0][1]


def parse_generic(text: str, mapping: ColumnMapping) -> ParsedStatement:
    statement = ParsedStatement(bank="csv")
    rows = read_rows(text)
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
                signed = parse_bank_amount(cell(cells, i_amount), allow_negative=True)
                if signed == 0:
                    raise RowError(_l("The amount is zero."))
                amount, direction = abs(signed), ("C" if signed > 0 else "D")
            else:
                amount, direction = debit_credit(cell(cells, i_debit), cell(cells, i_credit))
            return ParsedLine(
                line_no=line_no,
                date=parse_date(cell(cells, i_date)),
                description=cell(cells, i_desc),
                amount=amount,
                direction=direction,
                balance=optional_amount(cell(cells, i_balance)),
                reference=cell(cells, i_ref),
            )

        read_line(statement, line_no, read)
    statement.fill_period()
    return statement


# ---- choosing the parser -----------------------------------------------------------------


def detect_bank(text: str) -> str | None:
    """The bank whose layout the file has, from its preamble and header (None: unknown)."""
    head = header_key(" ".join(text.splitlines()[:30]).replace(" ", ""))
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
