"""Worker memory and cold workers under load: gunicorn with the shop's gunicorn.conf.py.

    .venv/bin/python -m bench.worker_rss --products 5000 --seconds 30 [--database-url URL]
    GUNICORN_PRELOAD=0 .venv/bin/python -m bench.worker_rss ...   # the old way, to compare

Serves the shop with ``gunicorn.conf.py`` (2 workers) on the benchmark database of
``bench.catalog_bench`` and drives it with wrk (16 connections) over a mix of the home
page, catalog pages, product pages and searches (``--pages mix``; ``listing``: catalog
and search pages only; ``products``: 300 product pages at random), twice:

1. ``memory``: no recycling (``GUNICORN_MAX_REQUESTS=0``); afterwards each worker's peak
   RSS (``VmHWM``), RSS and PSS (``/proc/<pid>/smaps_rollup``: shared pages divided
   among the processes sharing them) and the master's.
2. ``recycling``: ``--max-requests`` small enough that workers are replaced during the
   run (jitter 10%); the p50/p99 of the run and how many workers were started.

Every setting the run used is printed with the results, with the load average.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from bench.catalog_bench import SEARCHES, UPLOADS, database_for
from bench.http_load import LoadResult, run_wrk
from bench.servers import BIN, ROOT, load_average, scalar_rows, shop_env

WORKERS = 2


def _paths(url: str, pages: str) -> list[str]:
    """``listing``: catalog and search pages (kept in the page cache, so a request costs
    little and a cold worker's start shows); ``mix``: those, the home page and 100 product
    pages; ``products``: 300 product pages taken at random (each worker keeps them all;
    without a shared cache each worker renders every one itself)."""
    if pages == "products":
        slugs = scalar_rows(url, "SELECT slug FROM product WHERE status = 'active'")
        return [f"/produk/{slug}" for slug in random.Random(13).sample(slugs, 300)]
    paths = [f"/produk?hal={n}" for n in range(1, 11)]
    paths += ["/produk?q=" + term.replace(" ", "+") for term in SEARCHES]
    if pages == "listing":
        return paths
    slugs = scalar_rows(
        url, "SELECT slug FROM product WHERE status = 'active' ORDER BY id DESC LIMIT 100"
    )
    return ["/", *paths] + [f"/produk/{slug}" for slug in slugs]


def _status(pid: int) -> dict[str, int]:
    """``VmRSS``/``VmHWM`` (kB) from /proc/<pid>/status and ``Pss`` from smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key == "Pss":
            fields["Pss"] = int(value.split()[0])
    return fields


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


class _Server:
    """gunicorn with gunicorn.conf.py (read from the project root) on a free port."""

    def __init__(self, env: dict[str, str]) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"],
            env={**env, "GUNICORN_LOG_LEVEL": "warning"},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)  # polling for readiness with a deadline

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _watch_workers(master: int, stop: threading.Event, seen: set[int]) -> None:
    while not stop.is_set():
        with contextlib.suppress(OSError):
            seen.update(_children(master))
        stop.wait(0.05)


def _load(server: _Server, paths: list[str], seconds: int) -> tuple[LoadResult, int]:
    """wrk for ``seconds``; the result and how many worker processes served during it."""
    seen: set[int] = set()
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_workers, args=(server.process.pid, stop, seen))
    watcher.start()
    try:
        result = run_wrk(server.url, paths, connections=16, seconds=seconds)
    finally:
        stop.set()
        watcher.join()
    return result, len(seen)


def memory_run(env: dict[str, str], paths: list[str], seconds: int) -> list[str]:
    server = _Server({**env, "GUNICORN_MAX_REQUESTS": "0"})
    try:
        result, _started = _load(server, paths, seconds)
        master = server.process.pid
        rows = [
            f"| worker {n} | {s['VmHWM'] / 1024:.0f} | {s['VmRSS'] / 1024:.0f} | "
            f"{s['Pss'] / 1024:.0f} |"
            for n, s in enumerate((_status(pid) for pid in _children(master)), 1)
        ]
        s = _status(master)
        rows.append(
            f"| master | {s['VmHWM'] / 1024:.0f} | {s['VmRSS'] / 1024:.0f} | "
            f"{s['Pss'] / 1024:.0f} |"
        )
    finally:
        server.stop()
    return [
        f"memory after {seconds} s of wrk -c16 ({result.row()}):",
        "",
        "| process | peak RSS (VmHWM) MB | RSS MB | PSS MB |",
        "|---|---|---|---|",
        *rows,
    ]


def recycling_run(env: dict[str, str], paths: list[str], seconds: int, every: int) -> list[str]:
    jitter = str(max(1, every // 10))
    server = _Server(
        {**env, "GUNICORN_MAX_REQUESTS": str(every), "GUNICORN_MAX_REQUESTS_JITTER": jitter}
    )
    try:
        # Both first workers have served a page before the clock starts.
        run_wrk(server.url, paths, connections=2, seconds=1)
        result, started = _load(server, paths, seconds)
    finally:
        server.stop()
    return [
        f"recycling every {every} ± {jitter} requests, {seconds} s of wrk -c16: "
        f"{result.requests_per_s:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, {result.errors} errors, {started} worker processes"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--facilities", type=int, default=25)
    parser.add_argument("--database-url", help="as bench.catalog_bench's ({n}: the size)")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--max-requests", type=int, default=500)
    parser.add_argument("--runs", default="memory,recycling")
    parser.add_argument("--pages", choices=("mix", "listing", "products"), default="mix")
    args = parser.parse_args()
    url = database_for(args.products, args.facilities, args.database_url)
    env = shop_env(url, str(UPLOADS))
    paths = _paths(url, args.pages)
    settings = {k: v for k, v in sorted(os.environ.items()) if k.startswith("GUNICORN_")}
    lines = [
        f"tree {ROOT}, {url.split('://')[0]}, {args.products} products, {args.pages} pages, "
        f"{WORKERS} workers, "
        f"settings {settings or 'default'}, load average before {load_average()}"
    ]
    if "memory" in args.runs:
        lines += memory_run(env, paths, args.seconds)
    if "recycling" in args.runs:
        lines += recycling_run(env, paths, args.seconds, args.max_requests)
    lines.append(f"load average after {load_average()}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
