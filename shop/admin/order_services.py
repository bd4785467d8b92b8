"""Every order for administrators: filters and search, CSV, the order's whole timeline,
and the actions (extend a payment deadline, cancel an unpaid order, resend an e-mail,
add an internal note). Each action writes one audit row with before and after."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, or_, select, update

from shop.audit import services as audit
from shop.audit.models import AuditEntry
from shop.catalog.product_services import like_pattern
from shop.checkout.phone import normalize_phone
from shop.core.paging import Page, paginate
from shop.core.timezone import JAKARTA, day_start
from shop.extensions import db
from shop.facilities.models import Facility
from shop.inventory.models import StockAllocation, StockMovement
from shop.mail.models import OutboxMessage
from shop.mail.services import enqueue
from shop.orders import services as orders
from shop.orders.models import ORDER_STATUSES, FacilityOrder, Order, OrderEvent, OrderNote
from shop.payments.models import Payment, PaymentChange, PaymentTransaction
from shop.payments.stripe.models import StripeRefund
from shop.sqltypes import utcnow
from shop.system_text import Note

PER_PAGE = 30
PAYMENT_METHODS = ("bank_transfer", "card")
MAX_AMOUNT = 2_000_000_000
MAX_EXTENSION_DAYS = 14
MAX_NOTE = 2000


class OrderActionError(ValueError):
    """A refused action; ``field`` names the form field it concerns."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


# ---- finding orders ---------------------------------------------------------------------

_RUPIAH = re.compile(r"^(?:rp\.?\s*)?([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)$", re.IGNORECASE)


def parse_amount(text: str) -> int | None:
    """Whole rupiah written as "Rp 168.123", "168.123" or "168123"; None otherwise.

    ASCII digits only ("١٦٨" is not an amount), dots only as thousands separators.
    """
    match = _RUPIAH.match((text or "").strip())
    if not match:
        return None
    value = int(match.group(1).replace(".", ""))
    return value if 0 < value <= MAX_AMOUNT else None


@dataclass(frozen=True)
class OrderFilter:
    q: str = ""
    status: str = ""
    facility_id: int | None = None
    payment_method: str = ""
    date_from: date | None = None
    date_to: date | None = None
    amount_min: int | None = None
    amount_max: int | None = None

    def as_args(self) -> dict:
        """Query-string values (for the pager and the CSV link)."""
        args = {
            "q": self.q or None,
            "status": self.status or None,
            "facility": self.facility_id,
            "method": self.payment_method or None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "min": self.amount_min,
            "max": self.amount_max,
        }
        return {k: v for k, v in args.items() if v is not None}


def _search(stmt: Select, q: str) -> Select:
    """One box: order number, e-mail, phone or the exact amount due / total."""
    q = q.strip()[:100]
    if not q:
        return stmt
    matches = [Order.number == q.upper()]
    if "@" in q:
        matches.append(func.lower(Order.email).like(like_pattern(q), escape="\\"))
    phone = normalize_phone(q)
    if phone:
        matches.append(Order.phone == phone)
    amount = parse_amount(q)
    if amount is not None:
        matches.extend([Order.amount_due == amount, Order.total == amount])
    return stmt.where(or_(*matches))


def _filtered(f: OrderFilter) -> Select:
    stmt = _search(select(Order), f.q)
    if f.status in ORDER_STATUSES:
        stmt = stmt.where(Order.status == f.status)
    if f.facility_id is not None:
        stmt = stmt.where(
            exists().where(
                FacilityOrder.order_id == Order.id, FacilityOrder.facility_id == f.facility_id
            )
        )
    if f.payment_method in PAYMENT_METHODS:
        stmt = stmt.where(Order.payment_method == f.payment_method)
    if f.date_from:
        stmt = stmt.where(Order.placed_at >= day_start(f.date_from))
    if f.date_to:
        stmt = stmt.where(Order.placed_at < day_start(f.date_to + timedelta(days=1)))
    if f.amount_min is not None:
        stmt = stmt.where(Order.amount_due >= f.amount_min)
    if f.amount_max is not None:
        stmt = stmt.where(Order.amount_due <= f.amount_max)
    return stmt


def list_orders(f: OrderFilter, page: int = 1) -> Page:
    """Orders matching ``f``, newest first."""
    stmt = _filtered(f).order_by(Order.placed_at.desc(), Order.id.desc())
    return paginate(stmt, page, PER_PAGE)


CSV_HEADER = [
    "number",
    "placed (WIB)",
    "status",
    "payment method",
    "name",
    "email",
    "phone",
    "subtotal",
    "shipping",
    "total",
    "amount due",
    "refunded",
    "paid (WIB)",
]


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula is quoted (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _wib(moment: datetime | None) -> str:
    return moment.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M") if moment else ""


def orders_csv(f: OrderFilter) -> Iterator[str]:
    """The filtered orders as CSV, newest first, streamed in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(CSV_HEADER)
    yield flush()
    refunded = (
        select(func.coalesce(func.sum(PaymentTransaction.amount), 0))
        .where(PaymentTransaction.order_id == Order.id, PaymentTransaction.kind == "refund")
        .scalar_subquery()
    )
    stmt = _filtered(f).add_columns(refunded).order_by(Order.placed_at.desc(), Order.id.desc())
    for order, refunded_amount in db.session.execute(stmt.execution_options(yield_per=500)):
        writer.writerow(
            [
                order.number,
                _wib(order.placed_at),
                order.status,
                order.payment_method,
                _cell(order.name),
                _cell(order.email),
                _cell(order.phone),
                order.subtotal,
                order.shipping_total,
                order.total,
                order.amount_due,
                refunded_amount,
                _wib(order.paid_at),
            ]
        )
        if buffer.tell() > 16_384:
            yield flush()
    yield flush()


# ---- the timeline -----------------------------------------------------------------------

# Order of kinds written in one transaction (same timestamp): cause before effects.
KIND_RANK = {
    "order": 0,
    "payment": 1,
    "payment_change": 2,
    "money": 3,
    "refund": 3,
    "stock": 4,
    "mail": 5,
    "note": 6,
    "audit": 7,
}


@dataclass(frozen=True)
class TimelineItem:
    """One thing that happened: ``kind`` says which (the page words it), ``data`` holds
    its values (statuses, amounts, subjects), ``who`` and ``why`` as recorded."""

    when: datetime
    kind: str
    who: str
    why: str | Note = ""  # a person's words, or the shop's note (shop.system_text)
    data: dict = field(default_factory=dict)
    sort_id: int = 0

    @property
    def key(self) -> tuple:
        return (self.when, KIND_RANK[self.kind], self.sort_id)


def _order_items(order_id: int) -> list[TimelineItem]:
    facilities = dict(
        db.session.execute(
            select(FacilityOrder.id, Facility.name)
            .join(Facility, Facility.id == FacilityOrder.facility_id)
            .where(FacilityOrder.order_id == order_id)
        ).all()
    )
    return [
        TimelineItem(
            event.created_at,
            "order",
            event.actor,
            event.reason_msg or event.reason,
            {
                "from": event.from_status,
                "to": event.to_status,
                "part": event.facility_order_id,
                "facility": facilities.get(event.facility_order_id, ""),
            },
            event.id,
        )
        for event in db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id))
    ]


def _payment_items(order_id: int) -> list[TimelineItem]:
    payments = list(db.session.scalars(select(Payment).where(Payment.order_id == order_id)))
    items = [
        TimelineItem(
            p.created_at,
            "payment",
            "system",
            "",
            {"payment": p.id, "provider": p.provider, "amount": p.amount, "status": p.status},
            p.id,
        )
        for p in payments
    ]
    ids = [p.id for p in payments]
    if not ids:
        return items
    for change in db.session.scalars(
        select(PaymentChange).where(PaymentChange.payment_id.in_(ids))
    ):
        items.append(
            TimelineItem(
                change.created_at,
                "payment_change",
                change.actor,
                change.reason_msg or change.reason,
                {"payment": change.payment_id, "from": change.from_status, "to": change.to_status},
                change.id,
            )
        )
    for money in db.session.scalars(
        select(PaymentTransaction).where(PaymentTransaction.order_id == order_id)
    ):
        items.append(
            TimelineItem(
                money.created_at,
                "money",
                money.actor,
                money.note_msg or money.note,
                {
                    "kind": money.kind,
                    "amount": money.amount,
                    "reference": money.reference,
                    "method": money.method,
                    "account": money.refund_account,
                },
                money.id,
            )
        )
    # Card refunds asked of Stripe that did not (yet) move money: requested or failed.
    for refund in db.session.scalars(
        select(StripeRefund).where(
            StripeRefund.payment_id.in_(ids), StripeRefund.status != "succeeded"
        )
    ):
        items.append(
            TimelineItem(
                refund.created_at,
                "refund",
                refund.actor,
                refund.reason,
                {"amount": refund.amount, "status": refund.status},
                refund.id,
            )
        )
    return items


def _mail_items(order_id: int) -> list[TimelineItem]:
    items = []
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.order_id == order_id)
    ):
        data = {"message": message.id, "subject": message.subject, "to": message.to_addr}
        items.append(
            TimelineItem(
                message.created_at,
                "mail",
                "system",
                message.kind,
                {**data, "event": "queued"},
                message.id,
            )
        )
        if message.status == "sent" and message.sent_at:
            items.append(
                TimelineItem(
                    message.sent_at, "mail", "system", "", {**data, "event": "sent"}, message.id
                )
            )
        elif message.status == "failed":
            # The outbox keeps no time of the last attempt; it is the last retry's due time.
            items.append(
                TimelineItem(
                    message.next_attempt_at,
                    "mail",
                    "system",
                    message.last_error[:300],
                    {**data, "event": "failed", "attempts": message.attempts},
                    message.id,
                )
            )
    return items


def timeline(order_id: int) -> list[TimelineItem]:
    """Everything that happened to the order, oldest first, each with who, when, why."""
    items = _order_items(order_id) + _payment_items(order_id) + _mail_items(order_id)
    for movement in db.session.scalars(
        select(StockMovement).where(StockMovement.order_id == order_id)
    ):
        items.append(
            TimelineItem(
                movement.created_at,
                "stock",
                movement.actor,
                movement.reason_msg or movement.reason,
                {"product": movement.product_id, "delta": movement.delta},
                movement.id,
            )
        )
    for note in db.session.scalars(select(OrderNote).where(OrderNote.order_id == order_id)):
        items.append(
            TimelineItem(note.created_at, "note", note.author, "", {"body": note.body}, note.id)
        )
    for entry in db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "order", AuditEntry.object_id == order_id
        )
    ):
        items.append(
            TimelineItem(
                entry.created_at,
                "audit",
                entry.actor,
                entry.note_msg or entry.note,
                {"action": entry.action, "before": entry.before or {}, "after": entry.after or {}},
                entry.id,
            )
        )
    return sorted(items, key=lambda item: item.key)


def notes(order_id: int) -> list[OrderNote]:
    return list(
        db.session.scalars(
            select(OrderNote).where(OrderNote.order_id == order_id).order_by(OrderNote.id)
        )
    )


def mail_messages(order_id: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.order_id == order_id)
            .order_by(OutboxMessage.id)
        )
    )


# ---- actions ----------------------------------------------------------------------------


def _reason(text: str | None, limit: int = 300) -> str:
    return " ".join((text or "").split())[:limit]


def extend_deadline(order_id: int, days: int, reason: str, actor, now=None) -> Order:
    """Give an unpaid bank-transfer order ``days`` more to pay; its stock stays held as
    long (the live allocations' expiry moves with the deadline)."""
    now = now or utcnow()
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise OrderActionError(_l("Between 1 and 14 days."), "days")
    reason = _reason(reason)
    if not reason:
        raise OrderActionError(_l("Write why the deadline moves."), "reason")
    order = orders.lock_order(order_id)
    if order.status != "awaiting_payment":
        raise OrderActionError(_l("Only an order awaiting payment has a deadline to extend."))
    if order.payment_method != "bank_transfer":
        raise OrderActionError(
            _l("A card payment's deadline is the card provider's; it cannot be extended here.")
        )
    before = order.payment_deadline
    order.payment_deadline = max(before, now) + timedelta(days=days)
    db.session.execute(
        update(StockAllocation)
        .where(StockAllocation.order_id == order.id, StockAllocation.status == "live")
        .values(expires_at=order.payment_deadline)
    )
    db.session.flush()
    audit.record(
        actor,
        "order.extend_deadline",
        "order",
        order.id,
        before={"payment_deadline": before},
        after={"payment_deadline": order.payment_deadline},
        note=reason,
        now=now,
    )
    return order


def cancel_unpaid(order_id: int, reason: str, actor, now=None) -> Order:
    """Cancel an order that is still awaiting payment (its stock goes back on sale)."""
    now = now or utcnow()
    reason = _reason(reason)
    if not reason:
        raise OrderActionError(_l("Write why the order is cancelled."), "reason")
    order = orders.lock_order(order_id)
    if order.status != "awaiting_payment":
        raise OrderActionError(_l("Only an order awaiting payment can be cancelled here."))
    label = (getattr(actor, "email", None) or str(actor))[:80]
    orders.cancel_order(order_id, label, reason, now)
    audit.record(
        actor,
        "order.cancel",
        "order",
        order_id,
        before={"status": "awaiting_payment"},
        after={"status": "cancelled"},
        note=reason,
        now=now,
    )
    return order


def add_note(order_id: int, body: str, actor, now=None) -> OrderNote:
    now = now or utcnow()
    body = (body or "").strip()[:MAX_NOTE]
    if not body:
        raise OrderActionError(_l("Write the note."), "body")
    if db.session.get(Order, order_id) is None:
        raise LookupError(order_id)
    note = OrderNote(
        order_id=order_id,
        user_id=getattr(actor, "id", None),
        author=(getattr(actor, "email", None) or str(actor))[:254],
        body=body,
        created_at=now,
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        actor, "order.note", "order", order_id, after={"note_id": note.id, "body": body}, now=now
    )
    return note


def resend_email(order_id: int, message_id: int, actor, now=None) -> OutboxMessage:
    """Queue a copy of a sent or failed e-mail of this order (the original stays)."""
    original = db.session.get(OutboxMessage, message_id)
    if original is None or original.order_id != order_id:
        raise LookupError(message_id)
    if original.status not in ("sent", "failed"):
        raise OrderActionError(_l("This e-mail is still waiting to be sent."))
    copy = enqueue(
        original.kind,
        original.to_addr,
        original.subject,
        original.text_body,
        original.html_body,
        order_id=order_id,
    )
    audit.record(
        actor,
        "order.resend_email",
        "order",
        order_id,
        before={"message_id": original.id, "status": original.status},
        after={"message_id": copy.id, "status": copy.status},
        note=original.subject[:200],
        now=now,
    )
    return copy
