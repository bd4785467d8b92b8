"""Bank amounts and statement layouts, read from realistic export files."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from recon_helpers import SAMPLES

from shop.reconciliation.amounts import AmountError, parse_bank_amount
from shop.reconciliation.parsers import (
    ColumnMapping,
    StatementError,
    detect_bank,
    parse_statement,
)


@pytest.fixture(autouse=True)
def _request(app):
    """Messages are lazy strings: read them in a request (Indonesian by default)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.mark.parametrize(
    ("text", "rupiah"),
    [
        ("1.500.123,00", 1_500_123),
        ("1,500,123.00", 1_500_123),
        ("Rp 1.500.123", 1_500_123),
        ("Rp. 1.500.123", 1_500_123),
        ("IDR 1,500,123", 1_500_123),
        ("idr1,500,123.00", 1_500_123),
        ("Rp 2.062.921,00", 2_062_921),
        ("2062921", 2_062_921),
        ("2062921.00", 2_062_921),
        ("1.500.123", 1_500_123),
        ("1,500,123", 1_500_123),
        ("1.500", 1_500),  # Indonesian thousands: never 1,5 rupiah
        ("1,500", 1_500),
        ("150.00", 150),
        ("  Rp\u00a0168.123 ", 168_123),
        (".00", 0),  # Mandiri's empty debit or credit
    ],
)
def test_amounts_as_banks_write_them(text, rupiah):
    assert parse_bank_amount(text) == rupiah


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1.500,50", "has cents"),
        ("150.000,5", "not an amount"),
        ("1.5", "not an amount"),
        ("1.5000", "not an amount"),
        ("1.50.000", "not an amount"),
        ("1.500,123.00", "not an amount"),  # mixed thousands separators
        ("1.500.12", "not an amount"),
        ("١٢٣", "not an amount"),  # Arabic-Indic digits look like numbers, are not ours
        ("１２３", "not an amount"),  # full-width
        ("seratus", "not an amount"),
        ("", "No amount"),
        ("-1.500", "negative"),
        ("1" * 20, "too large"),
    ],
)
def test_amounts_that_are_refused_say_why(text, why):
    with pytest.raises(AmountError) as refused:
        parse_bank_amount(text)
    assert why in str(refused.value.reason)


def test_negative_amounts_only_where_a_sign_means_money_out():
    assert parse_bank_amount("-Rp 7.500", allow_negative=True) == -7_500
    assert parse_bank_amount("7.500,00-", allow_negative=True) == -7_500


def _read(name: str, bank: str | None = None, mapping=None):
    return parse_statement((SAMPLES / name).read_bytes(), bank, mapping)


def summary(statement) -> list[tuple]:
    return [(ln.date, ln.amount, ln.direction, ln.balance) for ln in statement.lines]


def test_bca_klikbca_export():
    statement = _read("bca.csv", "bca")
    assert (statement.bank, statement.account_no) == ("bca", "0613007788")
    assert (statement.period_start, statement.period_end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert summary(statement) == [
        (date(2026, 11, 2), 168_123, "C", 12_168_123),
        (date(2026, 11, 3), 1_500_123, "C", 13_668_246),
        (date(2026, 11, 5), 10_000, "D", 13_658_246),
        (date(2026, 11, 7), 2_062_921, "C", 15_721_167),
        (date(2026, 11, 7), 350_000, "D", 15_371_167),
        (date(2026, 11, 18), 245_000, "C", 15_616_167),
        (date(2026, 11, 30), 1_234, "C", 15_617_401),
    ]
    assert statement.lines[1].description.startswith("BI-FAST CR BIF TRANSFER DR 014 BUDI")
    assert [ln.line_no for ln in statement.lines] == [7, 8, 9, 10, 11, 12, 13]
    # The PEND row is not booked yet: reported, not imported. Summary lines are no rows.
    assert [(p.line_no, str(p.reason)) for p in statement.skipped] == [
        (14, "Pending (PEND): not yet booked by the bank.")
    ]
    assert statement.errors == []


def test_bca_period_over_new_year_gives_each_date_its_year():
    statement = _read("bca_dec_jan.csv")
    assert [ln.date for ln in statement.lines] == [
        date(2026, 12, 28),
        date(2026, 12, 31),
        date(2027, 1, 4),
    ]


def test_mandiri_export():
    statement = _read("mandiri.csv", "mandiri")
    assert statement.account_no == "1370012345678"
    assert summary(statement) == [
        (date(2026, 11, 2), 168_123, "C", 5_168_123),
        (date(2026, 11, 4), 1_500_123, "C", 6_668_246),
        (date(2026, 11, 5), 12_500, "D", 6_655_746),
        (date(2026, 11, 9), 2_062_921, "C", 8_718_667),
        (date(2026, 11, 12), 475_000, "D", 8_243_667),
    ]
    first = statement.lines[0]
    assert first.description == "Transfer dari SITI RAHMA KB-2611-0003"  # both columns
    assert first.reference == "2611020931450001"
    assert (statement.period_start, statement.period_end) == (date(2026, 11, 2), date(2026, 11, 12))


def test_bni_export_with_a_d_c_column():
    statement = _read("bni.csv", "bni")
    assert statement.account_no == "0987654321"
    assert summary(statement) == [
        (date(2026, 11, 2), 168_123, "C", 3_168_123),
        (date(2026, 11, 3), 1_500_123, "C", 4_668_246),
        (date(2026, 11, 5), 15_000, "D", 4_653_246),
        (date(2026, 11, 8), 2_062_921, "C", 6_716_167),
    ]
    assert statement.lines[0].reference == "931402"
    assert (statement.period_start, statement.period_end) == (date(2026, 11, 1), date(2026, 11, 30))


def test_bri_export_with_mutasi_columns():
    statement = _read("bri.csv", "bri")
    assert statement.account_no == "034101000123307"
    assert summary(statement) == [
        (date(2026, 11, 2), 168_123, "C", 2_168_123),
        (date(2026, 11, 3), 1_500_123, "C", 3_668_246),
        (date(2026, 11, 5), 10_000, "D", 3_658_246),
        (date(2026, 11, 8), 2_062_921, "C", 5_721_167),
    ]


def test_generic_csv_with_a_signed_amount_column():
    mapping = ColumnMapping(
        date="Tanggal", description="Uraian", amount="Nominal", reference="Referensi"
    )
    statement = _read("generic.csv", "csv", mapping)
    assert [(ln.date, ln.amount, ln.direction, ln.reference) for ln in statement.lines] == [
        (date(2026, 11, 2), 168_123, "C", "TRX-0001"),
        (date(2026, 11, 3), 1_500_123, "C", "TRX-0002"),
        (date(2026, 11, 5), 7_500, "D", "TRX-0003"),
        (date(2026, 11, 8), 2_062_921, "C", "TRX-0004"),
    ]


def test_generic_csv_with_debit_and_credit_columns():
    text = "Date,Memo,Out,In\n2026-11-02,SITI,,168.123\n2026-11-03,FEE,5.000,\n"
    mapping = ColumnMapping(date="Date", description="Memo", debit="Out", credit="In")
    statement = parse_statement(text.encode(), "csv", mapping)
    assert summary(statement) == [
        (date(2026, 11, 2), 168_123, "C", None),
        (date(2026, 11, 3), 5_000, "D", None),
    ]
    with pytest.raises(StatementError, match="no column “Amount”"):
        parse_statement(text.encode(), "csv", ColumnMapping("Date", "Memo", amount="Amount"))


@pytest.mark.parametrize(
    ("name", "bank"),
    [
        ("bca.csv", "bca"),
        ("bca_dec_jan.csv", "bca"),
        ("mandiri.csv", "mandiri"),
        ("bni.csv", "bni"),
        ("bri.csv", "bri"),
        ("generic.csv", None),
    ],
)
def test_each_layout_is_recognised(name, bank):
    assert detect_bank((SAMPLES / name).read_text()) == bank


def test_an_unknown_layout_asks_for_a_generic_import():
    with pytest.raises(StatementError, match="generic CSV"):
        _read("generic.csv")
    with pytest.raises(StatementError, match="empty"):
        parse_statement(b"  \n", None)


def test_bad_rows_are_reported_by_line_number_and_the_rest_is_read():
    text = (SAMPLES / "bca.csv").read_text().splitlines()
    bad = [
        '\'31/02,"TANGGAL SALAH",\'0000,"5,000.00 CR","1.00"',  # no 31 February
        '\'04/11,"ADA SEN",\'0000,"5,000.50 CR","1.00"',
        '\'04/11,"TANPA TANDA",\'0000,"5,000.00","1.00"',
        '\'04/12,"BULAN LAIN",\'0000,"5,000.00 CR","1.00"',  # outside the period
        '\'xx/11,"BUKAN TANGGAL",\'0000,"5,000.00 CR","1.00"',
    ]
    text[8:8] = bad  # lines 9–13 of the file
    statement = parse_statement("\n".join(text).encode(), "bca")
    assert [(p.line_no, str(p.reason)) for p in statement.errors] == [
        (9, "The date 31/02 is outside the statement's period."),
        (10, "“5,000.50” has cents; rupiah amounts must end in ,00 or nothing."),
        (11, "The amount has no CR or DB mark."),
        (12, "The date 04/12 is outside the statement's period."),
        (13, "“'xx/11” is not a date (write day/month/year)."),
    ]
    assert len(statement.lines) == 7  # every good row still read


def test_bad_rows_in_other_layouts():
    text = (SAMPLES / "mandiri.csv").read_text() + (
        '1370012345678,32/11/26,32/11/26,7004,X,,1,.00,"1.00",\n'
        '1370012345678,10/11/26,10/11/26,7004,Y,,2,"5.00","6.00",\n'
    )
    statement = parse_statement(text.encode(), "mandiri")
    assert [(p.line_no, str(p.reason)) for p in statement.errors] == [
        (7, "“32/11/26” is not a date (write day/month/year)."),
        (8, "Both debit and credit hold an amount."),
    ]
    text = (SAMPLES / "bni.csv").read_text() + (
        '09/11/2026,09/11/2026,1,2,Z,"5.00",X,"1.00"\n'
        '09/11/2026,09/11/2026,1,3,NOL,"0.00",C,"1.00"\n'
    )
    statement = parse_statement(text.encode(), "bni")
    assert [(p.line_no, str(p.reason)) for p in statement.errors] == [
        (10, "The D/C column must be D or C."),
        (11, "The amount is zero."),
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(
        [
            "{plain}",
            "{dots}",
            "{commas}",
            "{dots},00",
            "{commas}.00",
            "Rp {dots}",
            "Rp. {dots},00",
            "IDR {commas}",
            "IDR {commas}.00",
            "{plain}.00",
        ]
    ),
)
def test_every_writing_of_every_amount_reads_back(amount, style):
    commas = f"{amount:,}"
    text = style.format(plain=amount, commas=commas, dots=commas.replace(",", "."))
    assert parse_bank_amount(text) == amount


def test_files_that_are_not_statements_are_refused_whole():
    huge = b"Tanggal Transaksi,Keterangan\n'01/11,\"" + b"x" * 200_000 + b'"\n'
    with pytest.raises(StatementError, match="Line 2 is not CSV text"):
        parse_statement(huge, "bca")
    period = (
        (SAMPLES / "bca.csv")
        .read_text()
        .replace("01/11/2026 - 30/11/2026", "31/02/2026 - 30/11/2026")
    )
    with pytest.raises(StatementError, match="period “31/02/2026 - 30/11/2026” cannot be read"):
        parse_statement(period.encode(), "bca")


def test_nul_characters_and_utf16_exports():
    text = (SAMPLES / "bri.csv").read_text()
    with_nul = text.replace("ATMLTR", "ATM\x00LTR").encode()
    assert parse_statement(with_nul).lines[1].description == "ATMLTR BUDI SANTOSO"
    assert len(parse_statement(text.encode("utf-16")).lines) == 4
