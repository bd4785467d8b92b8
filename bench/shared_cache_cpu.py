"""CPU of a page by where it comes from: built, read from Redis (``CACHE_URL``), or kept
in the process's own memory; in-process, repeatable under load.

    .venv/bin/python -m bench.shared_cache_cpu --products 5000 [--database-url URL]

Builds the shop as ``bench.page_cpu`` does (production settings, page cache on for
``--page-cache-seconds``) with ``CACHE_URL`` at ``--redis-url`` (its database is emptied
first and last). For ``--pages`` random product pages and as many listing pages
(``/produk?hal=n``, n = 1…), each asked by a new visitor four times:

1. ``built, no CACHE_URL``: nothing kept, no Redis (as each worker does today);
2. ``built, with CACHE_URL``: nothing kept anywhere; read from Redis (a miss), built,
   written to both levels;
3. ``from Redis``: this process's page cache emptied (a worker just started, or one
   that never rendered it): read from Redis;
4. ``from memory``: asked again.

Reported per kind and step: median CPU (``time.process_time``; Redis's own CPU is
not in it) and wall time per request, statements, and the bytes Redis keeps per entry.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

from bench.catalog_bench import database_for
from bench.page_cpu import _shop, _slugs
from bench.servers import load_average

STEPS = ("built, no CACHE_URL", "built, with CACHE_URL", "from Redis", "from memory")


def _ask(client, path: str, counter: list[int]) -> tuple[float, float, int]:
    """CPU ms, wall ms and statements of one request."""
    before = counter[0]
    cpu, wall = time.process_time(), time.perf_counter()
    response = client.get(path)
    response.close()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert response.status_code == 200, (path, response.status_code)
    return cpu * 1000, wall * 1000, counter[0] - before


def measure(args) -> list[str]:
    import redis
    from sqlalchemy import event

    from shop.catalog import page_cache
    from shop.extensions import db

    store = redis.Redis.from_url(args.redis_url)
    store.flushdb()
    database_url = database_for(args.products, 25, args.database_url)
    os.environ["CACHE_URL"] = args.redis_url
    app = _shop(database_url, args.page_cache_seconds, 1)
    slugs = _slugs(app)
    rng = random.Random(13)
    counter = [0]

    def count(*_args) -> None:
        counter[0] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    client = app.test_client(use_cookies=False)
    for slug in rng.sample(slugs, 20):  # warm up: templates compiled, facets kept
        _ask(client, f"/produk/{slug}", counter)
    _ask(client, "/produk", counter)
    kinds = {
        "product": [f"/produk/{slug}" for slug in rng.sample(slugs, args.pages)],
        "listing": [f"/produk?hal={n}" for n in range(2, args.pages + 2)],
    }
    samples: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    load_before = load_average()
    for kind, paths in kinds.items():
        for path in paths:
            app.config["CACHE_URL"] = ""
            samples.setdefault((kind, STEPS[0]), []).append(_ask(client, path, counter))
            page_cache.clear()
            app.config["CACHE_URL"] = args.redis_url
            for step in STEPS[1:]:
                if step == "from Redis":
                    page_cache.clear()
                samples.setdefault((kind, step), []).append(_ask(client, path, counter))
    load_after = load_average()
    keys = list(store.scan_iter(count=1000))
    sizes = [store.strlen(key) for key in keys]
    store.flushdb()

    lines = [
        f"`{' '.join(['.venv/bin/python -m bench.shared_cache_cpu', *sys.argv[1:]])}` — "
        f"{database_url.split('://')[0]}, {args.products:,} products, {args.pages} pages of "
        f"each kind, page cache {args.page_cache_seconds:g} s; load average {load_before} "
        f"before, {load_after} after. Redis kept {len(keys)} entries, median "
        f"{statistics.median(sizes) / 1024:.1f} KB (largest {max(sizes) / 1024:.1f} KB).",
        "",
        "| page | served | CPU per request | wall per request | statements |",
        "|---|---|---|---|---|",
    ]
    for (kind, step), values in samples.items():
        cpu, wall, statements = (statistics.median(column) for column in zip(*values, strict=True))
        lines.append(f"| {kind} | {step} | {cpu:.2f} ms | {wall:.2f} ms | {statements:g} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="with {n} for the number of products")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--pages", type=int, default=100, help="of each kind")
    parser.add_argument("--page-cache-seconds", type=float, default=60)
    print("\n".join(measure(parser.parse_args())))


if __name__ == "__main__":
    main()
