"""Every staff route in the URL map × (signed out, staff of another facility, right staff).

Routes are found, not listed: any rule under ``/dasbor`` and any view marked by the
``signin_required`` / ``staff_required`` decorators. URL parameters are filled from real
objects by name (``FILLERS``); a route with a parameter this test cannot fill fails the
test, so whoever adds a route with a new kind of id teaches the walk about it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from dash_data import paid_order, photo_row
from factories import make_category, make_facility, make_product
from flask import url_for
from sql_watch import writes_sent
from sqlalchemy import select
from staff_helpers import csrf_token, make_user, sign_in

from shop.extensions import db
from shop.makers.services import create_maker
from shop.orders.models import FacilityOrder
from shop.settlements import services as settlements
from shop.shipping.services import ensure_default_rates
from shop.sqltypes import utcnow

STAFF_PREFIX = "/dasbor"


class World:
    """Two facilities, each with a staff member and a product (more as routes need)."""

    def __init__(self) -> None:
        category = make_category()
        self.home = make_facility(name="Lapas Sendiri")
        self.other = make_facility(name="Lapas Tetangga")
        self.home_product = make_product(self.home, category, name="Kain Milik Sendiri")
        self.other_product = make_product(self.other, category, name="Kain Milik Tetangga")
        self.staff = make_user(self.home)
        self.other_staff = make_user(self.other)
        self.home_photo = photo_row(self.home_product, alt="Foto kain sendiri")
        self.home_maker = create_maker("test", self.home.id, "Wati", date(2026, 1, 5))
        ensure_default_rates()
        db.session.commit()
        # One paid order with a part from each facility: staff reach only their own part.
        order = paid_order({self.home_product.id: 1, self.other_product.id: 1})
        self.home_part = db.session.scalar(
            select(FacilityOrder).where(
                FacilityOrder.order_id == order.id, FacilityOrder.facility_id == self.home.id
            )
        )
        # The home facility's approved settlement of this month (built once it is over).
        today = utcnow()
        later = today + timedelta(days=40)
        settlement = settlements.build(self.home.id, today.year, today.month, "admin", now=later)
        self.home_settlement = settlements.approve(settlement.id, "admin", now=later)
        db.session.commit()


# Parameter name → the id of the home facility's object of that kind.
FILLERS: dict[str, Callable[[World], object]] = {
    "product_id": lambda w: w.home_product.id,
    "photo_id": lambda w: w.home_photo.id,
    "part_id": lambda w: w.home_part.id,
    "maker_id": lambda w: w.home_maker.id,
    "settlement_id": lambda w: w.home_settlement.id,
}
# Parameters that name no facility's object (the route is the same for every facility).
UNSCOPED_PARAMS: set[str] = set()


def staff_rules(app):
    rules = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        marked = getattr(view, "requires_signin", False)
        if rule.rule.startswith(STAFF_PREFIX) or marked:
            rules.append(rule)
    return sorted(rules, key=lambda r: r.rule)


def test_every_dashboard_route_requires_staff(app):
    unmarked = [
        r.rule
        for r in staff_rules(app)
        if r.rule.startswith(STAFF_PREFIX)
        and not getattr(app.view_functions[r.endpoint], "requires_staff", False)
    ]
    assert unmarked == [], "dashboard views must use @staff_required"
    assert len(staff_rules(app)) >= 5  # the walk below really walks something


def _url(rule, world: World) -> str:
    values = {}
    for name in rule.arguments:
        if name not in FILLERS:
            pytest.fail(f"{rule.rule}: the route walk does not know how to fill <{name}>")
        values[name] = FILLERS[name](world)
    return url_for(rule.endpoint, **values)


def _methods(rule) -> list[str]:
    return [m for m in ("GET", "POST") if m in rule.methods]


def _request(client, method: str, url: str, token: str | None):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token} if token else {})


def test_walk_every_staff_route(app):
    world = World()
    rules = staff_rules(app)

    admin = app.test_client()
    assert sign_in(admin, make_user(role="admin").email).status_code == 303
    db.session.commit()
    admin_token = csrf_token(admin)
    anonymous = app.test_client()
    outsider = app.test_client()
    insider = app.test_client()
    assert sign_in(outsider, world.other_staff.email).status_code == 303
    assert sign_in(insider, world.staff.email).status_code == 303
    outsider_token = csrf_token(outsider)
    insider_token = csrf_token(insider)

    walked = []
    with app.test_request_context():
        targets = [(rule, _url(rule, world)) for rule in rules]
    for rule, url in targets:
        has_scoped_id = any(a not in UNSCOPED_PARAMS for a in rule.arguments)
        for method in _methods(rule):
            walked.append(f"{method} {url}")
            # Signed out: sent to the sign-in page (POSTs are refused without a session
            # too; with a token from no session CSRF answers 400 before the view runs).
            response = _request(anonymous, method, url, None)
            if method == "GET":
                assert response.status_code == 302, url
                assert "/masuk" in response.headers["Location"], url
            else:
                assert response.status_code in (302, 400), url
                assert "Kain Milik Sendiri" not in response.get_data(as_text=True)

            # Staff of another facility: 404 for an id of this facility's object; pages
            # without ids never show this facility's data.
            response = _request(outsider, method, url, outsider_token)
            body = response.get_data(as_text=True)
            if has_scoped_id:
                assert response.status_code == 404, f"{method} {url}"
            else:
                assert response.status_code in (200, 302, 303), f"{method} {url}"
            assert "Kain Milik Sendiri" not in body, f"{method} {url}"

            # Administrators: the facility dashboard is not theirs (see scoping.py).
            if url.startswith(STAFF_PREFIX):
                assert _request(admin, method, url, admin_token).status_code == 403, url

            # Staff of the right facility: the page works, and a GET writes nothing.
            with writes_sent() as writes:
                response = _request(insider, method, url, insider_token)
            assert response.status_code in (200, 302, 303), f"{method} {url}"
            if method == "GET":
                assert writes == [], f"{method} {url}"
            assert "Kain Milik Tetangga" not in response.get_data(as_text=True)
    assert "GET /dasbor/produk" in walked
    assert f"GET /dasbor/produk/{world.home_product.id}" in walked
    assert f"POST /dasbor/pembuat/{world.home_maker.id}/pensiun" in walked


def test_staff_pages_refuse_posts_without_csrf_token(app):
    world = World()
    client = app.test_client()
    sign_in(client, world.staff.email)
    for rule in staff_rules(app):
        if "POST" not in rule.methods:
            continue
        with app.test_request_context():
            url = _url(rule, world)
        response = client.post(url, data={})
        assert response.status_code == 400, url
    db.session.expire_all()
    assert world.home_product.status == "active"  # nothing changed
