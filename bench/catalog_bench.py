"""Catalog, search and product pages under load, beside the framework's floor.

    .venv/bin/python -m bench.catalog_bench --products 50000 --seconds 10

Seeds a benchmark database per size when it does not exist yet (kept under
``bench/out/``), serves the shop with gunicorn and a minimal Flask app rendering static
pages of the same size (``bench/floor_app.py``), drives both with wrk on 127.0.0.1 and
prints a Markdown report (``--record`` appends it to bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.http_load import run_wrk
from bench.servers import ROOT, fetch, flask, gunicorn, shop_env

OUT = ROOT / "bench" / "out"
SEARCHES = ["batik tulis", "tas rotan", "kain tenun", "kayu jati", "dompet kulit", "bat"]

TARGET_SHARE = 0.60
TARGET_P99_MS = 25.0
TARGET_SCALE = 1.2


def database_for(products: int, facilities: int) -> tuple[str, str]:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"catalog_{products}.db"
    uploads = OUT / "uploads"
    url = f"sqlite:///{path}"
    if not path.exists():
        print(f"seeding {products} products into {path} …", flush=True)
        env = shop_env(url, str(uploads))
        flask(["db", "upgrade"], env)
        flask(["seed-demo", "--facilities", str(facilities), "--products", str(products)], env)
    return url, str(uploads)


def page_paths(database_url: str) -> dict[str, list[str]]:
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
        slugs = [
            row[0]
            for row in conn.execute(
                "SELECT slug FROM product WHERE status = 'active' ORDER BY id DESC LIMIT 200"
            )
        ]
    return {
        "catalog": [f"/produk?hal={page}" for page in range(1, 21)],
        "search": ["/produk?q=" + term.replace(" ", "+") for term in SEARCHES],
        "product": [f"/produk/{slug}" for slug in slugs],
    }


def measure(args) -> list[str]:
    url, uploads = database_for(args.products, args.facilities)
    paths = page_paths(url)
    lines = [
        f"### Catalog pages with {args.products:,} products — {dt.date.today().isoformat()}",
        "",
        f"`{' '.join(['python -m bench.catalog_bench', *sys.argv[1:]])}` — gunicorn "
        f"{args.workers} sync workers, wrk {args.connections} connections, "
        f"{args.seconds} s per run, 2-core machine, SQLite.",
        "",
        "| page | shop req/s | shop p50 | shop p99 | floor req/s | floor p99 | share of floor "
        "| target met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    env = shop_env(url, uploads)
    with tempfile.TemporaryDirectory() as pages_dir:
        with gunicorn("shop:create_app()", env, args.workers) as shop_url:
            for name, group in paths.items():
                Path(pages_dir, f"{name}.html").write_text(fetch(shop_url + group[0]))
            results = {
                name: run_wrk(shop_url, group, connections=args.connections, seconds=args.seconds)
                for name, group in paths.items()
            }
        floor_env = dict(env, FLOOR_PAGES=pages_dir)
        with gunicorn("bench.floor_app:app", floor_env, args.workers, "/catalog") as floor_url:
            floors = {
                name: run_wrk(
                    floor_url, [f"/{name}"], connections=args.connections, seconds=args.seconds
                )
                for name in paths
            }
    for name in paths:
        shop, floor = results[name], floors[name]
        share = shop.requests_per_s / floor.requests_per_s
        met = share >= TARGET_SHARE and shop.p99_ms <= TARGET_P99_MS and shop.errors == 0
        lines.append(
            f"| {name} | {shop.requests_per_s:.0f} | {shop.p50_ms:.1f} ms | {shop.p99_ms:.1f} ms "
            f"| {floor.requests_per_s:.0f} | {floor.p99_ms:.1f} ms | {share:.0%} "
            f"| {'yes' if met else '**no**'}{f' ({shop.errors} errors)' if shop.errors else ''} |"
        )
    lines += [
        "",
        f"Targets: ≥ {TARGET_SHARE:.0%} of the floor's requests/s and p99 ≤ {TARGET_P99_MS:g} ms "
        f"at {args.connections} connections (both are required for 'yes').",
        "",
    ]
    return lines


def measure_scale(args) -> list[str]:
    small, large = args.scale
    p50 = {}
    for size in (small, large):
        url, uploads = database_for(size, min(args.facilities, max(3, size // 12)))
        paths = page_paths(url)
        with gunicorn("shop:create_app()", shop_env(url, uploads), args.workers) as shop_url:
            p50[size] = {
                name: run_wrk(shop_url, group, connections=4, seconds=args.seconds)
                for name, group in paths.items()
            }
    lines = [
        f"### Page time at {small:,} vs {large:,} products — {dt.date.today().isoformat()}",
        "",
        f"`{' '.join(['python -m bench.catalog_bench', *sys.argv[1:]])}` — wrk 4 connections, "
        f"{args.seconds} s per run.",
        "",
        f"| page | p50 at {small:,} | p50 at {large:,} | ratio | p99 at {small:,} "
        f"| p99 at {large:,} | within {TARGET_SCALE}× |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in p50[small]:
        a, b = p50[small][name], p50[large][name]
        ratio = b.p50_ms / a.p50_ms
        lines.append(
            f"| {name} | {a.p50_ms:.2f} ms | {b.p50_ms:.2f} ms | {ratio:.2f}× | {a.p99_ms:.2f} ms "
            f"| {b.p99_ms:.2f} ms | {'yes' if ratio <= TARGET_SCALE else '**no**'} |"
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
        "--scale",
        type=lambda s: tuple(int(x) for x in s.split(",")),
        default=None,
        help="e.g. 1000,100000: compare page times at two catalog sizes instead",
    )
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    lines = measure_scale(args) if args.scale else measure(args)
    report = "\n".join(lines)
    print(report)
    if args.record:
        with (ROOT / "bench" / "RESULTS.md").open("a") as results:
            results.write("\n" + report + "\n")


if __name__ == "__main__":
    main()
