"""What the demo's card payments would have left at Stripe: a balance transaction for
each charge (with Stripe's fee), card refund and dispute, and weekly payouts of what was
available. The demo has no Stripe to pull them from, so they are handed, as the Stripe
sync would have read them, to the sync's own storing and posting code
(:func:`shop.payments.stripe.sync.store_pulled`): fees and payouts reach the ledger the
way a real sync posts them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from shop.payments.stripe.gateway import CURRENCY, BalanceMovement, PayoutFacts
from shop.payments.stripe.sync import SyncResult, store_pulled

# A demo price list: 2.9% of the charge plus Rp 2.000 (Stripe's real one varies).
FEE_PERCENT = 2.9
FEE_FIXED = 2_000
AVAILABLE_AFTER = timedelta(days=2)
PAYOUT_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class StripeMove:
    when: datetime
    kind: str  # charge | refund | adjustment
    amount: int  # rupiah, money out of the balance < 0
    payment_intent: str
    source_id: str


def card_fee(amount: int) -> int:
    return round(amount * FEE_PERCENT / 100) + FEE_FIXED


def _movement(n: int, move: StripeMove) -> BalanceMovement:
    fee = card_fee(move.amount) if move.kind == "charge" else 0
    category = {"charge": "charge", "refund": "refund", "adjustment": "dispute"}[move.kind]
    return BalanceMovement(
        id=f"txn_demo_{n:06d}",
        type=move.kind,
        reporting_category=category,
        amount=move.amount,
        fee=fee,
        net=move.amount - fee,
        currency=CURRENCY,
        source_id=move.source_id,
        payment_intent_id=move.payment_intent,
        created=move.when,
        available_on=move.when + AVAILABLE_AFTER,
    )


def store_stripe_history(moves: list[StripeMove], now: datetime) -> SyncResult:
    """Balance transactions for ``moves`` and a payout every week of what had become
    available (none when that is not positive), stored as the sync stores them."""
    movements = [_movement(n, m) for n, m in enumerate(sorted(moves, key=lambda m: m.when), 1)]
    payouts: list[PayoutFacts] = []
    per_payout: dict[str, list[BalanceMovement]] = {}
    waiting = list(movements)
    paid: list[BalanceMovement] = []
    day = movements[0].created + PAYOUT_EVERY if movements else now
    while day < now - timedelta(days=1):
        ready = [m for m in waiting if m.available_on <= day]
        total = sum(m.net for m in ready)
        if ready and total > 0:
            payout_id = f"po_demo_{day:%Y%m%d}"
            included = [replace(m, payout_id=payout_id) for m in ready]
            payouts.append(
                PayoutFacts(payout_id, total, CURRENCY, "paid", day + timedelta(days=1), day)
            )
            per_payout[payout_id] = included
            paid += included
            waiting = [m for m in waiting if m not in ready]
        day += PAYOUT_EVERY
    return store_pulled(paid + waiting, payouts, per_payout, actor="demo", now=now)
