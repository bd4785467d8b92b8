"""Each statement of an uncached search page, timed in-process (and explained on PostgreSQL).

    .venv/bin/python -m bench.search_statements --database-url sqlite:////tmp/search_bench/catalog_100000.db
    .venv/bin/python -m bench.search_statements \\
        --database-url postgresql://postgres@127.0.0.1/search_bench_100000 --explain batik

Builds the shop on an already seeded database (``bench.catalog_bench`` seeds them) with
the search counts cache off (``facet_ttl=0``; ``--kept``: on, each search asked once
before, so what a warm search still reads), renders nothing: it calls the listing
service for each query once to record the statements it issues, then executes each of
them again ``--rounds`` times on one connection and prints the median per statement
(the statement's first words name it), and the sum of those medians per query and per
kind of query (search, misspelt, synonym). ``--explain`` prints PostgreSQL's EXPLAIN
(ANALYZE, BUFFERS) of the statements of the given queries. Bounded: a few queries,
a few rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from bench.catalog_bench import MISSPELT, SEARCHES, SYNONYMS
from bench.servers import load_average, shop_env


def _app(database_url: str):
    from shop import create_app

    os.environ.update(shop_env(database_url, tempfile.gettempdir()))
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret"})


def _label(statement: str) -> str:
    words = " ".join(statement.split())
    for name, marker in (
        ("estimate", "EXPLAIN"),
        ("facets+count", "UNION ALL SELECT 'f'"),
        ("near counts", " AS key"),
        ("word check", "search_term"),
        ("cards", "product_photo"),
    ):
        if marker in words:
            return name
    if "FROM product_fts" in words or "@@" in words:
        return "page ids"
    return "other"


def _recorded(app, q: str, kept: bool) -> list[tuple[str, object]]:
    from sqlalchemy import event

    from shop.catalog.services import ListingQuery, list_products
    from shop.extensions import db

    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    ttl = 60 if kept else 0
    with app.app_context():
        engine = db.engine
        list_products(ListingQuery(q=q), 24, facet_ttl=ttl)
        event.listen(engine, "before_cursor_execute", record)
        try:
            list_products(ListingQuery(q=q), 24, facet_ttl=ttl)
        finally:
            event.remove(engine, "before_cursor_execute", record)
            db.session.rollback()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--queries", default=",".join([*SEARCHES, *MISSPELT, *SYNONYMS]))
    parser.add_argument("--explain", default="", help="queries to EXPLAIN ANALYZE (comma list)")
    parser.add_argument("--kept", action="store_true", help="what a search kept still reads")
    args = parser.parse_args()
    app = _app(args.database_url)
    from shop.extensions import db

    print(f"load average {load_average()} before")
    explain = {q for q in args.explain.split(",") if q}
    print("| query | statement | median ms |\n|---|---|---|")
    totals: dict[str, float] = {}
    for q in args.queries.split(","):
        statements = _recorded(app, q, args.kept)
        totals[q] = 0.0
        with app.app_context():
            raw = db.engine.raw_connection()
            try:
                cursor = raw.cursor()
                for statement, parameters in statements:
                    times = []
                    for _ in range(args.rounds):
                        start = time.perf_counter()
                        cursor.execute(statement, parameters)
                        cursor.fetchall()
                        times.append((time.perf_counter() - start) * 1000)
                    totals[q] += statistics.median(times)
                    print(f"| {q} | {_label(statement)} | {statistics.median(times):.2f} |")
                    explainable = not statement.startswith("EXPLAIN")
                    if q in explain and explainable and args.database_url.startswith("postgres"):
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                        print("\n".join("    " + row[0] for row in cursor.fetchall()))
            finally:
                raw.rollback()
                raw.close()
    print("\n| query | statements, sum of medians |\n|---|---|")
    print("\n".join(f"| {q} | {ms:.2f} ms |" for q, ms in totals.items()))
    kinds = {"search": SEARCHES, "misspelt": MISSPELT, "synonym": SYNONYMS}
    print("\n| kind | sum over its queries |\n|---|---|")
    for kind, queries in kinds.items():
        print(f"| {kind} | {sum(totals.get(q, 0.0) for q in queries):.2f} ms |")
    print(f"load average {load_average()} after")


if __name__ == "__main__":
    main()
