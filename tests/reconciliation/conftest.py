"""The signed-in administrator the reconciliation tests act as."""

from __future__ import annotations

import pytest
from fake_stripe.fixtures import fake_stripe, stripe_app  # noqa: F401  (Stripe resolutions)
from staff_helpers import make_user, sign_in

from shop.extensions import db
from shop.shipping.services import ensure_default_rates


@pytest.fixture
def admin_user(app):
    ensure_default_rates()
    user = make_user(role="admin")
    db.session.commit()
    return user


@pytest.fixture
def admin(app, admin_user):
    client = app.test_client()
    assert sign_in(client, admin_user.email).status_code == 303
    return client
