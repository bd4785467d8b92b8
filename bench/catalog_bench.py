"""Catalog, search and product pages under load, beside the framework's floor.

    .venv/bin/python -m bench.catalog_bench --products 50000 --seconds 10
    .venv/bin/python -m bench.catalog_bench --products 50000 \\
        --database-url postgresql://postgres@127.0.0.1/kb_perf_{n}
    .venv/bin/python -m bench.catalog_bench --scale 1000,100000
    .venv/bin/python -m bench.catalog_bench --under-load --products 100000 --workers 2

Seeds a benchmark database per size when it has no products yet (SQLite files under
``bench/out/`` by default; ``--database-url`` with ``{n}`` for the size selects another
database, e.g. PostgreSQL, created when missing), upgrades it to the current migrations,
serves the shop with gunicorn (production settings) and a minimal Flask app rendering
static pages of the same size (``bench/floor_app.py``), warms both up, then drives them
with wrk on 127.0.0.1, shop and floor alternating page by page so that load from other
processes on the machine falls on both alike. ``--under-load`` instead drives the
catalog page and the search pages of one database at ``--connections`` (16), in
``--rounds`` rounds of catalog, search, misspelt, synonym, and compares each search
page's p50 and p99 with the catalog page's (issue 14: "p99 under load stays within the
catalog's"). Prints a Markdown report (``--record`` appends it to bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.http_load import LoadResult, run_wrk
from bench.servers import (
    ROOT,
    ensure_postgres_database,
    fetch,
    flask,
    gunicorn,
    load_average,
    publish,
    scalar_rows,
    shop_env,
    vacuum_analyze,
)

OUT = ROOT / "bench" / "out"
UPLOADS = OUT / "uploads"
# One narrow search (two words), the broad ones (a common word, a 3-letter prefix).
SEARCHES = ["batik tulis", "batik", "bat", "tas rotan", "kain tenun", "kayu jati"]
# Issue 14: misspelt words (corrected to the catalog's) and English words (synonyms).
MISSPELT = ["battik", "tennun", "selndang", "keranjng rotan", "kayy jati"]
SYNONYMS = ["bag", "scarf", "wood", "rattan basket", "shirt", "cloth"]
PAGES = ("catalog", "search", "product", "misspelt", "synonym")
WARM_UP_SECONDS = 2

TARGET_SHARE = 0.60
TARGET_P99_MS = 25.0
TARGET_SCALE = 1.2


def database_for(products: int, facilities: int, url_template: str | None) -> str:
    """URL of a database holding ``products`` demo products, seeded and migrated."""
    if url_template:
        url = url_template.replace("{n}", str(products))
        if url.startswith("postgres"):
            ensure_postgres_database(url)
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{OUT / f'catalog_{products}.db'}"
    env = shop_env(url, str(UPLOADS))
    flask(["db", "upgrade"], env)  # also brings an older benchmark database up to date
    if not scalar_rows(url, "SELECT count(*) FROM product")[0]:
        print(f"seeding {products} products into {url} …", flush=True)
        # No demo orders: they go through the real checkout one by one and change
        # nothing the catalog pages show beyond a few allocated items.
        seed = ["seed-demo", "--facilities", str(facilities), "--products", str(products)]
        flask([*seed, "--orders", "0"], env)
    found = scalar_rows(url, "SELECT count(*) FROM product")[0]
    if found != products:
        raise SystemExit(f"{url} holds {found} products, not {products}: drop it and rerun")
    vacuum_analyze(url)
    return url


def page_paths(database_url: str) -> dict[str, list[str]]:
    slugs = scalar_rows(
        database_url, "SELECT slug FROM product WHERE status = 'active' ORDER BY id DESC LIMIT 200"
    )
    return {
        "catalog": [f"/produk?hal={page}" for page in range(1, 21)],
        "search": ["/produk?q=" + term.replace(" ", "+") for term in SEARCHES],
        "misspelt": ["/produk?q=" + term.replace(" ", "+") for term in MISSPELT],
        "synonym": ["/produk?q=" + term.replace(" ", "+") for term in SYNONYMS],
        "product": [f"/produk/{slug}" for slug in slugs],
    }


def check_pages(base_url: str, paths: dict[str, list[str]]) -> dict[str, str]:
    """Fetch every path once (each must answer 200); the first page of each kind."""
    first = {}
    for name, group in paths.items():
        bodies = [fetch(base_url + path) for path in group]
        first[name] = bodies[0]
    return first


def warm_up(base_url: str, paths: dict[str, list[str]], connections: int) -> None:
    """Let every worker compile its templates and fill its facet cache first."""
    every = [path for group in paths.values() for path in group]
    run_wrk(base_url, every, connections=connections, seconds=WARM_UP_SECONDS)


def _engine_name(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


def _command() -> str:
    """The command line, with the shop settings from the environment that change results."""
    settings = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("CATALOG_")]
    return " ".join([*settings, ".venv/bin/python -m bench.catalog_bench", *sys.argv[1:]])


def measure(args) -> list[str]:
    url = database_for(args.products, args.facilities, args.database_url)
    paths = {name: group for name, group in page_paths(url).items() if name in args.pages}
    env = shop_env(url, str(UPLOADS))
    load_before = load_average()
    results: dict[str, LoadResult] = {}
    floors: dict[str, LoadResult] = {}
    with (
        tempfile.TemporaryDirectory() as pages_dir,
        gunicorn("shop:create_app()", env, args.workers) as shop_url,
    ):
        for name, body in check_pages(shop_url, paths).items():
            Path(pages_dir, f"{name}.html").write_text(body)
        floor_env = dict(env, FLOOR_PAGES=pages_dir)
        with gunicorn("bench.floor_app:app", floor_env, args.workers, "/catalog") as floor_url:
            warm_up(shop_url, paths, args.connections)
            warm_up(floor_url, {name: [f"/{name}"] for name in paths}, args.connections)
            for name, group in paths.items():
                results[name] = run_wrk(
                    shop_url, group, connections=args.connections, seconds=args.seconds
                )
                floors[name] = run_wrk(
                    floor_url, [f"/{name}"], connections=args.connections, seconds=args.seconds
                )
    lines = [
        f"### Catalog pages with {args.products:,} products, {_engine_name(url)}, "
        f"{args.workers} workers — {dt.date.today().isoformat()}",
        "",
        f"`{_command()}` — gunicorn {args.workers} sync workers, wrk {args.connections} "
        f"connections, {args.seconds} s per run (after a {WARM_UP_SECONDS} s warm-up), shop "
        f"and floor alternating page by page; 2-core machine shared with wrk; load average "
        f"{load_before} before, {load_average()} after.",
        "",
        "| page | shop req/s | shop p50 | shop p99 | floor req/s | floor p50 | floor p99 "
        "| share of floor | ≥ 60% and p99 ≤ 25 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in paths:
        shop, floor = results[name], floors[name]
        share = shop.requests_per_s / floor.requests_per_s
        met = share >= TARGET_SHARE and shop.p99_ms <= TARGET_P99_MS and shop.errors == 0
        lines.append(
            f"| {name} | {shop.requests_per_s:.0f} | {shop.p50_ms:.1f} ms | {shop.p99_ms:.1f} ms "
            f"| {floor.requests_per_s:.0f} | {floor.p50_ms:.1f} ms | {floor.p99_ms:.1f} ms "
            f"| {share:.0%} | {'yes' if met else '**no**'}"
            f"{f' ({shop.errors} errors)' if shop.errors else ''} |"
        )
    lines += [
        "",
        f"Target (issue 2, catalog page): ≥ {TARGET_SHARE:.0%} of the floor's requests/s and "
        f"p99 ≤ {TARGET_P99_MS:g} ms at 16 connections; search and product pages are shown "
        "against the same bar.",
        "",
    ]
    return lines


def measure_scale(args) -> list[str]:
    """The same pages at two catalog sizes, both servers up, runs alternating."""
    small, large = args.scale
    urls = {
        size: database_for(size, min(args.facilities, max(3, size // 12)), args.database_url)
        for size in (small, large)
    }
    paths = {size: page_paths(url) for size, url in urls.items()}
    paths = {
        size: {name: group for name, group in by_page.items() if name in args.pages}
        for size, by_page in paths.items()
    }
    connections = args.scale_connections
    load_before = load_average()
    times: dict[int, dict[str, LoadResult]] = {small: {}, large: {}}
    with (
        gunicorn("shop:create_app()", shop_env(urls[small], str(UPLOADS)), args.workers) as a,
        gunicorn("shop:create_app()", shop_env(urls[large], str(UPLOADS)), args.workers) as b,
    ):
        bases = {small: a, large: b}
        for size, base in bases.items():
            check_pages(base, paths[size])
            warm_up(base, paths[size], connections)
        for name in paths[small]:
            for size, base in bases.items():
                times[size][name] = run_wrk(
                    base, paths[size][name], connections=connections, seconds=args.seconds
                )
    lines = [
        f"### Page time at {small:,} vs {large:,} products, {_engine_name(urls[small])} — "
        f"{dt.date.today().isoformat()}",
        "",
        f"`{_command()}` — gunicorn {args.workers} sync workers, wrk {connections} "
        f"connection{'s' if connections > 1 else ''} (page time without queueing), "
        f"{args.seconds} s per run, the two sizes alternating page by page; load average "
        f"{load_before} before, {load_average()} after.",
        "",
        f"| page | p50 at {small:,} | p50 at {large:,} | ratio | p99 at {small:,} "
        f"| p99 at {large:,} | req/s at {small:,} | req/s at {large:,} "
        f"| p50 within {TARGET_SCALE}× |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in times[small]:
        a, b = times[small][name], times[large][name]
        ratio = b.p50_ms / a.p50_ms
        errors = a.errors + b.errors
        lines.append(
            f"| {name} | {a.p50_ms:.2f} ms | {b.p50_ms:.2f} ms | {ratio:.2f}× | {a.p99_ms:.2f} ms "
            f"| {b.p99_ms:.2f} ms | {a.requests_per_s:.0f} | {b.requests_per_s:.0f} "
            f"| {'yes' if ratio <= TARGET_SCALE and not errors else '**no**'}"
            f"{f' ({errors} errors)' if errors else ''} |"
        )
    return [*lines, ""]


def measure_under_load(args) -> list[str]:
    """Catalog and search pages of one database at ``args.connections``, rounds alternating
    page by page; the median over rounds of each page's p50 and p99."""
    url = database_for(args.products, args.facilities, args.database_url)
    pages = [name for name in ("catalog", "search", "misspelt", "synonym") if name in args.pages]
    paths = {name: group for name, group in page_paths(url).items() if name in pages}
    load_before = load_average()
    runs: dict[str, list[LoadResult]] = {name: [] for name in pages}
    with gunicorn("shop:create_app()", shop_env(url, str(UPLOADS)), args.workers) as base:
        check_pages(base, paths)
        warm_up(base, paths, args.connections)
        for _ in range(args.rounds):
            for name in pages:
                runs[name].append(
                    run_wrk(base, paths[name], connections=args.connections, seconds=args.seconds)
                )
    median = statistics.median
    p50 = {name: median([r.p50_ms for r in results]) for name, results in runs.items()}
    p99 = {name: median([r.p99_ms for r in results]) for name, results in runs.items()}
    lines = [
        f"### Search vs catalog under load, {args.products:,} products, {_engine_name(url)}, "
        f"{args.workers} workers — {dt.date.today().isoformat()}",
        "",
        f"`{_command()}` — gunicorn {args.workers} sync workers, wrk {args.connections} "
        f"connections, {args.seconds} s per run, {args.rounds} rounds of "
        f"{', '.join(pages)} in turn (after a {WARM_UP_SECONDS} s warm-up), median over the "
        f"rounds; load average {load_before} before, {load_average()} after.",
        "",
        "| page | req/s | p50 | p99 | p99 of each round | p50 / catalog's | p99 / catalog's "
        "| p99 within the catalog's |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in pages:
        results = runs[name]
        errors = sum(r.errors for r in results)
        rate = median([r.requests_per_s for r in results])
        each = ", ".join(f"{r.p99_ms:.0f}" for r in results)
        if name == "catalog" or "catalog" not in p99:
            verdict, r50, r99 = "—", "—", "—"
        else:
            r50 = f"{p50[name] / p50['catalog']:.2f}×"
            r99 = f"{p99[name] / p99['catalog']:.2f}×"
            verdict = "yes" if p99[name] <= p99["catalog"] and not errors else "**no**"
        lines.append(
            f"| {name} | {rate:.0f} | {p50[name]:.1f} ms | {p99[name]:.1f} ms | {each} ms "
            f"| {r50} | {r99} | {verdict}{f' ({errors} errors)' if errors else ''} |"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--facilities", type=int, default=25)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=None,
        help="database per size, {n} = number of products, e.g. "
        "postgresql://postgres@127.0.0.1/kb_perf_{n} (default: SQLite under bench/out/)",
    )
    parser.add_argument(
        "--pages",
        type=lambda s: tuple(s.split(",")),
        default=PAGES,
        help="which pages to measure, e.g. catalog (default: catalog,search,product)",
    )
    parser.add_argument(
        "--scale",
        type=lambda s: tuple(int(x) for x in s.split(",")),
        default=None,
        help="e.g. 1000,100000: compare page times at two catalog sizes instead",
    )
    parser.add_argument("--scale-connections", type=int, default=1)
    parser.add_argument(
        "--under-load",
        action="store_true",
        help="catalog vs search pages at --connections on one database (p50/p99 ratios)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds of --under-load")
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    if unknown := set(args.pages) - set(PAGES):
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    if args.under_load:
        lines = measure_under_load(args)
    else:
        lines = measure_scale(args) if args.scale else measure(args)
    publish("\n".join(lines), args.record)


if __name__ == "__main__":
    main()
