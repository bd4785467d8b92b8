"""Account rules: password hashing, user creation, sign-in with lockout, password changes
and single-use reset tokens."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from shop.accounts.models import ROLES, User, UserSession
from shop.extensions import db
from shop.sqltypes import utcnow

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
RESET_TOKEN_MAX_AGE = 3600  # seconds
SESSION_MAX_AGE = timedelta(days=31)  # Flask's PERMANENT_SESSION_LIFETIME
_RESET_SALT = "password-reset"


@functools.cache
def _dummy_hash() -> str:
    """A valid argon2 hash of nothing anyone knows: verifying against it when the email is
    unknown keeps the time of a refusal the same whether or not the account exists.

    Computed on the first such sign-in, not at import: hashing takes argon2's 64 MiB,
    which every worker would otherwise allocate (and keep as peak RSS) at start.
    """
    return _hasher.hash("no account has this password")


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")


def user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email.strip().lower()))


def create_user(
    email: str, password: str, role: str, facility_id: int | None = None, name: str = ""
) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    if role == "staff" and facility_id is None:
        raise AccountError("staff belong to a facility")
    check_password_rules(password)
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


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: ``user`` is set only on success."""

    user: User | None
    locked: bool = False


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def authenticate(email: str, password: str, now: datetime | None = None) -> SignIn:
    """Check a sign-in; count failures and lock the account after ``MAX_FAILED_LOGINS``.

    While locked, the password is not even checked, so guessing cannot go on. Disabled
    accounts never sign in.
    """
    now = now or utcnow()
    user = user_by_email(email)
    if user is None:
        _spend_hash_time(password)
        return SignIn(None)
    if is_locked(user, now):
        return SignIn(None, locked=True)
    if not verify_password(user, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCK_DURATION
            user.failed_logins = 0
        db.session.flush()
        return SignIn(None, locked=is_locked(user, now))
    if not user.active:
        return SignIn(None)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.flush()
    return SignIn(user)


def _spend_hash_time(password: str) -> None:
    with contextlib.suppress(VerificationError):
        _hasher.verify(_dummy_hash(), password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, now: datetime | None = None) -> str:
    """Record a new signed-in session of ``user``; returns its token (for the cookie only).

    The user's sessions older than ``SESSION_MAX_AGE`` are dropped on the way.
    """
    now = now or utcnow()
    db.session.execute(
        db.delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.created_at < now - SESSION_MAX_AGE
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_token_hash(token), created_at=now))
    db.session.flush()
    user.session_token = token
    return token


def user_for_session(user_id: int, session_version: int, token: str) -> User | None:
    """The active user whose open session ``token`` names, or ``None``."""
    user = db.session.scalar(
        db.select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.token_hash == _token_hash(token))
    )
    if user is None or not user.active or user.session_version != session_version:
        return None
    user.session_token = token
    return user


def end_session(token: str) -> None:
    """Sign one session out: its cookie no longer loads a user."""
    if token:
        db.session.execute(
            db.delete(UserSession).where(UserSession.token_hash == _token_hash(token))
        )


def end_sessions(user: User, keep: str = "") -> None:
    """End every session of ``user`` but ``keep`` (the one making the change, if any)."""
    stmt = db.delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        stmt = stmt.where(UserSession.token_hash != _token_hash(keep))
    db.session.execute(stmt)
    user.session_version += 1


def set_password(user: User, new_password: str, keep_session: str = "") -> None:
    """Set a new password and end every session of the user but ``keep_session``."""
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    end_sessions(user, keep=keep_session)
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()


def change_password(
    user: User, current_password: str, new_password: str, keep_session: str = ""
) -> None:
    if not verify_password(user, current_password):
        raise AccountError("current password is wrong")
    set_password(user, new_password, keep_session=keep_session)


def set_active(user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions."""
    if user.active and not active:
        end_sessions(user)
    user.active = active
    db.session.flush()


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_RESET_SALT)


def make_reset_token(user: User, secret_key: str) -> str:
    """A signed token naming the user and their current password hash: once the password
    changes (for instance by using the token), the token no longer verifies."""
    return _serializer(secret_key).dumps({"u": user.id, "p": _password_fingerprint(user)})


def _user_for_token(serializer: URLSafeTimedSerializer, token: str, max_age: int) -> User | None:
    """The active user a signed token names, while their password is the one it was made
    for and it is younger than ``max_age`` seconds."""
    try:
        data = serializer.loads(token, max_age=max_age)
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("p") != _password_fingerprint(user):
        return None
    return user


def user_for_reset_token(
    token: str, secret_key: str, max_age: int = RESET_TOKEN_MAX_AGE
) -> User | None:
    return _user_for_token(_serializer(secret_key), token, max_age)


def reset_password(token: str, secret_key: str, new_password: str, max_age: int) -> User:
    user = user_for_reset_token(token, secret_key, max_age)
    if user is None:
        raise AccountError("the reset link is invalid or has expired")
    set_password(user, new_password)
    return user


# --------------------------------------------------------------------------- back office
# Administrators manage accounts: invite, disable / re-enable, unlock, change facility.
# Each change writes one audit row with before and after.

INVITE_MAX_AGE = 7 * 24 * 3600  # seconds
_INVITE_SALT = "account-invite"


def _invite_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_INVITE_SALT)


def _account_dict(user: User) -> dict:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "facility_id": user.facility_id,
        "active": user.active,
    }


def invite_user(
    actor, email: str, role: str, facility_id: int | None = None, name: str = ""
) -> User:
    """A new account without a usable password: the invitation link sets one
    (:func:`make_invite_token`). Raises :class:`AccountError` for a taken address."""
    import secrets

    from shop.audit.services import record

    user = create_user(email, secrets.token_urlsafe(32), role, facility_id, name=name.strip())
    record(
        actor,
        "user.create",
        "user",
        user.id,
        before={},
        after=_account_dict(user),
        facility_id=user.facility_id,
    )
    return user


def make_invite_token(user: User, secret_key: str) -> str:
    """Like a reset token (it dies once the password is set), with its own salt and age."""
    return _invite_serializer(secret_key).dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_invite_token(
    token: str, secret_key: str, max_age: int = INVITE_MAX_AGE
) -> User | None:
    return _user_for_token(_invite_serializer(secret_key), token, max_age)


def accept_invite(
    token: str, secret_key: str, new_password: str, max_age: int = INVITE_MAX_AGE
) -> User:
    user = user_for_invite_token(token, secret_key, max_age)
    if user is None:
        raise AccountError("the invitation link is invalid or has expired")
    set_password(user, new_password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def _audit(actor, action: str, user: User, before: dict, after: dict, note: str = "") -> None:
    from shop.audit.services import record

    record(
        actor,
        action,
        "user",
        user.id,
        before=before,
        after=after,
        facility_id=user.facility_id,
        note=note,
    )


def admin_set_active(actor, user: User, active: bool) -> None:
    """Disable (its sessions end: ``session_version`` moves on) or re-enable an account.
    Nobody disables their own account."""
    if not active and getattr(actor, "id", None) == user.id:
        raise AccountError(_l("You cannot disable your own account."))
    if user.active == active:
        raise AccountError(
            _l("The account is already active.")
            if active
            else _l("The account is already disabled.")
        )
    set_active(user, active)
    _audit(
        actor,
        "user.enable" if active else "user.disable",
        user,
        {"active": not active},
        {"active": active},
    )


def unlock(actor, user: User, now: datetime | None = None) -> None:
    """Lift a lockout after too many failed sign-ins."""
    now = now or utcnow()
    if not is_locked(user, now) and not user.failed_logins:
        raise AccountError(_l("The account is not locked."))
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    _audit(actor, "user.unlock", user, before, {"failed_logins": 0, "locked_until": None})


def change_facility(actor, user: User, facility_id: int) -> None:
    """Move a staff member to another facility."""
    from shop.facilities.models import Facility

    if not user.is_staff:
        raise AccountError(_l("Only staff belong to a facility."))
    if db.session.get(Facility, facility_id) is None:
        raise AccountError(_l("Choose a facility."))
    if user.facility_id == facility_id:
        raise AccountError(_l("The account is already at that facility."))
    before = {"facility_id": user.facility_id}
    user.facility_id = facility_id
    db.session.flush()
    _audit(actor, "user.facility", user, before, {"facility_id": facility_id})


def issue_invite(actor, user: User, secret_key: str) -> str:
    """A new invitation link for an account that never signed in (recorded in the audit)."""
    if not user.active:
        raise AccountError(_l("The account is disabled."))
    _audit(actor, "user.invite_sent", user, {}, {"invite_sent_to": user.email})
    return make_invite_token(user, secret_key)


def issue_reset(actor, user: User, secret_key: str) -> str:
    """A password-reset token an administrator sends the user (recorded in the audit)."""
    if not user.active:
        raise AccountError(_l("The account is disabled."))
    _audit(actor, "user.reset_sent", user, {}, {"reset_sent_to": user.email})
    return make_reset_token(user, secret_key)


def people(role: str = "", facility_id: int | None = None) -> list[User]:
    """Accounts for the back office, by role, facility and email."""
    from sqlalchemy.orm import joinedload

    stmt = db.select(User).options(joinedload(User.facility))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    if facility_id is not None:
        stmt = stmt.where(User.facility_id == facility_id)
    return list(db.session.scalars(stmt.order_by(User.role, User.email)))
