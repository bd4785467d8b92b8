"""Account rules: password hashing and user creation."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shop.accounts.models import ROLES, User
from shop.extensions import db

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    email: str, password: str, role: str, facility_id: int | None = None, name: str = ""
) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    if role == "staff" and facility_id is None:
        raise AccountError("staff belong to a facility")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"a user with email {email} exists already")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        facility_id=facility_id if role == "staff" else None,
    )
    db.session.add(user)
    db.session.flush()
    return user
