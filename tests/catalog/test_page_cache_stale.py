"""Stale while revalidate: an expired page is served as it was and rebuilt once, after
the response; past twice its lifetime, or after an explicit clear, it is built afresh."""

from __future__ import annotations

import logging
import threading

import pytest
from factories import make_facility, make_product
from sqlalchemy import update
from staff_helpers import make_user

from shop.catalog import page_cache
from shop.catalog.models import Product
from shop.extensions import db
from shop.facilities.services import set_active


@pytest.fixture
def clock(app, monkeypatch):
    """The page cache's clock, moved by hand; the page cache on for 10 s."""
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    page_cache.clear()
    app.config["CATALOG_PAGE_CACHE_SECONDS"] = 10
    yield now
    app.config["CATALOG_PAGE_CACHE_SECONDS"] = 0
    page_cache.clear()


def _get(client, path: str = "/produk") -> str:
    """The page's body, after the response is closed (as the server does once sent)."""
    response = client.get(path)
    body = response.get_data(as_text=True)
    response.close()
    page_cache.wait_for_rebuilds()  # what the close handed to the rebuild thread
    return body


def _rename_unseen(product, name: str) -> None:
    """A change no catalog version follows (as a sale's is): kept pages only expire."""
    db.session.execute(update(Product).where(Product.id == product.id).values(name=name))
    db.session.commit()


def _listing_renders(monkeypatch) -> list[int]:
    from shop.catalog import views

    rendered: list[int] = []
    parts = views._listing_parts
    monkeypatch.setattr(views, "_listing_parts", lambda: rendered.append(1) or parts())
    return rendered


def test_an_expired_page_is_served_stale_and_rebuilt_once_after_the_response(
    app, clock, monkeypatch
):
    product = make_product(name="Batik Kawung Sogan")
    db.session.commit()
    visitor = app.test_client()
    assert "Batik Kawung Sogan" in _get(visitor)
    _rename_unseen(product, "Batik Parang Rusak")
    rendered = _listing_renders(monkeypatch)

    clock[0] += 10.5  # expired, within the stale bound
    response = visitor.get("/produk")
    assert "Batik Kawung Sogan" in response.get_data(as_text=True)  # the stale copy …
    assert rendered == []  # … answered before any rebuild
    others = [_get(app.test_client()) for _ in range(3)]  # while the rebuild is pending
    assert all("Batik Kawung Sogan" in page for page in others)
    assert rendered == []
    response.close()  # the response is sent: its one rebuild runs now
    page_cache.wait_for_rebuilds()
    assert rendered == [1]

    assert "Batik Parang Rusak" in _get(visitor)
    assert "Batik Parang Rusak" in _get(app.test_client())
    assert rendered == [1]  # rebuilt once, not by every request that found it expired


def test_the_rebuild_runs_on_its_own_thread_while_the_worker_serves_on(app, clock, monkeypatch):
    """Closing the response hands the rebuild over and returns: the worker's next
    request is answered (stale) while the rebuild is still waiting on its reads."""
    make_product(name="Batik Kawung Sogan")
    db.session.commit()
    assert "Batik Kawung Sogan" in _get(app.test_client())
    from shop.catalog import views

    started, release, threads = threading.Event(), threading.Event(), []
    parts = views._listing_parts

    def slow_parts():
        threads.append(threading.current_thread().name)
        started.set()
        assert release.wait(30), "the test never let the rebuild go on"
        return parts()

    monkeypatch.setattr(views, "_listing_parts", slow_parts)
    clock[0] += 10.5  # expired, within the stale bound
    response = app.test_client().get("/produk")
    response.close()  # returns at once: the rebuild waits on another thread
    assert started.wait(30)
    meanwhile = app.test_client().get("/produk")
    assert "Batik Kawung Sogan" in meanwhile.get_data(as_text=True)  # served meanwhile
    release.set()
    page_cache.wait_for_rebuilds()
    assert len(threads) == 1 and threads[0].startswith("page-rebuild")


def test_past_twice_its_lifetime_a_page_is_rebuilt_before_it_is_served(app, clock):
    product = make_product(name="Tas Rotan Bundar")
    db.session.commit()
    assert "Tas Rotan Bundar" in _get(app.test_client())
    _rename_unseen(product, "Tas Rotan Kotak")
    clock[0] += 20.0  # fresh for at most 10 s, then stale for 10 s more: too old now
    page = _get(app.test_client())
    assert "Tas Rotan Kotak" in page and "Tas Rotan Bundar" not in page


def test_a_failed_rebuild_keeps_the_stale_copy_and_logs(app, clock, monkeypatch, caplog):
    make_product(name="Kain Tenun Ikat Sumba")
    db.session.commit()
    assert "Kain Tenun Ikat Sumba" in _get(app.test_client())
    from shop.catalog import views

    def broken():
        raise RuntimeError("database went away")

    monkeypatch.setattr(views, "_listing_parts", broken)
    clock[0] += 10.5
    with caplog.at_level(logging.ERROR, logger="shop.catalog.page_cache"):
        assert "Kain Tenun Ikat Sumba" in _get(app.test_client())
    assert "stale copy stays" in caplog.text and "database went away" in caplog.text
    assert "Kain Tenun Ikat Sumba" in _get(app.test_client())  # still served, retried


def test_a_clear_is_never_outlived_by_a_stale_page(app, clock):
    facility = make_facility(name="Lapas Kelas IIA Banyuwangi")
    make_product(facility=facility, name="Batik Gajah Oling")
    admin = make_user(role="admin")
    db.session.commit()
    visitor = app.test_client()
    assert "Batik Gajah Oling" in _get(visitor)
    clock[0] += 10.5
    pending = visitor.get("/produk")  # stale, with its rebuild waiting for the close
    assert "Batik Gajah Oling" in pending.get_data(as_text=True)

    set_active(admin, facility, False)  # the facility's products leave the shop
    db.session.commit()
    assert "Batik Gajah Oling" not in _get(app.test_client())  # at once, not stale
    pending.close()  # the rebuild claimed before the clear runs now …
    page_cache.wait_for_rebuilds()
    assert "Batik Gajah Oling" not in _get(visitor)  # … and cannot bring the page back


def test_a_rebuild_begun_before_a_clear_is_not_kept(clock):
    def build_while_cleared():
        page_cache.clear()  # a facility changed while this was being built
        return "built from before the change"

    page_cache.cached("k", 10, lambda: "first")
    clock[0] += 10.5  # stale; outside a request its caller rebuilds it
    assert page_cache.cached("k", 10, build_while_cleared) == "built from before the change"
    assert page_cache.cached("k", 10, lambda: "afresh") == "afresh"


def test_outside_a_request_one_caller_rebuilds_while_others_get_the_stale_copy(clock):
    page_cache.cached("k", 10, lambda: "old")
    clock[0] += 10.5
    seen = []

    def rebuild():
        # Another caller arriving during this rebuild is answered the stale copy.
        seen.append(page_cache.cached("k", 10, lambda: pytest.fail("built twice")))
        return "new"

    assert page_cache.cached("k", 10, rebuild) == "new"
    assert seen == ["old"]
    assert page_cache.cached("k", 10, lambda: pytest.fail("kept")) == "new"


def test_an_expired_facet_list_is_served_stale_and_rebuilt_once_after_the_response(
    app, clock, monkeypatch
):
    """The category, facility and province counts (kept CATALOG_FACET_TTL) expire like kept
    pages: the request finding them expired is answered with the old counts, and each
    list is counted again once, after that response, not by the requests waiting."""
    from factories import make_category

    from shop.catalog import services

    app.config["CATALOG_PAGE_CACHE_SECONDS"] = 0  # pages rendered each time: their lists
    monkeypatch.setitem(app.config, "CATALOG_FACET_TTL", 10)
    batik, rotan = make_category(name_id="Batik Tulis"), make_category(name_id="Rotan Anyam")
    product = make_product(category=batik)
    db.session.commit()
    counted: list[str] = []
    original = services._active_counts
    monkeypatch.setattr(
        services, "_active_counts", lambda column: counted.append(column.key) or original(column)
    )
    visitor = app.test_client()
    assert "Batik Tulis (1)" in _get(visitor) and "Rotan Anyam" not in _get(visitor)
    assert counted.count("category_id") == 1  # counted once, then kept
    db.session.execute(update(Product).where(Product.id == product.id).values(category_id=rotan.id))
    db.session.commit()  # a change no catalog version follows: the lists only expire

    counted.clear()
    clock[0] += 10.5  # expired, within the stale bound
    response = visitor.get("/produk")
    assert "Batik Tulis (1)" in response.get_data(as_text=True)  # the old counts …
    assert counted == []  # … answered before any count
    assert "Batik Tulis (1)" in _get(app.test_client())  # another visitor meanwhile
    response.close()  # sent: the rebuilds run now
    page_cache.wait_for_rebuilds()
    assert counted.count("category_id") == 1

    page = _get(visitor)
    assert "Rotan Anyam (1)" in page and "Batik Tulis" not in page
    assert counted.count("category_id") == 1  # rebuilt once
