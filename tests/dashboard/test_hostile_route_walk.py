"""Every route in the URL map × hostile values × (signed out, staff, administrator).

Beside ``test_route_walk.py`` (which checks who may see what), this walk checks that bad
input is always answered, never a server error: each route gets each hostile value in
each path parameter, in every query parameter the shop reads, and (for POST routes, with
a valid CSRF token) in every form field the shop's forms declare. Two things must hold
for every response: no 5xx, and the markup never comes back unescaped in an HTML page.

Routes are found, not listed; a route whose parameter the walk cannot fill with a real
value fails the test, so a new kind of parameter teaches the walk about itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
from factories import make_dashboard_refund_row
from flask import url_for
from staff_helpers import csrf_token, make_user, sign_in
from test_route_walk import World

from shop.extensions import db
from shop.forms import Form
from shop.orders.models import Order

MARKUP = "<a href=//x>KLIK</a>"
HOSTILE = {
    "superscript two": "²",
    "arabic-indic three": "٣",
    "huge id": "99999999999999999999",
    "last date": "9999-12-31",
    "first date": "0001-01-01",
    "nul": "1\x00",
    "100 KB": "K" * 100_000,
    "markup": MARKUP,
}
# Every query parameter a view reads (catalog, dashboard, admin, orders, language switch).
QUERY_NAMES = [
    "q", "hal", "page", "harga_min", "harga_max", "urut", "kategori", "fasilitas",
    "provinsi", "tersedia", "product", "from", "to", "reason", "status", "tab", "low",
    "amount", "number", "next", "baru", "session_id",
]  # fmt: skip
# Form fields read from request.form directly, outside a form class.
EXTRA_FORM_NAMES = ["rate", "go", "next", "jne-1-first_kg", "jne-1-next_kg"]
# Signed-in clients do not sign out in the middle of the walk.
SKIP_SIGNED_IN = {"accounts.logout"}


def _form_names() -> list[str]:
    names: set[str] = set(EXTRA_FORM_NAMES)
    todo = list(Form.__subclasses__())
    while todo:
        form_class = todo.pop()
        todo.extend(form_class.__subclasses__())
        names.update(
            name
            for name in dir(form_class)
            if not name.startswith("_") and hasattr(getattr(form_class, name), "field_class")
        )
    names.discard("csrf_token")
    return sorted(names)


def _fillers(world: World) -> dict[str, Callable[[str], object]]:
    """Parameter name → a real value for the endpoint (some names mean different things)."""
    from pathlib import Path

    from sqlalchemy import select

    from shop.mail.models import OutboxMessage
    from shop.payments.models import Payment
    from shop.reconciliation.models import StatementLine
    from shop.reconciliation.services import import_statement

    order = db.session.get(Order, world.home_part.order_id)
    sample = Path(__file__).parent.parent / "reconciliation" / "samples" / "bca.csv"
    statement = import_statement(sample.read_bytes(), "bca.csv", "test", "bca").statement
    stripe_row = make_dashboard_refund_row("hostile_walk")
    db.session.commit()
    payment_id = db.session.scalar(select(Payment.id).where(Payment.order_id == order.id))
    line_id = db.session.scalars(select(StatementLine.id)).first()
    message_id = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.order_id == order.id)
    ).first()
    return {
        "facility_id": lambda _e: world.home.id,
        "user_id": lambda _e: world.staff.id,
        "maker_id": lambda _e: world.home_maker.id,
        "category_id": lambda _e: world.home_product.category_id,
        "message_id": lambda _e: message_id,
        "import_id": lambda _e: statement.id,
        "line_id": lambda _e: line_id,
        "target": lambda _e: "whole",
        "settlement_id": lambda _e: world.home_settlement.id,
        "kind": lambda _e: "facility",
        "product_id": lambda _e: world.home_product.id,
        "photo_id": lambda _e: world.home_photo.id,
        "part_id": lambda _e: world.home_part.id,
        "order_id": lambda _e: order.id,
        "payment_id": lambda _e: payment_id,
        "row_id": lambda _e: stripe_row.id,
        "slug": lambda e: world.home.slug if e == "catalog.facility" else world.home_product.slug,
        "token": lambda _e: order.public_token,
        "code": lambda _e: "en",
        "name": lambda _e: "no-such-photo.webp",
        "filename": lambda _e: "icons/favicon.svg",
    }


def _path(rule, real: dict[str, object], hostile: tuple[str, str] | None = None) -> str:
    """The rule's path with real values, one parameter replaced by a hostile one."""

    def fill(match: re.Match) -> str:
        name = match["name"]
        if hostile and hostile[0] == name:
            return quote(hostile[1], safe="")
        return quote(str(real[name]), safe="/")

    return re.sub(r"<(?:[^:<>]+:)?(?P<name>\w+)>", fill, rule.rule)


class Walker:
    """Sends the requests and collects every problem (the test lists them all at once)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.requests = 0

    def send(self, who: str, client, method: str, url: str, label: str = "", **kw) -> None:
        self.requests += 1
        where = f"{who} {method} {(label or url)[:140]!r}"
        try:
            response = client.open(url, method=method, **kw)
        except Exception as exc:  # TESTING propagates what would be a 500
            db.session.rollback()
            self.problems.append(f"{where}: {type(exc).__name__}: {str(exc)[:200]}")
            return
        if response.status_code >= 500:
            self.problems.append(f"{where}: {response.status_code}")
        if response.mimetype == "text/html" and MARKUP in response.get_data(as_text=True):
            self.problems.append(f"{where}: the markup came back unescaped")


@pytest.fixture
def clients(app):
    world = World()
    anonymous = app.test_client()
    staff = app.test_client()
    admin = app.test_client()
    assert sign_in(staff, world.staff.email).status_code == 303
    admin_user = make_user(role="admin")
    db.session.commit()
    assert sign_in(admin, admin_user.email).status_code == 303
    tokens = {
        "anonymous": csrf_token(anonymous, "/pesanan/cari"),
        "staff": csrf_token(staff),
        "admin": csrf_token(admin),
    }
    return world, {"anonymous": anonymous, "staff": staff, "admin": admin}, tokens


def test_hostile_values_everywhere_never_a_server_error_nor_markup(app, clients):
    world, by_name, tokens = clients
    walker = Walker()
    fillers = _fillers(world)
    form_names = _form_names()
    assert {"quantity", "price", "change", "name", "street", "amount"} <= set(form_names)
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))

    real_paths = {}
    for rule in rules:
        unknown = set(rule.arguments) - set(fillers)
        assert not unknown, f"{rule.rule}: the walk does not know how to fill {unknown}"
        real = {name: fillers[name](rule.endpoint) for name in rule.arguments}
        real_paths[id(rule)] = (real, _path(rule, real))

    for who, client in by_name.items():
        token = tokens[who]
        for rule in rules:
            if who != "anonymous" and rule.endpoint in SKIP_SIGNED_IN:
                continue
            real, path = real_paths[id(rule)]
            methods = [m for m in ("GET", "POST") if m in rule.methods]
            for label, value in HOSTILE.items():
                for method in methods:
                    data = {"csrf_token": token} if method == "POST" else None
                    for name in rule.arguments:
                        url = _path(rule, real, (name, value))
                        walker.send(who, client, method, url, f"{path} <{name}>={label}", data=data)
                    # A whole query string is at most 100 KB (servers refuse longer request
                    # lines long before: gunicorn at 4 KB).
                    query = {name: value[: 100_000 // len(QUERY_NAMES)] for name in QUERY_NAMES}
                    walker.send(
                        who,
                        client,
                        method,
                        path,
                        f"{path}?…={label}",
                        query_string=query,
                        data=data,
                    )
                    if method == "POST":
                        form = {name: value for name in form_names} | {"csrf_token": token}
                        walker.send(who, client, method, path, f"{path} form={label}", data=form)
    assert not walker.problems, "\n".join(walker.problems)
    assert walker.requests > 1000  # the walk really walked


def test_the_walk_fills_paths_with_real_values(app, clients):
    world, _by_name, _tokens = clients
    fillers = _fillers(world)
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            real = {name: fillers[name](rule.endpoint) for name in rule.arguments}
            assert _path(rule, real) == url_for(rule.endpoint, **real), rule.rule
