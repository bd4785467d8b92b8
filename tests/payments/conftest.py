"""Card payment fixtures: the fake Stripe server, an app pointed at it, a card order."""

from __future__ import annotations

import pytest
from card_helpers import start_card
from fake_stripe.fixtures import closed_port_url, fake_stripe, stripe_app  # noqa: F401
from order_helpers import place, shop_with_products


@pytest.fixture
def products(stripe_app):  # noqa: F811 - the fixture, imported above
    """Two committed products (Rp 150.000, stock 1 and 3) from two facilities."""
    return shop_with_products(on_hand=(1, 3), facilities=2)


@pytest.fixture
def card_order(products):
    """A card order for one of each product, with an open Checkout Session at the fake."""
    first, second = products
    order = place({first.id: 1, second.id: 1}, payment_method="card")
    start_card(order.id)
    return order
