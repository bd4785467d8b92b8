"""Search page time at two catalog sizes, in-process, one connection (issue 14's scale target).

    .venv/bin/python -m bench.search_scale --sizes 1000,100000
    .venv/bin/python -m bench.search_scale --sizes 1000,100000 \\
        --database-url postgresql://postgres@127.0.0.1/search3_{n} --kept

Each search page of ``bench.catalog_bench`` (its search, misspelt and synonym queries)
is served through Flask's test client in a fresh process per size and round, the sizes
alternating round by round so that load from other processes falls on both alike. The
page cache is off; the catalog's facet lists are kept as in production. Without
``--kept`` nothing of a search is kept between requests (``CATALOG_SEARCH_FACET_TTL=0``:
word check, count, facets and page ids are looked up on every request); with it, each
query is asked once before timing, as a popular search finds them. Per request: this
process's CPU time (``time.process_time``: repeatable on a shared machine, but without
PostgreSQL's own work, which ``bench.search_statements`` times) and wall time (the
database's work included, but swayed by the machine's load): the median over every request
of a kind at each size and their ratio (target ≤ 1.2×). Bounded: ``--rounds`` ×
``--repeat`` requests per query and size. Databases are seeded by ``bench.catalog_bench``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench.catalog_bench import MISSPELT, SEARCHES, SYNONYMS, database_for
from bench.servers import ROOT, load_average, publish, shop_env

KINDS = {"search": SEARCHES, "misspelt": MISSPELT, "synonym": SYNONYMS}
TARGET = 1.2


def _child(database_url: str, repeat: int, kept: bool) -> dict[str, list[list[float]]]:
    """CPU and wall milliseconds of each request of each query, in this process."""
    from shop import create_app

    os.environ.update(shop_env(database_url, tempfile.gettempdir()))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-secret",
            "CATALOG_PAGE_CACHE_SECONDS": 0,
            "CATALOG_SEARCH_FACET_TTL": 60 if kept else 0,
        }
    )
    client = app.test_client()
    urls = {q: "/produk?q=" + q.replace(" ", "+") for qs in KINDS.values() for q in qs}
    for url in urls.values():  # templates, facet lists, and with --kept each search
        assert client.get(url).status_code == 200
    times: dict[str, list[list[float]]] = {q: [] for q in urls}
    for _ in range(repeat):
        for q, url in urls.items():
            cpu, wall = time.process_time(), time.perf_counter()
            response = client.get(url)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            times[q].append([cpu * 1000, wall * 1000])
            assert response.status_code == 200
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--database-url", default=None, help="with {n}, as catalog_bench's")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--kept", action="store_true", help="searches kept between requests")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.repeat, args.kept)))
        return
    small, large = (int(s) for s in args.sizes.split(","))
    urls = {n: database_for(n, 25, args.database_url) for n in (small, large)}
    load_before = load_average()
    times: dict[int, dict[str, list[list[float]]]] = {n: {} for n in urls}
    for _ in range(args.rounds):
        for n, url in urls.items():
            command = [sys.executable, "-m", "bench.search_scale", "--child", url]
            command += ["--repeat", str(args.repeat)] + (["--kept"] if args.kept else [])
            out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
            for q, ms in json.loads(out.stdout.splitlines()[-1]).items():
                times[n].setdefault(q, []).extend(ms)
    median = statistics.median
    engine = "PostgreSQL" if urls[small].startswith("postgres") else "SQLite"
    mode = "search kept (warm)" if args.kept else "nothing of a search kept"
    settings = " ".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if "CATALOG_" in k)
    lines = [
        f"#### Search page at {small:,} vs {large:,} products, {engine}, {mode} — "
        f"{dt.date.today().isoformat()}",
        "",
        f"`{settings + ' ' if settings else ''}.venv/bin/python -m bench.search_scale "
        f"{' '.join(sys.argv[1:])}` — in-process test client, one connection, "
        f"{args.rounds} rounds × {args.repeat} requests per query and size, sizes alternating "
        f"by round; load average {load_before} before, {load_average()} after.",
        "",
        f"| kind | CPU at {small:,} | CPU at {large:,} | CPU ratio | worst query (CPU) "
        f"| wall at {small:,} | wall at {large:,} | wall ratio | CPU within {TARGET}× |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def at(n: int, queries, which: int) -> float:
        return median([t[which] for q in queries for t in times[n][q]])

    for kind, queries in KINDS.items():
        a, b = at(small, queries, 0), at(large, queries, 0)
        worst = max(queries, key=lambda q: at(large, [q], 0) / at(small, [q], 0))
        w = at(large, [worst], 0) / at(small, [worst], 0)
        wa, wb = at(small, queries, 1), at(large, queries, 1)
        lines.append(
            f"| {kind} | {a:.2f} ms | {b:.2f} ms | {b / a:.2f}× | {worst} {w:.2f}× "
            f"| {wa:.2f} ms | {wb:.2f} ms | {wb / wa:.2f}× "
            f"| {'yes' if b / a <= TARGET else '**no**'} |"
        )
    publish("\n".join([*lines, ""]), args.record)


if __name__ == "__main__":
    main()
