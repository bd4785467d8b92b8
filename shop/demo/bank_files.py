"""Demo bank statements written the way internet banking exports them.

The demo's history records what reached or left the koperasi's accounts as
:class:`BankLine` rows; these functions turn one account's lines for a period into the
bytes KlikBCA (CSV with a preamble, ``'DD/MM`` dates, ``CR``/``DB`` amounts) or Mandiri
(Debit/Kredit columns) would give an administrator, so the files go through the shop's
own parsers exactly as a real export would.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

BCA_ACCOUNT = "0613007788"
MANDIRI_ACCOUNT = "1370012345678"
HOLDER = "KOPERASI KARYA BINAAN NUSANTARA"


@dataclass(frozen=True)
class BankLine:
    """One booking on a statement: ``direction`` "C" (money in) or "D" (money out)."""

    day: date
    description: str
    amount: int
    direction: str
    reference: str = ""


def _us(amount: int) -> str:
    """KlikBCA and Mandiri write ``1,500,123.00``."""
    return f"{amount:,}.00"


def _running(lines: list[BankLine], opening: int) -> list[tuple[BankLine, int]]:
    balance, out = opening, []
    for line in lines:
        balance += line.amount if line.direction == "C" else -line.amount
        out.append((line, balance))
    return out


def bca_csv(lines: list[BankLine], start: date, end: date, opening: int) -> str:
    """A KlikBCA "Mutasi Rekening" CSV export of ``lines`` (in booking order)."""
    out = io.StringIO()
    out.write(f"No. rekening : {BCA_ACCOUNT}\n")
    out.write(f"Nama : {HOLDER}\n")
    out.write(f"Periode : {start:%d/%m/%Y} - {end:%d/%m/%Y}\n")
    out.write("Kode Mata Uang : Rp\n\n")
    out.write("Tanggal Transaksi,Keterangan,Cabang,Jumlah,Saldo\n")
    writer = csv.writer(out, lineterminator="\n")
    credit = debit = 0
    closing = opening
    for line, closing in _running(lines, opening):
        sign = "CR" if line.direction == "C" else "DB"
        if line.direction == "C":
            credit += line.amount
        else:
            debit += line.amount
        writer.writerow(
            [
                f"'{line.day:%d/%m}",
                line.description,
                "'0000",
                f"{_us(line.amount)} {sign}",
                _us(closing),
            ]
        )
    credits = sum(1 for line in lines if line.direction == "C")
    out.write("\n")
    writer.writerow(["Saldo Awal", ":", _us(opening)])
    writer.writerow(["Mutasi Kredit", ":", _us(credit), credits])
    writer.writerow(["Mutasi Debet", ":", _us(debit), len(lines) - credits])
    writer.writerow(["Saldo Akhir", ":", _us(closing)])
    return out.getvalue()


def mandiri_csv(lines: list[BankLine], opening: int) -> str:
    """A Mandiri internet-banking CSV export (Debit and Credit columns, a balance)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "Account No",
            "Date",
            "Val. Date",
            "Transaction Code",
            "Description",
            "Description",
            "Reference No.",
            "Debit",
            "Credit",
            "Balance",
        ]
    )
    for n, (line, balance) in enumerate(_running(lines, opening), start=1):
        debit = _us(line.amount) if line.direction == "D" else ".00"
        credit = _us(line.amount) if line.direction == "C" else ".00"
        day = f"{line.day:%d/%m/%y}"
        code = "7004" if line.direction == "C" else "5001"
        head, _, tail = line.description.partition(" | ")
        reference = line.reference or f"{line.day:%y%m%d}{n:010d}"
        writer.writerow(
            [MANDIRI_ACCOUNT, day, day, code, head, tail, reference, debit, credit, _us(balance)]
        )
    return out.getvalue()
