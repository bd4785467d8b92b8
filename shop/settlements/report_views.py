"""``/admin/laporan``: sales and money reports from the ledger, each table as CSV too,
and the monthly recap per facility for the directorate general."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from shop.accounts.scoping import admin_required
from shop.core.timezone import jakarta_today
from shop.i18n import current_locale
from shop.inventory.stock_services import _cell
from shop.settlements import reports
from shop.settlements.charts import bars
from shop.settlements.forms import month_of
from shop.settlements.views import bp
from shop.sqltypes import utcnow


def _period() -> tuple[reports.Period, str, str, list[str]]:
    """The months asked for (``dari``, ``sampai`` as YYYY-MM), else this year so far."""
    today = jakarta_today(utcnow())
    first_text = request.args.get("dari", "").strip() or f"{today.year:04d}-01"
    last_text = request.args.get("sampai", "").strip() or f"{today.year:04d}-{today.month:02d}"
    errors = []
    first, last = month_of(first_text), month_of(last_text)
    if first is None or last is None:
        errors.append(_("Write the month as YYYY-MM, e.g. 2026-11."))
        first, last = (today.year, 1), (today.year, today.month)
    elif (last[0] - first[0]) * 12 + last[1] - first[1] > 120:
        errors.append(_("Choose at most ten years."))
        first = last
    return reports.months(first, last), first_text[:7], last_text[:7], errors


def _headers(kind: str) -> list[str]:
    money = [
        _("Sales"),
        _("Shipping charged"),
        _("Refunds"),
        _("Net"),
        _("Material cost"),
        _("Makers' premi"),
        _("PNBP"),
        _("Production capital"),
    ]
    return {
        "facility": [_("Facility"), *money],
        "province": [_("Province"), _("Sales")],
        "month": [_("Month"), _("Sales")],
        "category": [_("Category"), _("Sales")],
        "cash": [
            _("Channel"),
            _("Collected"),
            _("Refunds"),
            _("Card fees"),
            _("Disputes"),
            _("Settlements paid"),
            _("Other"),
            _("Net"),
        ],
        "marketplace": [_("The marketplace's own money"), _("Amount")],
    }[kind]


def _money(row: reports.Shares) -> list[int]:
    return [
        row.sales,
        row.shipping,
        row.refunds,
        row.net,
        row.material_cost,
        row.premi,
        row.pnbp,
        row.capital,
    ]


def _rows(report: reports.Report, kind: str) -> list[list]:
    if kind == "facility":
        rows = [[name, *_money(row)] for name, row in report.by_facility]
        return [*rows, [_("Total"), *_money(report.total)]]
    if kind == "cash":
        return [
            [_channel(code), *(row[k] for k in reports.CASH_COLUMNS)] for code, row in report.cash
        ]
    if kind == "marketplace":
        return _marketplace_rows(report.marketplace)
    table = {"province": report.by_province, "month": report.by_month}.get(kind)
    if table is None:
        table = report.by_category
    return [[label, amount] for label, amount in table]


def _marketplace_rows(sums: dict[str, int]) -> list[list]:
    labels = {
        "unique_code_income": _("Income: transfer unique codes"),
        "card_fees": _("Cost: card fees"),
        "dispute_losses": _("Cost: card disputes lost"),
        "write_offs": _("Cost: small shortfalls written off"),
    }
    income = sum(sums[c] for c in reports.MARKETPLACE_INCOME)
    costs = sum(sums[c] for c in reports.MARKETPLACE_COSTS)
    rows = [[labels[code], amount] for code, amount in sums.items()]
    return [*rows, [_("Income less costs"), income - costs]]


def _channel(code: str) -> str:
    return _("Bank transfer") if code == "bank" else _("Card (Stripe)")


@bp.get("/admin/laporan")
@admin_required
def reports_page():
    period, first, last, errors = _period()
    report = reports.report(period, current_locale())
    return render_template(
        "settlements/reports.html",
        report=report,
        first=first,
        last=last,
        errors=errors,
        charts={
            "facility": bars([(name, row.sales) for name, row in report.by_facility]),
            "category": bars(report.by_category),
            "province": bars(report.by_province),
            "month": bars(report.by_month, label_width=90),
        },
        headers=_headers,
        rows=lambda kind: _rows(report, kind),
        cash_columns=reports.CASH_COLUMNS,
        channel=_channel,
    ), (400 if errors else 200)


def _csv(name: str, header: list[str], rows: list[list]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) if isinstance(v, str) else v for v in row])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/admin/laporan/<kind>.csv")
@admin_required
def reports_csv(kind: str):
    if kind not in ("facility", "province", "month", "category", "cash", "marketplace"):
        abort(404)
    period, first, last, errors = _period()
    if errors:
        abort(400)
    report = reports.report(period, current_locale())
    return _csv(f"laporan-{kind}-{first}-{last}.csv", _headers(kind), _rows(report, kind))


def _recap_month() -> tuple[tuple[int, int], str, list[str]]:
    today = jakarta_today(utcnow())
    default = f"{today.year - (today.month == 1):04d}-{(today.month - 2) % 12 + 1:02d}"
    text = request.args.get("bulan", "").strip() or default
    month = month_of(text)
    if month is None:
        return month_of(default), default, [_("Write the month as YYYY-MM, e.g. 2026-11.")]
    return month, text, []


@bp.get("/admin/laporan/rekap")
@admin_required
def recap_page():
    month, text, errors = _recap_month()
    return render_template(
        "settlements/recap.html", recap=reports.recap(*month), month=text, errors=errors
    ), (400 if errors else 200)


@bp.get("/admin/laporan/rekap.csv")
@admin_required
def recap_csv():
    month, text, errors = _recap_month()
    if errors:
        abort(400)
    header = [
        _("Facility"),
        _("Province"),
        _("Product"),
        _("SKU"),
        _("Quantity"),
        _("Sales"),
    ]
    rows = []
    for item in reports.recap(*month):
        for name, sku, qty, amount in item.products:
            rows.append([item.facility, item.province, name, sku, qty, amount])
        money = item.money
        for label, value in (
            (_("Sales"), money.sales),
            (_("Shipping charged"), money.shipping),
            (_("Refunds"), money.refunds),
            (_("Material cost"), money.material_cost),
            (_("Makers' premi"), money.premi),
            (_("PNBP"), money.pnbp),
            (_("Production capital"), money.capital),
        ):
            rows.append([item.facility, item.province, label, "", "", value])
    return _csv(f"rekap-{text}.csv", header, rows)


@bp.get("/ke-mana-uangnya")
def where_the_money_went():
    rows, totals = reports.paid_out()
    return render_template("settlements/public.html", rows=rows, totals=totals)
