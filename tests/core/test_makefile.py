"""The two commands on a fresh machine: `make run` links to its own port, `make test`
installs the browser the e2e tests need."""

from __future__ import annotations

import os
import subprocess

from shop.config import PROJECT_ROOT


def _make(*args: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "MAKEFLAGS")}
    result = subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=PROJECT_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _run_line(output: str) -> str:
    return next(line for line in output.splitlines() if " run --host " in line)


def test_make_run_links_to_the_port_it_serves_on():
    line = _run_line(_make("-n", "run", "PORT=8123"))
    assert line.startswith("SITE_URL='http://127.0.0.1:8123' ") and line.endswith("--port 8123")
    assert "SITE_URL='http://127.0.0.1:5000' " in _run_line(_make("-n", "run"))


def test_make_run_keeps_a_site_url_that_is_set():
    line = _run_line(_make("-n", "run", "PORT=8123", SITE_URL="https://karyabinaan.id"))
    assert line.startswith("SITE_URL='https://karyabinaan.id' ")


def test_make_test_installs_chromium_only_when_missing():
    # SUDO=echo prints the apt-get commands instead of running them.
    missing = _make("chromium", "CHROMIUM=/nonexistent/chromium", "SUDO=echo")
    assert "apt-get update -qq" in missing
    assert "apt-get install -y -qq chromium" in missing
    assert _make("chromium", "CHROMIUM=/bin/sh", "SUDO=echo") == ""
    assert "chromium" in _make("-n", "test").split("pytest")[0]  # a prerequisite of test
