"""Helpers for the card payment tests."""

from __future__ import annotations

from shop.payments import stripe_checkout as card

SUCCESS_URL = "http://shop.test/bayar/kartu/t/selesai?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://shop.test/bayar/kartu/t/batal"


def start_card(order_id: int, **kw) -> str:
    """Open a Checkout Session for a card order (as the checkout view does)."""
    return card.start_card_payment(order_id, success_url=SUCCESS_URL, cancel_url=CANCEL_URL, **kw)


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form in a page (tests/conftest.py has the same helper,
    but ``conftest`` in this folder is this folder's own)."""
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)
