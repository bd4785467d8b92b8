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
