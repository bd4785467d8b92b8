"""Signing in and out, lockout, rate limit, password change and reset, sessions."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from factories import make_facility
from staff_helpers import PASSWORD, csrf_token, make_user, sign_in

from shop.accounts import services
from shop.accounts.models import User
from shop.extensions import db
from shop.sqltypes import utcnow
from tests.accounts.test_session_revocation import open_sessions, replay, session_cookie


def _fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_staff_signs_in_and_lands_on_their_dashboard(client):
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi")
    user = make_user(facility)
    db.session.commit()
    response = sign_in(client, user.email.upper())  # the address is case-insensitive
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dasbor/")
    page = client.get("/dasbor/produk")
    assert page.status_code == 200
    assert "Lapas Kelas IIA Banyuwangi" in page.get_data(as_text=True)
    assert _fresh(user).last_login_at is not None


def test_session_cookie_is_httponly_and_lax(client):
    user = make_user()
    db.session.commit()
    response = sign_in(client, user.email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_wrong_password_is_refused_and_counted(client):
    user = make_user()
    db.session.commit()
    response = sign_in(client, user.email, "not the password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True) or "salah" in (
        response.get_data(as_text=True)
    )
    assert _fresh(user).failed_logins == 1
    assert client.get("/dasbor/produk").status_code == 302


def test_unknown_email_gets_the_same_answer(client):
    make_user(email="ada@lapas.test")
    db.session.commit()
    unknown = sign_in(client, "tidak-ada@lapas.test", "whatever password")
    wrong = sign_in(client, "ada@lapas.test", "whatever password")
    assert unknown.status_code == wrong.status_code == 401

    def message(r):
        return re.search(r'role="alert">([^<]+)<', r.get_data(as_text=True)).group(1)

    assert message(unknown) == message(wrong)


def test_account_locks_after_repeated_failures(client):
    user = make_user()
    db.session.commit()
    for _ in range(services.MAX_FAILED_LOGINS):
        assert sign_in(client, user.email, "guess guess guess").status_code == 401
    locked = _fresh(user)
    assert locked.locked_until is not None and locked.locked_until > utcnow()
    # Even the right password is refused while the lock lasts.
    assert sign_in(client, user.email, PASSWORD).status_code == 401
    assert client.get("/dasbor/produk").status_code == 302
    # When the lock has run out, the right password works again.
    locked.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sign_in(client, user.email, PASSWORD).status_code == 303
    assert _fresh(user).locked_until is None


def test_lock_lasts_the_configured_time():
    user = make_user()
    now = utcnow()
    for _ in range(services.MAX_FAILED_LOGINS):
        services.authenticate(user.email, "wrong wrong wrong", now=now)
    assert services.authenticate(user.email, PASSWORD, now=now).locked
    later = now + services.LOCK_DURATION + timedelta(seconds=1)
    assert services.authenticate(user.email, PASSWORD, now=later).user is not None


def test_login_attempts_are_rate_limited(app, client):
    make_user(email="staf@lapas.test")
    db.session.commit()
    limit = int(app.config["RATELIMIT_LOGIN"].split()[0])
    token = csrf_token(client, "/masuk")
    statuses = [
        client.post(
            "/masuk", data={"csrf_token": token, "email": f"x{i}@y.z", "password": "p"}
        ).status_code
        for i in range(limit + 1)
    ]
    assert statuses[:limit] == [401] * limit
    assert statuses[limit] == 429
    assert client.get("/masuk").status_code == 200  # reading the form is not limited


def test_disabled_account_cannot_sign_in_and_loses_its_sessions(app, client):
    user = make_user()
    db.session.commit()
    assert sign_in(client, user.email).status_code == 303
    services.set_active(_fresh(user), False)
    db.session.commit()
    assert client.get("/dasbor/produk").status_code == 302
    assert sign_in(client, user.email).status_code == 401


def test_password_change_ends_other_sessions(app):
    user = make_user()
    db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    assert sign_in(laptop, user.email).status_code == 303
    assert sign_in(phone, user.email).status_code == 303
    phone_copy = session_cookie(phone)
    response = laptop.post(
        "/akun/kata-sandi",
        data={
            "csrf_token": csrf_token(laptop),
            "current_password": PASSWORD,
            "new_password": "anyaman rotan kalimantan",
            "confirm": "anyaman rotan kalimantan",
        },
    )
    assert response.status_code == 303
    assert laptop.get("/dasbor/produk").status_code == 200  # this session carries on
    assert phone.get("/dasbor/produk").status_code == 302  # the other one is over
    assert replay(app, phone_copy).status_code == 302  # and so is any copy of its cookie
    assert open_sessions(user) == 1
    assert services.verify_password(_fresh(user), "anyaman rotan kalimantan")


def test_password_change_needs_the_current_password(client):
    user = make_user()
    db.session.commit()
    sign_in(client, user.email)
    response = client.post(
        "/akun/kata-sandi",
        data={
            "csrf_token": csrf_token(client),
            "current_password": "not it at all",
            "new_password": "anyaman rotan kalimantan",
            "confirm": "anyaman rotan kalimantan",
        },
    )
    assert response.status_code == 200
    assert 'id="current_password-error"' in response.get_data(as_text=True)
    assert services.verify_password(_fresh(user), PASSWORD)


def test_password_change_form_checks_length_and_confirmation(client):
    user = make_user()
    db.session.commit()
    sign_in(client, user.email)
    response = client.post(
        "/akun/kata-sandi",
        data={
            "csrf_token": csrf_token(client),
            "current_password": PASSWORD,
            "new_password": "pendek",
            "confirm": "lain",
        },
        headers={"Accept-Language": "en"},
    )
    html = response.get_data(as_text=True)
    assert "Use at least 10 characters." in html
    assert "The two passwords are not the same." in html


def test_sign_out_is_a_post_with_csrf(client):
    user = make_user()
    db.session.commit()
    sign_in(client, user.email)
    assert client.get("/keluar").status_code == 405
    assert client.post("/keluar").status_code == 400  # no CSRF token
    assert client.get("/dasbor/produk").status_code == 200
    response = client.post("/keluar", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert client.get("/dasbor/produk").status_code == 302


def test_sign_in_without_csrf_token_is_refused(client):
    user = make_user()
    db.session.commit()
    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/dasbor/produk").status_code == 302


def test_next_only_follows_local_paths(client):
    user = make_user()
    db.session.commit()
    assert (
        sign_in(client, user.email, next_url="//evil.example/x")
        .headers["Location"]
        .endswith("/dasbor/")
    )
    client.post("/keluar", data={"csrf_token": csrf_token(client)})
    response = sign_in(client, user.email, next_url="/dasbor/produk?status=draft")
    assert response.headers["Location"].endswith("/dasbor/produk?status=draft")


def test_signed_out_visitor_is_sent_to_sign_in_with_next(client):
    response = client.get("/dasbor/produk")
    assert response.status_code == 302
    assert "/masuk?next=" in response.headers["Location"]


def test_admin_signs_in_but_the_facility_dashboard_is_for_staff(client):
    admin = make_user(role="admin")
    db.session.commit()
    response = sign_in(client, admin.email)
    assert response.status_code == 303
    assert client.get("/dasbor/produk").status_code == 403
    assert client.get("/akun/kata-sandi").status_code == 200


def test_old_style_session_ids_do_not_load(app):
    from shop.accounts.loader import load_user

    user = make_user()
    token = services.open_session(user)
    db.session.commit()
    version = user.session_version
    assert load_user(f"{user.id}:{version}:{token}").id == user.id
    assert load_user(f"{user.id}:{version}") is None  # before sessions were recorded
    assert load_user(str(user.id)) is None
    assert load_user(f"{user.id}:{version + 1}:{token}") is None
    assert load_user(f"{user.id}:{version}:{token}x") is None
    assert load_user("x:1:y") is None


def _sent_links(caplog) -> list[str]:
    """Reset links sent so far: from the mail outbox when there is one, else the log."""
    try:
        from shop.mail.models import OutboxMessage
    except ImportError:
        text = caplog.text
    else:
        db.session.expire_all()
        text = "\n".join(
            m.text_body
            for m in db.session.scalars(
                db.select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
            )
        )
    return re.findall(r"http://shop\.test(/akun/atur-ulang/\S+)", text)


def _reset_link(caplog, client, email: str) -> str:
    with caplog.at_level(logging.WARNING, logger="shop.accounts"):
        response = client.post(
            "/akun/lupa-kata-sandi",
            data={"csrf_token": csrf_token(client, "/akun/lupa-kata-sandi"), "email": email},
        )
    assert response.status_code == 303
    links = _sent_links(caplog)
    return links[-1] if links else ""


def test_password_reset_by_link_works_once(client, caplog):
    user = make_user()
    db.session.commit()
    link = _reset_link(caplog, client, user.email)
    assert link
    form = client.get(link)
    assert form.status_code == 200
    new = "tenun ikat sumba timur"
    response = client.post(
        link,
        data={
            "csrf_token": csrf_token(client, link),
            "new_password": new,
            "confirm": new,
        },
    )
    assert response.status_code == 303
    assert sign_in(client, user.email, new).status_code == 303
    # The password hash changed, so the same link is dead now.
    assert client.get(link).status_code == 400


def test_password_reset_for_unknown_address_sends_nothing(client, caplog):
    make_user()
    db.session.commit()
    assert _reset_link(caplog, client, "nobody@lapas.test") == ""


def test_reset_token_expires_and_resists_tampering(app):
    user = make_user()
    token = services.make_reset_token(user, "k")
    assert services.user_for_reset_token(token, "k").id == user.id
    assert services.user_for_reset_token(token, "k", max_age=-1) is None
    assert services.user_for_reset_token(token, "other key") is None
    assert services.user_for_reset_token(token[:-2] + "xx", "k") is None


def test_reset_of_a_password_ends_sessions(app, caplog):
    user = make_user()
    db.session.commit()
    browser = app.test_client()
    sign_in(browser, user.email)
    token = services.make_reset_token(_fresh(user), app.config["SECRET_KEY"])
    services.reset_password(token, app.config["SECRET_KEY"], "sulam tapis lampung", 3600)
    db.session.commit()
    assert browser.get("/dasbor/produk").status_code == 302


def test_app_wide_limits_keep_the_per_request_check():
    from shop import create_app
    from shop.accounts.limiter import limiter

    plain = create_app({"TESTING": True, "SECRET_KEY": "x"})
    assert limiter._check_request_limit not in plain.before_request_funcs[None]
    limited = create_app({"TESTING": True, "SECRET_KEY": "x", "RATELIMIT_DEFAULT": "100/minute"})
    assert limiter._check_request_limit in limited.before_request_funcs[None]
