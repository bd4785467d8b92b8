"""Network faults for tests: a port where nothing listens, a server that never answers."""

from __future__ import annotations

import socket
import threading


def closed_port() -> int:
    """A 127.0.0.1 port where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SilentServer:
    """Accepts every connection on 127.0.0.1 and never sends a byte (a hung SMTP server,
    a Stripe that stopped answering). Use as a context manager."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                conn, _addr = self._sock.accept()
            except OSError:
                return  # closed
            self.accepted.append(conn)

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._sock.close()
        for conn in self.accepted:
            conn.close()
        self._thread.join(timeout=5)
