"""A settlement as a statement: labels and the CSV both administrators and staff get."""

from __future__ import annotations

import csv
import io

from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.inventory.stock_services import _cell
from shop.settlements import services
from shop.settlements.models import Settlement

STATE_LABELS = {"draft": _l("Draft"), "approved": _l("Approved"), "paid": _l("Paid")}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def summary_rows(s: Settlement) -> list[tuple[str, str, int]]:
    """``(key, label, amount)`` of a statement's summary, in reading order."""
    return [
        ("gross_sales", _("Gross sales"), s.gross_sales),
        ("shipping_sold", _("Shipping charged"), s.shipping_sold),
        ("refunds", _("Refunds and cancellations"), -s.refunds),
        ("material_cost", _("Material cost"), s.material_cost),
        ("profit", _("Profit"), s.profit),
        ("premi", _("Makers' premi"), s.premi),
        ("pnbp", _("PNBP (state)"), s.pnbp),
        ("capital", _("Production capital"), s.capital),
        ("shipping", _("Shipping (net)"), s.shipping),
        ("amount", _("Paid to the facility"), s.amount),
        ("card_fees", _("Card fees (borne by the marketplace, not deducted)"), s.card_fees),
    ]


def csv_response(s: Settlement) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Facility"), _cell(s.facility.name)])
    writer.writerow([_("Period"), f"{s.period_start.isoformat()} – {s.period_end.isoformat()}"])
    writer.writerow([_("State"), state_label(s.state)])
    if s.state == "paid":
        writer.writerow([_("Transfer reference"), s.paid_reference])
        writer.writerow([_("Transfer date"), s.paid_on.isoformat()])
    writer.writerow([])
    for _key, label, amount in summary_rows(s):
        writer.writerow([label, amount])
    writer.writerow([])
    writer.writerow(
        [
            _("Order"),
            _("Sales"),
            _("Shipping"),
            _("Refunds"),
            _("Material cost"),
            _("Makers' premi"),
            _("PNBP"),
            _("Production capital"),
            _("Amount"),
        ]
    )
    for row in services.parts(s.id):
        writer.writerow(
            [
                row.order_number,
                row.sales,
                row.shipping,
                row.refunds,
                row.material_cost,
                row.premi,
                row.pnbp,
                row.capital,
                row.amount,
            ]
        )
    name = f"penyelesaian-{s.facility.slug}-{s.period_start:%Y-%m}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
