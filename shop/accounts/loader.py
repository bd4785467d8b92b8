"""How Flask-Login finds the signed-in user for a request.

The session holds ``"{id}:{session_version}"`` (see ``User.get_id``). A password change or
a disabled account bumps ``session_version``, so every older session stops loading.
"""

from __future__ import annotations

from shop.accounts.models import User
from shop.extensions import db, login_manager
from shop.parsing import parse_id, parse_int

login_manager.login_view = "accounts.login"
login_manager.login_message = None  # the sign-in page says what it is; no flash needed
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _, raw_version = user_id.partition(":")
    user_pk, version = parse_id(ident), parse_int(raw_version)
    if user_pk is None or version is None:
        return None
    user = db.session.get(User, user_pk)
    if user is None or not user.active or user.session_version != version:
        return None
    return user
