"""Statements written the way KlikBCA exports them, for the amounts of real test orders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from shop.dashboard.timezone import jakarta_today
from shop.extensions import db
from shop.payments.models import Payment
from shop.reconciliation.models import StatementLine
from shop.sqltypes import utcnow

SAMPLES = Path(__file__).parent / "samples"


def today() -> date:
    return jakarta_today(utcnow())


def bca_csv(
    lines: list[tuple[date, str, int, str]], start: date | None = None, end: date | None = None
) -> bytes:
    """A KlikBCA export: ``(date, description, amount, "CR" | "DB")`` per line."""
    days = [d for d, *_rest in lines] or [today()]
    start, end = start or min(days), end or max(days)
    out = [
        "No. rekening : 0613007788",
        "Nama : KOPERASI KARYA BINAAN NUSANTARA",
        f"Periode : {start:%d/%m/%Y} - {end:%d/%m/%Y}",
        "Kode Mata Uang : Rp",
        "",
        "Tanggal Transaksi,Keterangan,Cabang,Jumlah,Saldo",
    ]
    balance = 10_000_000
    for day, description, amount, flag in lines:
        balance += amount if flag == "CR" else -amount
        out.append(f'\'{day:%d/%m},"{description}",\'0000,"{amount:,}.00 {flag}","{balance:,}.00"')
    out += ["", 'Saldo Awal,:,"10,000,000.00"', f'Saldo Akhir,:,"{balance:,}.00"']
    return ("\r\n".join(out) + "\r\n").encode()


def due(order) -> int:
    """The amount the buyer was asked to transfer (total + unique code)."""
    return db.session.scalar(select(Payment.amount).where(Payment.order_id == order.id))


def lines_by_amount() -> dict[int, StatementLine]:
    db.session.commit()
    return {line.amount: line for line in db.session.scalars(select(StatementLine))}
