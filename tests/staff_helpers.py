"""Accounts for tests and signing in through the real form (CSRF included)."""

from __future__ import annotations

import itertools

from csrf import csrf_token_from
from factories import make_facility

from shop.accounts.models import User
from shop.accounts.services import create_user

PASSWORD = "batik tulis madura 7"
_seq = itertools.count(1)


def make_user(facility=None, role: str = "staff", password: str = PASSWORD, **kw) -> User:
    if role == "staff" and facility is None:
        facility = make_facility()
    email = kw.pop("email", None) or f"{role}{next(_seq)}@lapas.test"
    return create_user(email, password, role, facility_id=facility.id if facility else None, **kw)


def sign_in(client, email: str, password: str = PASSWORD, next_url: str = ""):
    page = client.get("/masuk")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/masuk",
        data={"csrf_token": token, "email": email, "password": password, "next": next_url},
    )


def csrf_token(client, path: str = "/akun/kata-sandi") -> str:
    """A CSRF token for the client's session, taken from a page with a form."""
    return csrf_token_from(client.get(path).get_data(as_text=True))
