"""The page cache shared through Redis (``CACHE_URL``): a page one process rendered is
served by another, an edit makes every process render afresh, a sale does not, and a
Redis that is missing or stops never costs a page.

Runs against the real Redis at 127.0.0.1:6379 (database 13, emptied around each test);
skipped when nothing answers there. Two app instances on the same database stand for
two processes; as they share this test process's memory, :func:`_another_process`
empties what a process keeps for itself (its page cache, the catalog version it read)
before the other one serves.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from types import SimpleNamespace

import pytest
import redis
from factories import make_product
from sqlalchemy import update

from shop import create_app
from shop.catalog import freshness, page_cache, shared_cache
from shop.catalog.models import Product
from shop.extensions import db
from shop.inventory.services import hold_stock
from shop.uow import unit_of_work

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def shared(app, page_cache_on):
    """Redis database 13, empty, as the shared level of the page cache."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379: the shared page cache's tests need one")
    client.flushdb()
    shared_cache.reset()
    app.config["CACHE_URL"] = REDIS_URL
    app.config["CATALOG_VERSION_CHECK_SECONDS"] = 0  # as any process whose check fell due
    yield client
    app.config["CACHE_URL"] = ""
    shared_cache.reset()
    client.flushdb()
    client.close()


@pytest.fixture
def other(app, shared):
    """A second instance of the shop on the same database and Redis: another process."""
    keys = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "UPLOAD_DIR", "SITE_URL", "CACHE_URL")
    other = create_app(
        {
            "TESTING": True,
            "SERVER_NAME": None,
            "MAIL_DELIVER_AFTER_REQUEST": False,
            "CATALOG_FACET_TTL": 0,
            "CATALOG_PAGE_CACHE_SECONDS": 60,
            "CATALOG_VERSION_CHECK_SECONDS": 0,
            **{key: app.config[key] for key in keys},
        }
    )
    yield other
    with other.app_context():
        db.engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _another_process() -> None:
    """What a process that has served nothing yet holds: no pages, no version read."""
    page_cache.clear()
    freshness._known = None


def _get(client, path: str) -> str:
    """The page's body, after the response is closed (as the server does once sent)."""
    response = client.get(path)
    assert response.status_code == 200, path
    body = response.get_data(as_text=True)
    response.close()
    page_cache.wait_for_rebuilds()  # what the close handed to the rebuild thread
    return body


def _buy_box(page: str) -> str:
    return page.split('class="add-to-cart"', 1)[1].split("</form>", 1)[0]


def _rename_unseen(product, name: str) -> None:
    """A change no catalog version follows (as a sale's is): kept pages only expire."""
    db.session.execute(update(Product).where(Product.id == product.id).values(name=name))
    db.session.commit()


def test_a_page_one_process_rendered_is_served_by_another(app, other, shared):
    product = make_product(name="Batik Kawung Sogan", on_hand=5)
    db.session.commit()
    url = f"/produk/{product.slug}"
    first = app.test_client().get("/produk")
    listing, etag = first.get_data(as_text=True), first.headers["ETag"]
    first.close()
    assert "Batik Kawung Sogan" in _get(app.test_client(), url)
    assert shared.dbsize() > 0

    _rename_unseen(product, "Batik Parang Rusak")  # only another build could show this
    with unit_of_work():  # a sale: raises no version, so what was shared stays
        hold_stock({product.id: 1}, {})
    _another_process()
    again = other.test_client().get("/produk")
    assert again.get_data(as_text=True) == listing  # the very page, from Redis …
    assert again.headers["ETag"] == etag  # … with its ETag
    again.close()

    page = _get(other.test_client(), url)
    assert "Batik Kawung Sogan" in page and "Batik Parang Rusak" not in page  # shared body …
    assert "4 tersedia" in _buy_box(page)  # … around the live stock
    assert "&lt;" not in page.split("<main", 1)[1]  # its HTML came back as HTML, not escaped


def test_an_edit_in_one_process_makes_the_other_render_afresh(app, other, shared):
    product = make_product(name="Tikar Pandan", price=150_000, on_hand=3)
    db.session.commit()
    url = f"/produk/{product.slug}"
    for path in ("/", "/produk", url):
        assert "Rp 150.000" in _get(app.test_client(), path), path

    product.price = 175_000  # staff's edit: the catalog version goes up
    db.session.commit()
    _another_process()
    for path in ("/", "/produk", url):
        page = _get(other.test_client(), path)
        assert "Rp 175.000" in page and "Rp 150.000" not in page, path


def _shared_clock_at(monkeypatch, wall_time: float) -> None:
    """The wall clock the shared entries' lifetimes are read with, set by hand."""
    clock = SimpleNamespace(time=lambda: wall_time, monotonic=time.monotonic)
    monkeypatch.setattr(shared_cache, "time", clock)


def test_a_stale_shared_page_is_served_once_while_it_is_rebuilt(app, other, shared, monkeypatch):
    product = make_product(name="Tas Rotan Bundar")
    db.session.commit()
    assert "Tas Rotan Bundar" in _get(app.test_client(), "/produk")
    _rename_unseen(product, "Tas Rotan Kotak")

    later = time.time() + 70  # past its lifetime (at most 60 s), inside its stale window
    _shared_clock_at(monkeypatch, later)
    _another_process()
    visitor = other.test_client()
    response = visitor.get("/produk")
    assert "Tas Rotan Bundar" in response.get_data(as_text=True)  # the stale copy …
    response.close()  # … and once it is sent, the page is built again and shared
    page_cache.wait_for_rebuilds()
    _another_process()
    assert "Tas Rotan Kotak" in _get(app.test_client(), "/produk")

    _shared_clock_at(monkeypatch, later + 200)
    _another_process()  # past its stale window too: built before it is served
    _rename_unseen(product, "Tas Rotan Lonjong")
    assert "Tas Rotan Lonjong" in _get(other.test_client(), "/produk")


def test_pages_are_served_when_nothing_listens_at_cache_url(app, shared, caplog):
    product = make_product(name="Kain Tenun Ikat Sumba")
    db.session.commit()
    app.config["CACHE_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    with caplog.at_level(logging.WARNING, logger="shop.catalog.shared_cache"):
        assert "Kain Tenun Ikat Sumba" in _get(app.test_client(), "/produk")
        _another_process()
        assert "Kain Tenun Ikat Sumba" in _get(app.test_client(), f"/produk/{product.slug}")
    assert caplog.text.count("shared page cache (CACHE_URL) failed") == 1  # logged once
    assert shared_cache.slot("k", 1) is None  # and left alone while it backs off


@pytest.fixture
def own_redis(shared):
    """A redis-server of this test's own, on a free port, that the test may stop."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.skip("redis-server would not start")
            time.sleep(0.05)  # polling for readiness with a deadline
    yield SimpleNamespace(url=f"redis://127.0.0.1:{port}/0", server=server, client=client)
    client.close()
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=10)


def test_a_redis_stopped_midway_costs_no_page(app, own_redis, caplog):
    first = make_product(name="Selendang Parang", on_hand=2)
    second = make_product(name="Tas Anyaman Purun", on_hand=2)
    db.session.commit()
    app.config["CACHE_URL"] = own_redis.url
    assert "Selendang Parang" in _get(app.test_client(), f"/produk/{first.slug}")
    assert own_redis.client.dbsize() > 0

    own_redis.server.terminate()
    own_redis.server.wait(timeout=10)
    _another_process()
    with caplog.at_level(logging.WARNING, logger="shop.catalog.shared_cache"):
        for _ in range(3):
            assert "Selendang Parang" in _get(app.test_client(), f"/produk/{first.slug}")
            assert "Tas Anyaman Purun" in _get(app.test_client(), f"/produk/{second.slug}")
    assert caplog.text.count("failed") == 1
    assert shared_cache.slot("k", 1) is None  # backing off …
    shared_cache._down_until = float("-inf")  # … until the back-off is over
    assert shared_cache.slot("k", 1) is not None


def test_a_redis_that_answers_late_costs_no_page(app, own_redis, caplog):
    make_product(name="Keranjang Bambu")
    db.session.commit()
    app.config["CACHE_URL"] = own_redis.url
    assert "Keranjang Bambu" in _get(app.test_client(), "/produk")
    _another_process()
    own_redis.client.client_pause(5000)  # every client's command waits 5 s (until it is stopped)
    with caplog.at_level(logging.WARNING, logger="shop.catalog.shared_cache"):
        assert "Keranjang Bambu" in _get(app.test_client(), "/produk")  # not waited for
    assert "failed (Timeout reading from socket)" in caplog.text, caplog.text


def test_what_is_read_while_the_catalog_changes_is_not_kept(shared, monkeypatch):
    freshness.seen(7)
    assert page_cache.cached("k", 60, lambda: "before the edit") == "before the edit"
    _another_process()
    freshness.seen(7)
    read = shared_cache.get

    def read_while_an_edit_lands(where):
        found = read(where)
        page_cache.clear()  # another thread of this process read a new version meanwhile
        return found

    monkeypatch.setattr(shared_cache, "get", read_while_an_edit_lands)
    assert page_cache.cached("k", 60, lambda: "after the edit") == "after the edit"
    monkeypatch.undo()
    assert page_cache.cached("k", 60, lambda: pytest.fail("built again")) == "after the edit"
