"""Buyer emails (text + HTML) in the language used at checkout, queued in the outbox."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.mail.services import enqueue
from shop.orders.models import Order

SUBJECTS = {
    "order_received": lambda order: _(
        "Order %(number)s received: payment instructions", number=order.number
    ),
    "payment_confirmed": lambda order: _(
        "Payment for order %(number)s confirmed", number=order.number
    ),
    "part_shipped": lambda order: _("Part of order %(number)s is on its way", number=order.number),
    "refund_made": lambda order: _("Money returned for order %(number)s", number=order.number),
    "part_cancelled": lambda order: _(
        "Part of order %(number)s cannot be sent: your money comes back", number=order.number
    ),
}


def queue_order_email(order: Order, kind: str, part_id: int | None = None) -> None:
    from shop.bank_account import bank_account
    from shop.orders.services import load_order_for_display, lookup_url, tracking_url

    order = load_order_for_display(order.id)
    part = next((p for p in order.parts if p.id == part_id), None)
    context = {
        "order": order,
        "part": part,
        "bank": bank_account(),
        "tracking_url": tracking_url(order, current_app.config["SITE_URL"]),
        "site_url": current_app.config["SITE_URL"],
        "lookup_url": lookup_url(current_app.config["SITE_URL"]),
    }
    with force_locale(order.locale or "id"):
        subject = str(SUBJECTS[kind](order))
        text_body = render_template(f"emails/{kind}.txt", subject=subject, **context)
        html_body = render_template(f"emails/{kind}.html", subject=subject, **context)
    enqueue(kind, order.email, subject, text_body, html_body, order_id=order.id)
