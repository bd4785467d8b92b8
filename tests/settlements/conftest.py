"""The administrator the settlement tests act as (as in ``tests/admin/conftest.py``)."""

from __future__ import annotations

import pytest
from staff_helpers import make_user, sign_in

from shop.extensions import db


@pytest.fixture
def admin(app):
    user = make_user(role="admin")
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 303
    return client
