"""A real multi-process server for tests: gunicorn on a free 127.0.0.1 port, plus a small
cookie-keeping HTTP client that never follows redirects (each answer is checked)."""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class GunicornServer:
    """``gunicorn 'shop:create_app()'`` with ``workers`` processes and the given environment.

    The listening socket is opened here and handed to gunicorn (``fd://``), so the port is
    free and known before the server starts. Its stderr (the shop's log) goes to ``log``.
    """

    def __init__(self, env: dict[str, str], log: Path, workers: int = 3) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._sock.set_inheritable(True)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.log = log
        self._env = {**os.environ, **env}
        self._workers = workers
        self._process: subprocess.Popen | None = None

    def start(self, ready_within: float = 30.0) -> None:
        fd = self._sock.fileno()
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed argv
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    str(self._workers),
                    "--bind",
                    f"fd://{fd}",
                    "--timeout",
                    "60",
                    "shop:create_app()",
                ],
                cwd=PROJECT_ROOT,
                env=self._env,
                pass_fds=(fd,),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)  # polling with a deadline, not synchronisation by sleeping
        self.stop()
        raise RuntimeError(f"gunicorn not ready in {ready_within}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._sock.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    location: str
    text: str


class Browser:
    """One visitor: keeps cookies, sends forms, reports every answer as it came."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310 - http only
        try:
            with self._opener.open(req, timeout=self.timeout) as answer:
                status, headers, raw = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, headers, raw = error.code, error.headers, error.read()
        location = headers.get("Location", "") or ""
        return Answer(status, urllib.parse.urlsplit(location).path, raw.decode("utf-8", "replace"))

    def get(self, path: str) -> Answer:
        return self.request(path)

    def post(self, path: str, data: dict) -> Answer:
        return self.request(path, data)
