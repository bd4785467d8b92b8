"""The audit log page: search by person, facility, object, action and dates; paged;
before → after readable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from factories import make_facility

from shop.audit.services import record
from shop.extensions import db


def html_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def log(app):
    north, south = make_facility(name="Lapas Utara"), make_facility(name="Lapas Selatan")
    march = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    april = datetime(2026, 4, 2, 3, 0, tzinfo=UTC)

    class Actor:
        def __init__(self, email):
            self.id, self.email = None, email

    record(
        Actor("wati@lapas.test"),
        "stock.adjust",
        "product",
        11,
        before={"on_hand": 3},
        after={"on_hand": 10},
        facility_id=north.id,
        note="production: batch",
        now=march,
    )
    record(
        Actor("admin@karya.test"),
        "product.hide",
        "product",
        12,
        before={"hidden": False},
        after={"hidden": True, "hidden_reason": "Harga salah"},
        facility_id=south.id,
        now=april,
    )
    record(
        Actor("admin@karya.test"),
        "order.extend_deadline",
        "order",
        11,
        before={"payment_deadline": "2026-04-03T03:00:00+00:00"},
        after={"payment_deadline": "2026-04-05T03:00:00+00:00"},
        note="Bank libur",
        now=april,
    )
    db.session.commit()
    return north, south


def actions_on(admin, **query) -> list[str]:
    html = html_of(admin.get("/admin/audit", query_string=query))
    table = html[html.index('id="audit-log"') :] if 'id="audit-log"' in html else ""
    return [a for a in ("stock.adjust", "product.hide", "order.extend_deadline") if a in table]


def test_audit_log_filters(admin, log):
    north, south = log
    assert actions_on(admin) == ["stock.adjust", "product.hide", "order.extend_deadline"]
    assert actions_on(admin, person="WATI") == ["stock.adjust"]
    assert actions_on(admin, facility=south.id) == ["product.hide"]
    assert actions_on(admin, type="product") == ["stock.adjust", "product.hide"]
    assert actions_on(admin, type="product", id="11") == ["stock.adjust"]
    assert actions_on(admin, type="order", id="11") == ["order.extend_deadline"]
    assert actions_on(admin, action="product.hide") == ["product.hide"]
    assert actions_on(admin, **{"from": "2026-03-01", "to": "2026-03-31"}) == ["stock.adjust"]
    assert actions_on(admin, **{"from": "2026-04-01"}) == [
        "product.hide",
        "order.extend_deadline",
    ]
    assert actions_on(admin, person="nobody") == []
    hostile = {"id": "٣", "facility": "1" * 30, "from": "0001-01-01", "to": "9999-12-31"}
    assert admin.get("/admin/audit", query_string=hostile).status_code == 200


def test_before_and_after_are_readable(admin, log):
    html = html_of(admin.get("/admin/audit", query_string={"action": "product.hide"}))
    assert "<code>hidden_reason</code>: <ins>Harga salah</ins>" in html
    assert "<code>hidden</code>: <del>tidak</del> → <ins>ya</ins>" in html
    assert "Lapas Selatan" in html
    html = html_of(admin.get("/admin/audit", query_string={"action": "stock.adjust"}))
    assert "<code>on_hand</code>: <del>3</del> → <ins>10</ins>" in html
    assert "production: batch" in html and "wati@lapas.test" in html


def test_audit_log_is_paged_newest_first(admin, log, monkeypatch):
    from shop.audit import queries

    monkeypatch.setattr(queries, "PER_PAGE", 2)
    first = html_of(admin.get("/admin/audit"))
    assert "Halaman 1 dari 2" in first
    assert actions_on(admin) == ["product.hide", "order.extend_deadline"]  # newest first
    assert actions_on(admin, page="2") == ["stock.adjust"]


def test_who_did_it_reads_as_the_persons_name_with_their_email(app, admin):
    from staff_helpers import make_user

    wati = make_user(email="wati.nama@lapas.test", name="Wati Lestari")
    record(wati, "product.status", "product", 5, before={}, after={"status": "active"})
    record("system", "settlement.build", "settlement", 7, before={}, after={})
    db.session.commit()
    html = html_of(admin.get("/admin/audit"))
    row = html[html.index("Wati Lestari") :]
    assert "wati.nama@lapas.test" in row[: row.index("</td>")]
    assert "Sistem" in html and ">system<" not in html
