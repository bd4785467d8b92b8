"""Helpers for the card payment tests."""

from __future__ import annotations

from shop.payments.stripe import checkout as card

SUCCESS_URL = "http://shop.test/bayar/kartu/t/selesai?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://shop.test/bayar/kartu/t/batal"


def start_card(order_id: int, **kw) -> str:
    """Open a Checkout Session for a card order (as the checkout view does)."""
    return card.start_card_payment(order_id, success_url=SUCCESS_URL, cancel_url=CANCEL_URL, **kw)
