"""When the catalog pages a process keeps are out of date: the catalog version.

Every change a public page shows (a product's name, price, text, status, stock set by
hand, a photo, a category, a facility or its split) raises one number in the database
(``catalog_version``), in the transaction that makes the change: ORM changes of those
models are noticed by the listeners below, and the few Core updates call
:func:`catalog_changed`. Stock held or released by orders (``allocated``) raises
nothing: at a hundred orders a second the kept pages would be thrown away constantly;
listings' badges may lag a sale by the page cache's lifetime, and the product page,
the cart and checkout read stock live.

A process reads the number at most every ``CATALOG_VERSION_CHECK_SECONDS`` (one small
SELECT; 0: every catalog request) and forgets its kept pages and facets
(:func:`shop.catalog.page_cache.clear`) when it changed; the process that committed a
change reads it on its next catalog request, and the product page reads it with the
product in the same statement. So an edit shows at once in the process that made it and
on every product page, and on other processes' listings within the check interval.
"""

from __future__ import annotations

import random
import threading
import time

from flask import current_app
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from shop.catalog.models import CatalogVersion, Category, Product
from shop.extensions import db
from shop.facilities.models import Facility, FacilitySplit
from shop.media.models import ProductPhoto

CHANGED = "catalog_changed"
# Product columns no public page shows, or that only orders move: no new version.
QUIET_PRODUCT_COLUMNS = frozenset(
    {"allocated", "low_stock_threshold", "search_text", "updated_at", "version"}
)

_known: int | None = None  # the version this process's kept pages belong to
_checked_at = float("-inf")
_lock = threading.Lock()


def catalog_changed() -> None:
    """Raise the catalog version when the current transaction commits (for changes made
    with Core statements; ORM changes of the catalog's models are noticed alone)."""
    db.session.info[CHANGED] = True


def current_version() -> int:
    """The version in the database (0 when its row is missing)."""
    return db.session.scalar(select(CatalogVersion.version).where(CatalogVersion.id == 1)) or 0


def version_column():
    """The version as a scalar subquery, to read it with another statement's row."""
    return select(CatalogVersion.version).where(CatalogVersion.id == 1).scalar_subquery().label("v")


def known() -> int | None:
    """The version this process's kept pages belong to (None before the first read)."""
    return _known


def check() -> None:
    """Forget this process's kept pages if the catalog changed since they were kept;
    reads the database at most every ``CATALOG_VERSION_CHECK_SECONDS``."""
    global _checked_at
    now = time.monotonic()
    if now - _checked_at < float(current_app.config["CATALOG_VERSION_CHECK_SECONDS"]):
        return
    _checked_at = now
    seen(current_version())


def seen(version: int | None) -> None:
    """``version`` was just read from the database: forget what was kept before it."""
    global _known
    version = version or 0
    if version == _known:
        return
    from shop.catalog import fragments, page_cache, services

    with _lock:
        if version == _known:
            return
        services.clear_cache()
        page_cache.clear()
        fragments.clear()
        _known = version


def _recheck_soon() -> None:
    global _checked_at
    _checked_at = float("-inf")


def _mark(session: Session | None) -> None:
    if session is not None:
        session.info[CHANGED] = True


def _product_changed(_mapper, _connection, product: Product) -> None:
    state = inspect(product)
    for attr in state.mapper.column_attrs:
        if attr.key not in QUIET_PRODUCT_COLUMNS and state.attrs[attr.key].history.has_changes():
            _mark(state.session)
            return


def _any_change(_mapper, _connection, target) -> None:
    _mark(inspect(target).session)


for _model in (Product, ProductPhoto, Category, Facility, FacilitySplit):
    event.listen(_model, "after_insert", _any_change)
    event.listen(_model, "after_delete", _any_change)
    event.listen(_model, "after_update", _product_changed if _model is Product else _any_change)


@event.listens_for(Session, "before_commit")
def _raise_version(session: Session) -> None:
    """Last statement of a transaction that changed the catalog: raise the version (the
    row's lock is taken last, so edits never deadlock on it)."""
    session.flush()  # a change still pending is noticed before the version is raised
    if not session.info.pop(CHANGED, False):
        return
    raised = session.execute(
        update(CatalogVersion)
        .where(CatalogVersion.id == 1)
        .values(version=CatalogVersion.version + 1)
        .execution_options(synchronize_session=False)
    )
    if not raised.rowcount:  # an emptied database: a start no process can have seen
        session.execute(
            CatalogVersion.__table__.insert().values(id=1, version=random.randint(2, 2**30))
        )
    session.info["catalog_version_raised"] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop("catalog_version_raised", False):
        _recheck_soon()  # this process sees its own change on its next catalog request


@event.listens_for(Session, "after_transaction_end")
def _forget_mark(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(CHANGED, None)
        session.info.pop("catalog_version_raised", None)
