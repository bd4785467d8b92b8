"""The statements of a province's listing page, timed inside the database (less shaken by
a loaded machine than the round trip ``bench.deep_pages`` times).

    PYTHONPATH=CHECKOUT python bench/province_page.py --database-url URL [--runs 15]

Asks ``/produk?provinsi=<largest province>&urut=<sort>&hal=<page>`` once through the shop
of ``PYTHONPATH`` (any checkout: the statements are the ones that code issues), then runs
each statement ``--runs`` times: on PostgreSQL ``EXPLAIN (ANALYZE, BUFFERS)`` and its
"Execution Time" (server side, no round trip); on SQLite the statement itself on a
connection of its own (``perf_counter`` around execute and fetch). Reports, per
statement, the minimum and median time, the shared buffers it touched (PostgreSQL) and
the first lines of its plan. The database must already be seeded (``bench.deep_pages``).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from urllib.parse import urlencode

from bench.deep_pages import StatementTimer, _shop


def _statements(app, province_sort_page: dict) -> list[tuple[str, object]]:
    from shop.extensions import db

    with app.app_context():
        timer = StatementTimer(db.engine)
    client = app.test_client(use_cookies=False)
    path = "/produk?" + urlencode(province_sort_page)
    client.get(path).close()  # warm: facet lists cached, as a visitor's request finds them
    timer.records, timer.on = [], True
    response = client.get(path)
    timer.on = False
    assert response.status_code == 200, response.status_code
    return [(sql, params) for sql, params, _ms in timer.records]


def _time_pg(engine, sql: str, params, runs: int) -> tuple[list[float], str, str]:
    times, buffers, plan = [], "", ""
    with engine.connect() as conn:
        for _ in range(runs):
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
            text = "\n".join(r[0] for r in rows)
            times.append(float(re.search(r"Execution Time: ([\d.]+) ms", text).group(1)))
            found = re.search(r"Buffers: shared hit=(\d+)", text)
            buffers = found.group(1) if found else "?"
            plan = text
    return times, buffers, plan


def _time_sqlite(engine, sql: str, params, runs: int) -> tuple[list[float], str, str]:
    times = []
    with engine.connect() as conn:
        plan = "\n".join(
            r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        )
        for _ in range(runs):
            start = time.perf_counter()
            conn.exec_driver_sql(sql, params).fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return times, "", plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--sort", default="terbaru")
    args = parser.parse_args()

    app = _shop(args.database_url)
    from shop.catalog import services
    from shop.extensions import db

    with app.app_context():
        province = max(services.province_facets(), key=lambda p: p.count).name
        engine = db.engine
    query = {"provinsi": province, "urut": args.sort, "hal": args.page}
    pg = engine.dialect.name == "postgresql"
    print(f"{engine.dialect.name} {query} load {os.getloadavg()[0]:.1f}")
    for sql, params in _statements(app, query):
        if not re.search(r"\bFROM product\b", sql) or "product_photo" in sql:
            continue
        timing = _time_pg if pg else _time_sqlite
        times, buffers, plan = timing(engine, sql, params, args.runs)
        kind = "count" if sql.lstrip().upper().startswith("SELECT COUNT") else "page"
        print(
            f"- {kind}: min {min(times):.2f} ms, median {statistics.median(times):.2f} ms"
            + (f", shared buffers hit {buffers}" if pg else "")
        )
        scans = [ln for ln in plan.splitlines() if "Scan" in ln or "SEARCH" in ln or "SCAN" in ln]
        sorts = [ln for ln in plan.splitlines() if "Sort Method" in ln or "TEMP B-TREE" in ln]
        for line in scans[:3] + sorts[:2]:
            print("    " + re.sub(r"\s*\(cost=[^)]*\)", "", line.strip()))
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
