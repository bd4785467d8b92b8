"""The facility dashboard (staff only) under ``/dasbor``.

Sections register their views on ``bp`` and a nav entry in ``NAV`` (endpoint, label),
which ``templates/dashboard/layout.html`` renders; photos, stock and orders slot in the
same way as products.
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("dashboard", __name__, url_prefix="/dasbor")

# (endpoint, label, endpoint prefix that marks the entry as current)
NAV: list[tuple[str, object, str]] = [
    ("dashboard.home", _l("Overview"), "dashboard.home"),
    ("dashboard.orders", _l("Orders"), "dashboard.order"),
    ("dashboard.products", _l("Products"), "dashboard.product"),
    ("dashboard.stock", _l("Stock"), "dashboard.stock"),
    ("dashboard.makers", _l("Makers"), "dashboard.maker"),
    ("dashboard.settlements", _l("Settlements"), "dashboard.settlement"),
]


def _dashboard_facility():
    """The signed-in staff member's facility (for the dashboard frame)."""
    from flask_login import current_user

    from shop.extensions import db
    from shop.facilities.models import Facility

    return db.session.get(Facility, current_user.facility_id)


@bp.context_processor
def _dashboard_globals():
    return {"dashboard_nav": NAV, "dashboard_facility": _dashboard_facility}


from shop.dashboard import (  # noqa: E402, F401
    home_views,
    inventory_views,
    makers_views,
    orders_views,
    photos_views,
    settlements_views,
    views,
)
