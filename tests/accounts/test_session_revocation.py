"""Sessions end on the server: a cookie copied before sign-out, before a password change,
before the account was disabled, or before sign-in opens nothing afterwards."""

from __future__ import annotations

from staff_helpers import csrf_token, make_user, sign_in

from shop.accounts import services
from shop.accounts.models import User, UserSession
from shop.extensions import db


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A different browser sending a copied session cookie to the dashboard."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/dasbor/produk")


def _decoded(app, cookie: str) -> dict:
    return app.session_interface.get_signing_serializer(app).loads(cookie)


def open_sessions(user: User) -> int:
    db.session.commit()
    return db.session.scalar(
        db.select(db.func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, client):
    user = make_user()
    db.session.commit()
    assert sign_in(client, user.email).status_code == 303
    copied = session_cookie(client)
    assert replay(app, copied).status_code == 200  # the copy works while signed in
    assert open_sessions(user) == 1

    response = client.post("/keluar", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303

    replayed = replay(app, copied)
    assert replayed.status_code == 302
    assert "/masuk?next=" in replayed.headers["Location"]
    assert open_sessions(user) == 0
    # Signing in again works, and only the new session is open.
    assert sign_in(client, user.email).status_code == 303
    assert client.get("/dasbor/produk").status_code == 200
    assert replay(app, copied).status_code == 302


def test_sign_out_ends_only_this_browser(app):
    user = make_user()
    db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    assert sign_in(laptop, user.email).status_code == 303
    assert sign_in(phone, user.email).status_code == 303
    laptop.post("/keluar", data={"csrf_token": csrf_token(laptop)})
    assert laptop.get("/dasbor/produk").status_code == 302
    assert phone.get("/dasbor/produk").status_code == 200


def test_a_disabled_accounts_sessions_end(app, client):
    user = make_user()
    db.session.commit()
    assert sign_in(client, user.email).status_code == 303
    copied = session_cookie(client)
    services.set_active(db.session.get(User, user.id), False)
    db.session.commit()
    assert client.get("/dasbor/produk").status_code == 302
    assert replay(app, copied).status_code == 302
    assert open_sessions(user) == 0
    # Enabling the account again does not bring the old sessions back.
    services.set_active(db.session.get(User, user.id), True)
    db.session.commit()
    assert replay(app, copied).status_code == 302


def test_sign_in_starts_a_fresh_session(app, client):
    user = make_user()
    db.session.commit()
    pre_token = csrf_token(client, "/masuk")
    before = session_cookie(client)  # what a planted or sniffed pre-sign-in cookie holds
    assert sign_in(client, user.email).status_code == 303
    after = session_cookie(client)
    old, new = _decoded(app, before), _decoded(app, after)
    assert "csrf_token" in old
    assert old.get("csrf_token") != new.get("csrf_token")  # nothing carried over
    assert "_user_id" not in old and new["_user_id"].startswith(f"{user.id}:")
    # The pre-sign-in cookie is still nobody's session.
    assert replay(app, before).status_code == 302
    # A form posted with the pre-sign-in CSRF token is refused.
    stale = client.post("/keluar", data={"csrf_token": pre_token})
    assert stale.status_code == 400
    assert client.get("/dasbor/produk").status_code == 200


def test_a_forged_session_token_opens_nothing(app, client):
    user = make_user()
    db.session.commit()
    sign_in(client, user.email)
    data = _decoded(app, session_cookie(client))
    ident, version, _token = data["_user_id"].split(":", 2)
    data["_user_id"] = f"{ident}:{version}:made-up-token"
    forged = app.session_interface.get_signing_serializer(app).dumps(data)
    assert replay(app, forged).status_code == 302
