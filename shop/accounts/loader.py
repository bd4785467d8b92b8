"""How Flask-Login finds the signed-in user for a request.

The session holds ``"{id}:{session_version}:{token}"`` (see ``User.get_id``): the token
names one open ``UserSession`` row. Sign-out deletes that row; a password change or a
disabled account deletes the others and bumps ``session_version``. A cookie naming a
session that is no longer open loads nobody, whatever else it says.
"""

from __future__ import annotations

from shop.accounts import services
from shop.accounts.models import User
from shop.extensions import login_manager
from shop.parsing import parse_id, parse_int

login_manager.login_view = "accounts.login"
login_manager.login_message = None  # the sign-in page says what it is; no flash needed
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, version, token = (user_id.split(":", 2) + ["", ""])[:3]
    user_pk, session_version = parse_id(ident), parse_int(version)
    if user_pk is None or session_version is None or not token:
        return None
    return services.user_for_session(user_pk, session_version, token)
