"""Pytest fixtures: a started :class:`FakeStripe` and an app configured to use it.

Import them into a test module or conftest: ``from fake_stripe.fixtures import *``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from .server import FakeStripe

STRIPE_TEST_CONFIG_KEYS = (
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "STRIPE_TIMEOUT",
    "STRIPE_MAX_NETWORK_RETRIES",
    "STRIPE_CHECKOUT_MINUTES",
)


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_app(app, fake_stripe) -> Iterator:
    """The session app pointed at the fake (short timeout, no retries), restored after."""
    saved = {key: app.config.get(key) for key in STRIPE_TEST_CONFIG_KEYS}
    # A fake started on the port of an earlier, stopped one must not meet the kept-alive
    # connections of the client made for that one (RemoteDisconnected on first use).
    app.extensions.pop("stripe_client", None)
    app.config.update(
        STRIPE_SECRET_KEY=fake_stripe.api_key,
        STRIPE_WEBHOOK_SECRET=fake_stripe.webhook_secret,
        STRIPE_API_BASE=fake_stripe.url,
        STRIPE_TIMEOUT=1.0,
        STRIPE_MAX_NETWORK_RETRIES=0,
        STRIPE_CHECKOUT_MINUTES=30,
    )
    yield app
    app.extensions.pop("stripe_client", None)
    app.config.update(saved)


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
