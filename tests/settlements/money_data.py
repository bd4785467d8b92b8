"""Sales made through the real services, dated where a test needs them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from order_helpers import place
from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import FacilityOrder, Order
from shop.orders.services import cancel_paid_part
from shop.payments.bank_transfer import confirm_bank_transfer
from shop.payments.refunds import RefundRequest, refund_by_bank
from shop.uow import begin_write

OCT_10 = datetime(2026, 10, 10, 3, 0, tzinfo=UTC)
NOV_10 = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)
NOV_20 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
# 30 November 20:00 in Jakarta is still November there (UTC+7: 13:00 UTC).
NOV_30_LATE = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
# 1 December 01:00 in Jakarta is 30 November 18:00 UTC: already December there.
DEC_1_EARLY = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
DEC_NOW = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)
JAN_NOW = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)
FEB_NOW = datetime(2027, 2, 3, 3, 0, tzinfo=UTC)


def sell(items: dict[int, int], when: datetime) -> Order:
    """Place an order and confirm its bank transfer, both at ``when``."""
    order = place(items, now=when)
    begin_write()
    confirm_bank_transfer(order.id, order.amount_due, "admin", secrets.token_hex(4), now=when)
    db.session.commit()
    return order


def part_of(order: Order, facility_id: int) -> FacilityOrder:
    return db.session.scalar(
        select(FacilityOrder).where(
            FacilityOrder.order_id == order.id, FacilityOrder.facility_id == facility_id
        )
    )


def cancel(part: FacilityOrder, when: datetime) -> None:
    begin_write()
    cancel_paid_part(part.id, "staff", "tidak bisa dikirim", now=when)
    db.session.commit()


def refund_part(order: Order, part: FacilityOrder, amount: int, when: datetime) -> None:
    begin_write()
    refund_by_bank(
        RefundRequest(
            order.id,
            amount,
            "bank_transfer",
            "cacat",
            part_id=part.id,
            reference=secrets.token_hex(4),
            refund_account="BCA 123 Siti",
        ),
        "admin",
        now=when,
    )
    db.session.commit()
