"""The one guard for staff data: every staff query goes through these helpers.

Staff belong to exactly one facility and see only its rows; an id of another facility's
row answers 404, exactly like an id that does not exist.

Administrators do not use the facility dashboard: ``staff_required`` answers them 403
(their tools live in the admin area, which works across facilities on purpose). That keeps
"which facility is this request about?" a single, unambiguous fact: the staff member's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from shop.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")


def signin_required(view: F) -> F:
    """Any signed-in account (staff or admin); others are sent to the sign-in page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapped.requires_signin = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def staff_required(view: F) -> F:
    """Staff of a facility only: signed-out visitors go to sign in, admins get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_staff or current_user.facility_id is None:
            abort(403)
        return view(*args, **kwargs)

    wrapped.requires_signin = True  # type: ignore[attr-defined]
    wrapped.requires_staff = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    """Administrators only: signed-out visitors go to sign in, staff get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    wrapped.requires_admin = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def staff_facility_id() -> int:
    """The facility of the signed-in staff member (only inside ``staff_required`` views)."""
    if not current_user.is_authenticated or current_user.facility_id is None:
        abort(403)
    return current_user.facility_id


def for_facility(stmt: Select, column: InstrumentedAttribute, facility_id: int) -> Select:
    """``stmt`` limited to rows of ``facility_id``; services take the id explicitly."""
    return stmt.where(column == facility_id)


def scoped(stmt: Select, column: InstrumentedAttribute) -> Select:
    """``stmt`` limited to the signed-in staff member's facility."""
    return for_facility(stmt, column, staff_facility_id())


def get_for_facility(
    model: type[M],
    ident: int,
    facility_id: int,
    *,
    facility_column: InstrumentedAttribute | None = None,
    joins: Iterable[Any] = (),
    options: Iterable[Any] = (),
) -> M | None:
    """The row ``ident`` of ``model`` if it belongs to ``facility_id``, else None.

    ``facility_column`` defaults to ``model.facility_id``; for rows that belong to a
    facility through a parent (a photo through its product) pass the parent's column and
    the ``joins`` that reach it.
    """
    column = facility_column if facility_column is not None else model.facility_id  # type: ignore[attr-defined]
    stmt = db.select(model)
    for target in joins:
        stmt = stmt.join(target)
    stmt = for_facility(stmt.where(model.id == ident), column, facility_id)  # type: ignore[attr-defined]
    return db.session.scalar(stmt.options(*options))


def get_scoped_or_404(model: type[M], ident: int, **kwargs: Any) -> M:
    """The row ``ident`` of ``model`` in the signed-in staff member's facility, or 404."""
    row = get_for_facility(model, ident, staff_facility_id(), **kwargs)
    if row is None:
        abort(404)
    return row
