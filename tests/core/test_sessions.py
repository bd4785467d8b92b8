"""Sessions: no cookie, no signer; a signed cookie still opens, a forged one does not."""

from flask import session

from shop.sessions import CookieSessionInterface


def test_sessions_open_with_and_without_a_cookie(app):
    assert isinstance(app.session_interface, CookieSessionInterface)
    with app.test_request_context("/"):
        assert dict(session) == {} and not session.modified

    cookie_name = app.config["SESSION_COOKIE_NAME"]
    signed = app.session_interface.get_signing_serializer(app).dumps({"cart": 7})
    with app.test_request_context("/", headers={"Cookie": f"{cookie_name}={signed}"}):
        assert session["cart"] == 7
    with app.test_request_context("/", headers={"Cookie": f"{cookie_name}={signed}x"}):
        assert "cart" not in session


def _signed_cookie(app, data: dict, age_seconds: float = 0) -> str:
    import time

    from itsdangerous import TimestampSigner

    serializer = app.session_interface.get_signing_serializer(app)
    original = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(time.time() - age_seconds)
    try:
        signed = serializer.dumps(data)
    finally:
        TimestampSigner.get_timestamp = original
    return f"{app.config['SESSION_COOKIE_NAME']}={signed}"


def test_an_unchanged_session_is_resent_once_a_day_not_on_every_page(app):
    cart = {"cart": {"7": [1, 150_000]}, "_permanent": True, "_fresh": False}
    client = app.test_client(use_cookies=False)
    fresh = client.get("/produk", headers={"Cookie": _signed_cookie(app, cart)})
    assert fresh.status_code == 200 and "Set-Cookie" not in fresh.headers
    assert ">1</span>" in fresh.get_data(as_text=True)  # the session was read all the same

    day_old = _signed_cookie(app, cart, age_seconds=25 * 3600)
    refreshed = client.get("/produk", headers={"Cookie": day_old})
    assert "session=" in refreshed.headers.get("Set-Cookie", "")
    assert "Expires=" in refreshed.headers["Set-Cookie"]  # its expiry moved on

    changed = client.get("/keranjang", headers={"Cookie": _signed_cookie(app, cart)})
    assert "session=" in changed.headers.get("Set-Cookie", "")  # a change is always sent


def test_a_verified_cookie_opens_again_without_its_signature_check(app, monkeypatch):
    """The second request with the same cookie skips the signer; each request gets its
    own copy of the data; an expired or forged cookie is never served from the map."""
    from datetime import timedelta

    from itsdangerous import URLSafeTimedSerializer

    header = _signed_cookie(app, {"cart": {"7": [1, 150_000]}})
    with app.test_request_context("/", headers={"Cookie": header}):
        session["cart"]["7"][0] = 5  # a change in one request...
    checks = []
    real_loads = URLSafeTimedSerializer.loads
    monkeypatch.setattr(
        URLSafeTimedSerializer,
        "loads",
        lambda self, *a, **k: checks.append(1) or real_loads(self, *a, **k),
    )
    with app.test_request_context("/", headers={"Cookie": header}):
        assert session["cart"] == {"7": [1, 150_000]}  # ...is not seen by the next
    assert checks == []

    with app.test_request_context("/", headers={"Cookie": header + "x"}):
        assert "cart" not in session
    assert checks == [1]

    monkeypatch.setattr(app, "permanent_session_lifetime", timedelta(seconds=-1))
    with app.test_request_context("/", headers={"Cookie": header}):
        assert "cart" not in session  # too old: checked again, and refused
    assert checks == [1, 1]
