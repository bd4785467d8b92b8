from shop.accounts import loader  # noqa: F401  (registers the Flask-Login user loader)
