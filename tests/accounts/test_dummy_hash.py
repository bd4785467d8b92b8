"""The dummy hash that keeps refusals of unknown emails slow is made on first use only."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from argon2 import PasswordHasher
from staff_helpers import sign_in

from shop.accounts import services


def test_starting_the_app_hashes_nothing():
    """A worker that starts (and serves visitors) never runs argon2's 64 MiB hash."""
    script = textwrap.dedent(
        """
        import argon2
        calls = []
        original = argon2.PasswordHasher.hash
        argon2.PasswordHasher.hash = lambda self, *a, **k: calls.append(1) or original(self, *a)
        from shop import create_app
        from shop.accounts import services
        create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        print(len(calls), services._dummy_hash.cache_info().currsize)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["0", "0"], done.stderr


def test_unknown_email_uses_one_dummy_hash_made_on_first_use(client, monkeypatch):
    made: list[str] = []
    checked: list[str] = []

    class Spy(PasswordHasher):
        def hash(self, password, **kwargs):
            made.append(password)
            return super().hash(password, **kwargs)

        def verify(self, hash, password):
            checked.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(services, "_hasher", Spy())
    services._dummy_hash.cache_clear()
    for _ in range(2):
        assert sign_in(client, "tidak-ada@lapas.test", "whatever password").status_code == 401
    assert made == ["no account has this password"]  # hashed once, on the first refusal
    assert len(checked) == 2 and checked[0] == checked[1] == services._dummy_hash()
    assert checked[0].startswith("$argon2")
