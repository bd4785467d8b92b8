"""Benchmark databases and gunicorn servers: prepare them, start them, stop them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shop.config import normalize_database_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shop_env(database_url: str, upload_dir: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like shop process (no debug, secure defaults)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(
        DATABASE_URL=database_url,
        UPLOAD_DIR=upload_dir,
        SECRET_KEY="bench-secret",
        SHOP_ENV="production",
        SITE_URL="http://127.0.0.1",
        BANK_NAME="Bank Bench",
        BANK_ACCOUNT_NUMBER="000-000",
        BANK_ACCOUNT_HOLDER="Koperasi Bench",
        **extra,
    )
    return env


def flask(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "shop", *args], env=env, cwd=ROOT, check=True)


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` when it does not exist."""
    target = make_url(normalize_database_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not found:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def vacuum_analyze(url: str) -> None:
    """Fresh planner statistics (and, on PostgreSQL, a vacuumed table) before measuring,
    so that autovacuum catching up on a just-seeded table does not run during the load."""
    engine = create_engine(normalize_database_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE" if url.startswith("postgres") else "ANALYZE"))
    finally:
        engine.dispose()


def scalar_rows(url: str, sql: str) -> list:
    """First column of every row of ``sql`` (raw SQL on a short-lived engine)."""
    engine = create_engine(normalize_database_url(url))
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text(sql)))
    finally:
        engine.dispose()


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int, ready_path: str = "/healthz"):
    """Serve ``app_spec`` with sync workers on a free loopback port; yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,  # gunicorn.conf.py's access log: written, not shown
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + ready_path, timeout=2) as response:
                    if response.status < 500:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn for {app_spec} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def fetch(url: str) -> str:
    """The body of a 200 answer to GET ``url`` (redirects and errors raise)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(url, timeout=30) as response:
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}, not 200")
        return response.read().decode()


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as ``/proc/loadavg`` shows them."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def publish(report: str, record: bool) -> None:
    """Print ``report``; with ``record``, also append it to bench/RESULTS.md."""
    print(report)
    if record:
        with (ROOT / "bench" / "RESULTS.md").open("a") as results:
            results.write("\n" + report.rstrip("\n") + "\n")
