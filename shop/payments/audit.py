"""Audited payment status changes, whatever the provider: one ``payment_change`` row each."""

from __future__ import annotations

from datetime import datetime

from shop.extensions import db
from shop.payments.models import Payment
from shop.payments.stripe_models import PaymentChange
from shop.sqltypes import utcnow


def set_status(
    payment: Payment,
    to: str,
    actor: str,
    reason: str,
    *,
    event_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Change (or re-affirm, for a flag) a payment's status and audit it."""
    now = now or utcnow()
    db.session.add(
        PaymentChange(
            payment_id=payment.id,
            from_status=payment.status,
            to_status=to,
            actor=actor,
            reason=reason[:300],
            stripe_event_id=event_id,
            created_at=now,
        )
    )
    payment.status = to
    payment.updated_at = now
