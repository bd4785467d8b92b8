from shop import create_app
from shop.security import build_csp


def test_every_response_carries_security_headers(client):
    for path in ("/", "/masuk", "/no-such-page"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self';" in csp
        assert "form-action 'self'" in csp and "base-uri 'self'" in csp
        assert "img-src 'self' data:" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_extra_sources_extend_the_policy():
    csp = build_csp({"form-action": ["https://checkout.stripe.com"], "img-src": ["https://cdn.x"]})
    assert "form-action 'self' https://checkout.stripe.com" in csp
    assert "img-src 'self' data: https://cdn.x" in csp


def test_stripe_keys_allow_the_checkout_redirect(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
            "STRIPE_SECRET_KEY": "sk_test_x",
            "STRIPE_WEBHOOK_SECRET": "whsec_x",
        }
    )
    response = app.test_client().get("/robots.txt")
    assert "https://checkout.stripe.com" in response.headers["Content-Security-Policy"]
