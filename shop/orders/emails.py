"""Buyer emails (text + HTML) in the language used at checkout, queued in the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.mail.services import BODY_RENDERERS, enqueue
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
    """Render the e-mail now and queue it (inside the caller's transaction)."""
    subject, text_body, html_body = render_order_email(order.id, kind, part_id)
    enqueue(kind, order.email, subject, text_body, html_body, order_id=order.id)


@dataclass(frozen=True)
class MailFacility:
    name: str


@dataclass(frozen=True)
class MailLine:
    product_name: str
    quantity: int
    line_total: int


@dataclass(frozen=True)
class MailPart:
    facility: MailFacility
    courier: str
    shipping_fee: int
    lines: list[MailLine]


@dataclass(frozen=True)
class MailOrder:
    """What the order e-mails read of an order, copied while it is in memory."""

    id: int
    number: str
    public_token: str
    locale: str
    name: str
    email: str
    payment_deadline: datetime
    total: int
    amount_due: int
    unique_code: int | None
    parts: list[MailPart] = field(default_factory=list)


def queue_rendered_order_email(kind: str, snapshot: MailOrder) -> None:
    """Render the e-mail from ``snapshot`` (the order as it is in memory: the attributes
    the templates read; no query) and queue it, body and all, in the caller's
    transaction: it goes out exactly once, if that transaction commits."""
    subject, text_body, html_body = _render(snapshot, kind, None)
    enqueue(kind, snapshot.email, subject, text_body, html_body, order_id=snapshot.id)


def render_order_email(order_id: int, kind: str, part_id: int | None = None):
    """(subject, text, html) of an order e-mail in the buyer's language."""
    from shop.orders.services import load_order_for_display

    order = load_order_for_display(order_id)
    part = next((p for p in order.parts if p.id == part_id), None)
    return _render(order, kind, part)


def _render(order, kind: str, part):
    """(subject, text, html) from an order (or a snapshot with the same attributes)."""
    from shop.bank_account import bank_account
    from shop.orders.services import lookup_url, tracking_url

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
    return subject, text_body, html_body


def _bodies(message) -> tuple[str, str]:
    _subject, text_body, html_body = render_order_email(message.order_id, message.kind)
    return text_body, html_body


for _kind in SUBJECTS:
    BODY_RENDERERS[_kind] = _bodies
