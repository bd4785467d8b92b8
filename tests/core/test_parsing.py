"""The one parsing layer (shop/parsing.py) and what it guards: ids in the path, NUL bytes,
numbers people type in forms."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import lazy_gettext
from markupsafe import Markup

from shop.parsing import (
    MAX_ID,
    IdConverter,
    parse_date,
    parse_id,
    parse_int,
    parse_page,
    parse_rupiah,
)

HOSTILE_NUMBERS = ["²", "٣", "３", "1_000", "+5", " ", "", "1e3", "0x10", "99999999999999999999"]


@pytest.mark.parametrize("raw", HOSTILE_NUMBERS + [None, "-1", "0"])
def test_ids_are_ascii_digits_within_the_integer_column(raw):
    assert parse_id(raw) is None


def test_ids_and_their_bounds():
    assert parse_id("42") == 42
    assert parse_id(" 7 ") == 7
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(str(MAX_ID + 1)) is None


@pytest.mark.parametrize("raw", HOSTILE_NUMBERS)
def test_whole_numbers_refuse_what_int_would_misread(raw):
    assert parse_int(raw, -100, 100) is None


def test_negative_numbers_only_where_allowed():
    assert parse_int("-3", -10, 10) == -3
    assert parse_int("-3") is None
    assert parse_int("--3", -10, 10) is None


def test_pages_fall_back_to_the_first():
    assert parse_page("3") == 3
    assert parse_page("²") == 1
    assert parse_page("99999999999999999999") == 1
    assert parse_page("0") == 1
    assert parse_page(None, default=2) == 2


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("150000", 150_000),
        ("150.000", 150_000),
        ("Rp 150.000", 150_000),
        ("Rp150.000", 150_000),
        ("rp. 1.250.000", 1_250_000),
        ("150,000", 150_000),
        ("Rp 150.000,-", 150_000),
        ("150.000,00", 150_000),
        ("0", 0),
    ],
)
def test_rupiah_as_people_write_it(raw, amount):
    assert parse_rupiah(raw) == amount


@pytest.mark.parametrize(
    "raw",
    ["²", "٣٠٠", "-5", "1.50", "1.250,000", "15.00.000", "Rp", "", "lima ribu", "9" * 13],
)
def test_rupiah_refuses_anything_else(raw):
    assert parse_rupiah(raw) is None


def test_dates_within_a_sane_range():
    assert parse_date("2026-12-01") == date(2026, 12, 1)
    for raw in ["9999-12-31", "0001-01-01", "2026-02-30", "2026-1-1", "٢٠٢٦-١٢-٠١", "", None]:
        assert parse_date(raw) is None, raw


def test_every_route_with_an_id_uses_the_bounded_converter(app):
    # <int:> would accept 99999999999999999999 and hand it to the database.
    with_numbers = []
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if type(converter).__name__ in ("IntegerConverter", "FloatConverter"):
                with_numbers.append(f"{rule.rule} <{name}>")
            if isinstance(converter, IdConverter):
                with_numbers.append("ok")
    assert with_numbers and set(with_numbers) == {"ok"}, with_numbers


@pytest.mark.parametrize("raw", ["99999999999999999999", "2147483648", "²", "٣", "007"])
def test_ids_out_of_range_in_the_path_answer_404(client, raw):
    response = client.post(f"/keranjang/{raw}/hapus")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_nul_in_a_form_is_refused_with_a_message(client):
    response = client.post("/pesanan/cari", data={"number": "KB\x00", "email": "a@b.c"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "NUL" in body and "<h1" in body


def test_nul_in_the_path_is_refused(client):
    assert client.get("/produk/batik%00").status_code == 400


def test_a_lazy_message_with_markup_is_escaped_in_templates(app):
    from flask import render_template_string

    with app.test_request_context():
        html = render_template_string("{{ m }}", m=lazy_gettext("%(v)s", v="<a href=//x>KLIK</a>"))
        assert "<a href" not in html and "&lt;a href=//x&gt;KLIK&lt;/a&gt;" in html
        # Deliberate markup still renders as markup.
        assert render_template_string("{{ m }}", m=Markup("<b>x</b>")) == "<b>x</b>"


def test_favicon(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/icons/favicon.svg"' in page
    for url in ("/favicon.ico", "/static/icons/favicon.svg"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert b"<svg" in response.data
