"""Every statement of the catalog listing, per filter × sort, at page 1, 100 and the last.

    .venv/bin/python -m bench.deep_pages --products 50000
    .venv/bin/python -m bench.deep_pages --products 50000 \\
        --database-url postgresql://postgres@127.0.0.1/deep_bench

Seeds a benchmark database when it has no products yet (as ``bench.catalog_bench``
does: a SQLite file under ``bench/out/`` by default, ``--database-url`` for another,
created when missing), builds the shop with production settings and the page cache off,
and asks ``/produk`` through Flask's test client in this process for each filter (none,
the largest category, the largest facility, the largest province, a price band, the
category with the band, a range typed across two bands) × each sort of the listing ×
page 1, 100 and the last page. Each statement the request issues is timed (wall clock,
cursor execute to fetched result); the report gives the slowest statement of each
combination (median of ``--rounds`` runs) and the plan (EXPLAIN, or EXPLAIN ANALYZE on
PostgreSQL) of every statement over ``--budget-ms``. The facet lists keep their usual
cache (``CATALOG_FACET_TTL``), so what is timed is what a visitor's request runs once they are warm.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from urllib.parse import urlencode

from bench.catalog_bench import database_for
from bench.servers import load_average, shop_env

SORTS = ("terbaru", "harga_naik", "harga_turun")
# The page's link to a price band (the band's index serves it), and a range typed across
# two bands (no index gives it in order: newest first skips what is outside the range).
BAND = {"harga_min": 100_000, "harga_max": 249_999}
ACROSS_BANDS = {"harga_min": 100_000, "harga_max": 250_000}
LAST = 1_000_000  # a page past the end answers the last page


def _shop(database_url: str):
    from shop import create_app
    from shop.i18n import compile_catalogs

    compile_catalogs()
    os.environ.update(shop_env(database_url, tempfile.gettempdir()))
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-secret",
            "SITE_URL": "http://127.0.0.1",
            "SESSION_COOKIE_SECURE": False,
            "CATALOG_PAGE_CACHE_SECONDS": 0,
        }
    )


def _filters(app) -> dict[str, dict[str, str | int]]:
    """The filters measured: each picks the largest of its kind (the deepest pages)."""
    from shop.catalog import services

    with app.app_context():
        category = max(services.category_facets(), key=lambda c: c.count).slug
        facility = max(services.facility_facets(), key=lambda f: f.count).slug
        province = max(services.province_facets(), key=lambda p: p.count).name
    return {
        "none": {},
        "category": {"kategori": category},
        "facility": {"fasilitas": facility},
        "province": {"provinsi": province},
        "price band": dict(BAND),
        "category + band": {"kategori": category, **BAND},
        "typed range across bands": dict(ACROSS_BANDS),
    }


class StatementTimer:
    """Times every statement the engine runs while ``on``: (sql, params, ms) in order."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.engine = engine
        self.on = False
        self.records: list[tuple[str, object, float]] = []
        self._start: dict[int, float] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._start[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = self._start.pop(id(cursor), None)
        if self.on and started is not None:
            self.records.append((statement, parameters, (time.perf_counter() - started) * 1e3))


def _explain(engine, statement: str, parameters) -> str:
    prefix = "EXPLAIN ANALYZE " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, parameters).fetchall()
    if engine.dialect.name == "postgresql":
        return "\n".join(row[0] for row in rows)
    return "\n".join(f"{'  ' * (row[1] > 0)}{row[-1]}" for row in rows)


def measure(args) -> list[str]:
    database_url = database_for(args.products, args.facilities, args.database_url)
    app = _shop(database_url)
    from shop.extensions import db

    with app.app_context():
        engine = db.engine
    timer = StatementTimer(engine)
    client = app.test_client(use_cookies=False)
    combos = [
        (name, sort, page, {**filters, "urut": sort, "hal": page})
        for name, filters in _filters(app).items()
        for sort in SORTS
        for page in (1, 100, LAST)
    ]
    for *_, params in combos:  # warm up: templates, statement caches, facet lists
        client.get("/produk?" + urlencode(params)).close()
    samples: dict[int, list[list[tuple[str, object, float]]]] = {}
    load_before = load_average()
    for _round in range(args.rounds):
        for i, (*_, params) in enumerate(combos):
            timer.records = []
            timer.on = True
            response = client.get("/produk?" + urlencode(params))
            timer.on = False
            assert response.status_code == 200, (params, response.status_code)
            response.close()
            samples.setdefault(i, []).append(timer.records)
    load_after = load_average()

    engine_name = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    lines = [
        f"### Deep listing pages, every statement, {engine_name}, {args.products:,} products — "
        f"{dt.date.today().isoformat()}",
        "",
        f"`{' '.join(['.venv/bin/python -m bench.deep_pages', *sys.argv[1:]])}` — code at "
        f"`{args.label}`; page cache off, median of {args.rounds} runs per statement; "
        f"load average {load_before} before, {load_after} after. Budget "
        f"{args.budget_ms:g} ms per statement.",
        "",
        "| filter | sort | page | statements | slowest statement | over budget |",
        "|---|---|---|---|---|---|",
    ]
    slow: list[tuple[str, str, float, str, object]] = []
    misses = 0
    for i, (name, sort, page, _params) in enumerate(combos):
        runs = samples[i]
        count = min(len(r) for r in runs)
        medians = [statistics.median(r[k][2] for r in runs) for k in range(count)]
        worst = max(range(count), key=lambda k: medians[k]) if count else None
        ms = medians[worst] if worst is not None else 0.0
        over = ms > args.budget_ms
        misses += over and page == 100
        shown = "last" if page == LAST else str(page)
        lines.append(
            f"| {name} | {sort} | {shown} | {count} | {ms:.2f} ms | {'**yes**' if over else ''} |"
        )
        if over and worst is not None:
            statement, parameters, _ms = runs[0][worst]
            slow.append((f"{name} / {sort} / page {shown}", statement, ms, statement, parameters))
    lines += ["", f"Over budget at page 100: {misses} of {len(combos) // 3} combinations."]
    if slow:
        lines += ["", "Plans of the statements over budget:", ""]
        seen: set[str] = set()
        for label, statement, ms, _s, parameters in slow:
            plan = _explain(engine, statement, parameters)
            key = statement + plan.split("\n")[0]
            lines += [f"- {label}: {ms:.2f} ms", "", "```", " ".join(statement.split())]
            lines += ["--", plan if key not in seen else "(same plan as above)", "```", ""]
            seen.add(key)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--facilities", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--budget-ms", type=float, default=5.0)
    parser.add_argument("--database-url", help="e.g. postgresql://postgres@127.0.0.1/deep_bench")
    parser.add_argument("--label", default="working tree")
    parser.add_argument("--out", help="also write the report to this file")
    args = parser.parse_args()
    report = "\n".join(measure(args)) + "\n"
    print(report)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(report)


if __name__ == "__main__":
    main()
