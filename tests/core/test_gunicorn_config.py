"""The production server's settings (gunicorn.conf.py) load, and bound what they should."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

from shop.dashboard.photos import DEFAULT_UPLOAD_SECONDS

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"


def _settings(monkeypatch, **env: str) -> dict:
    for name in (
        "WEB_CONCURRENCY",
        "GUNICORN_TIMEOUT",
        "BIND",
        "PORT",
        "GUNICORN_PRELOAD",
        "GUNICORN_MAX_REQUESTS",
        "GUNICORN_MAX_WORKER_MB",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_gunicorn_checks_the_config_and_loads_the_app(tmp_path):
    env = {
        **os.environ,
        "SECRET_KEY": "check-config",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.db'}",
        "UPLOAD_DIR": str(tmp_path),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = subprocess.run(
        [str(gunicorn), "--check-config", "--config", str(CONFIG)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_defaults_and_environment(monkeypatch):
    settings = _settings(monkeypatch)
    assert settings["wsgi_app"] == "shop:create_app()"
    assert settings["bind"] == "127.0.0.1:8000"
    assert 1 <= settings["workers"] <= 8
    assert settings["accesslog"] == "-" and settings["errorlog"] == "-"
    assert settings["limit_request_line"] == 4094
    assert settings["limit_request_fields"] == 50
    assert 0 < settings["graceful_timeout"] <= settings["timeout"]
    # Workers fork from a loaded master, and are recycled by memory first, by count rarely.
    assert settings["preload_app"] is True
    assert settings["_MAX_WORKER_MB"] == 250
    assert settings["max_requests"] >= 10_000 and settings["max_requests_jitter"] > 0

    settings = _settings(monkeypatch, WEB_CONCURRENCY="3", PORT="5000", GUNICORN_TIMEOUT="90")
    assert settings["workers"] == 3
    assert settings["bind"] == "127.0.0.1:5000"
    assert settings["timeout"] == 90

    settings = _settings(monkeypatch, GUNICORN_PRELOAD="0", GUNICORN_MAX_WORKER_MB="0")
    assert settings["preload_app"] is False
    assert settings["_MAX_WORKER_MB"] == 0


def test_a_photo_upload_stops_starting_photos_well_before_the_worker_timeout(monkeypatch):
    # After the upload's time limit one photo at most is still decoded (a few seconds
    # for 40 megapixels); the worker timeout leaves room for that several times over.
    timeout = _settings(monkeypatch)["timeout"]
    assert timeout >= 2 * DEFAULT_UPLOAD_SECONDS + 10


def test_make_serve_and_the_readme_use_the_config():
    makefile = (ROOT / "Makefile").read_text()
    assert "gunicorn --config gunicorn.conf.py" in makefile.split("\nserve:", 1)[1].split("\n\n")[0]
    readme = (ROOT / "README.md").read_text()
    assert "gunicorn --config gunicorn.conf.py" in readme


def test_the_hooks_leave_an_app_without_the_database_alone(monkeypatch):
    """The benchmark's floor (bench/floor_app.py) is served with this configuration too:
    the shop's warm-up and after-fork hooks pass over an app that is not the shop."""
    from types import SimpleNamespace

    from flask import Flask

    settings = _settings(monkeypatch)
    server = SimpleNamespace(app=SimpleNamespace(callable=Flask("floor")))
    assert settings["_shop"](server) is None
    settings["when_ready"](server)  # would raise: the floor has no SQLAlchemy
    settings["post_fork"](server, None)
    server.app.callable = None  # not preloaded
    assert settings["_shop"](server) is None
