"""Start gunicorn servers for benchmarks and stop them again, whatever happens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shop_env(database_url: str, upload_dir: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        UPLOAD_DIR=upload_dir,
        SECRET_KEY="bench-secret",
        SITE_URL="http://127.0.0.1",
        **extra,
    )
    return env


def flask(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "shop", *args], env=env, cwd=ROOT, check=True)


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int, ready_path: str = "/healthz"):
    """Serve ``app_spec`` on a free loopback port; yields the base URL."""
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
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()
