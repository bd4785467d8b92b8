"""Production workers: forked from a master that loaded the shop (gunicorn.conf.py's
``preload_app``), each with database connections of its own, replaced when their memory
grows past a limit; and a worker that only serves pages does not load the libraries of
rare paths (Alembic, Stripe, psycopg on SQLite)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from live_gunicorn import Browser, GunicornServer
from sqlalchemy import text

from shop.extensions import db
from shop.workers import after_fork, peak_resident_mb
from tests.factories import make_product

ROOT = Path(__file__).resolve().parents[2]
RARE = ("flask_migrate", "alembic", "stripe", "requests", "psycopg")


def _modules_after_create_app(database_url: str) -> list[str]:
    """The RARE modules in sys.modules of a fresh process after create_app()."""
    code = (
        "import sys, json\n"
        "from shop import create_app\n"
        f"create_app({{'SQLALCHEMY_DATABASE_URI': {database_url!r}, 'SECRET_KEY': 'x'}})\n"
        f"print(json.dumps([m for m in {RARE!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_a_page_serving_worker_loads_no_migration_or_payment_library(tmp_path):
    assert _modules_after_create_app(f"sqlite:///{tmp_path / 'x.db'}") == []
    postgres = "postgresql+psycopg://nobody@127.0.0.1:9/none"
    assert _modules_after_create_app(postgres) == ["psycopg"]


def test_the_db_command_and_flask_migrate_still_see_the_shop(app, tmp_path):
    done = subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "--app", "shop", "db", "heads"],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "(head)" in done.stdout
    config = app.extensions["migrate"]
    assert config.directory.endswith("shop/migrations")
    assert config.db is db
    assert config.configure_args["render_as_batch"] is True


def _connection_owner() -> tuple[int | None, int | None]:
    """(pid recorded on the pooled connection, PostgreSQL backend pid or None)."""
    with db.engine.connect() as conn:
        owner = conn.connection.info.setdefault("owner", os.getpid())
        backend = None
        if db.engine.dialect.name == "postgresql":
            backend = conn.scalar(text("SELECT pg_backend_pid()"))
    return owner, backend


def test_a_forked_worker_opens_its_own_connections_and_leaves_the_masters_open(app):
    db.session.remove()
    db.engine.dispose()  # from here the pool holds one connection: the one opened next
    parent = _connection_owner()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            after_fork(app)
            os.write(write, json.dumps(_connection_owner()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = json.loads(pipe.read())
    os.waitpid(pid, 0)
    assert child[0] == pid, "the worker was handed the master's pooled connection"
    if parent[1] is not None:
        assert child[1] != parent[1]
    # The master's connection was neither closed nor replaced by the worker's exit.
    assert _connection_owner() == parent


@pytest.fixture
def product_path(app) -> str:
    product = make_product(name="Tas Rotan Anyam Uji")
    db.session.commit()
    return f"/produk/{product.slug}"


def _server(database_url: str, tmp_path: Path, **env: str) -> GunicornServer:
    settings = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "worker-test-key",
        "SHOP_ENV": "development",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SITE_URL": "http://shop.test",
        "GUNICORN_LOG_LEVEL": "info",
        **env,
    }
    return GunicornServer(settings, tmp_path / "gunicorn.log", workers=2)


def test_preloaded_workers_serve_pages_from_the_database_side_by_side(
    product_path, database_url, tmp_path
):
    server = _server(database_url, tmp_path)
    server.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _n: Browser(server.url).get(product_path), range(40)))
    finally:
        server.stop()
    log = server.log.read_text()
    assert [a.status for a in answers] == [200] * 40, log[-3000:]
    assert all("Tas Rotan Anyam Uji" in a.text for a in answers)
    assert "App loaded in the master;" in log
    # The master served the visitor's pages once in each language before forking.
    assert "/produk (id) 200" in log and "/produk (en) 200" in log
    assert "Traceback" not in log


def _wait_for(log: Path, needle: str, count: int, within: float = 30.0) -> int:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = log.read_text().count(needle)
        if found >= count:
            return found
        time.sleep(0.1)  # polling a log file with a deadline
    return log.read_text().count(needle)


def test_a_worker_over_its_memory_limit_is_replaced_after_its_request(
    product_path, database_url, tmp_path
):
    server = _server(database_url, tmp_path, GUNICORN_MAX_WORKER_MB="1")
    server.start()
    try:
        first = Browser(server.url).get(product_path)
        assert _wait_for(server.log, "(over 1 MB): replaced", 1) >= 1
        # Two workers at start, then one more for the one replaced.
        assert _wait_for(server.log, "Booting worker", 3) >= 3
        again = Browser(server.url).get(product_path)
    finally:
        server.stop()
    assert first.status == 200 and again.status == 200
    assert "Traceback" not in server.log.read_text()


def test_peak_memory_is_this_process_peak_rss():
    status = Path("/proc/self/status").read_text()
    peak_kb = int(status.split("VmHWM:")[1].split()[0])
    assert abs(peak_resident_mb() - peak_kb / 1024) < 5
