from fake_stripe.fixtures import closed_port_url, fake_stripe, stripe_app  # noqa: F401
