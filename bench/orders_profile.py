"""One buyer placing orders in one process: time, CPU and product-lock time per order.

    .venv/bin/python -m bench.orders_profile --database postgresql://postgres@127.0.0.1/kb_bench \
        --orders 300 [--cprofile 25]

In-process, serial (no contention), so the numbers say what one order costs: wall time,
this process's CPU time (Python: SQLAlchemy, templates), statements and commits, and how
long the product rows stay locked (from the statement that locks them, ``SELECT product…
FOR [NO KEY] UPDATE`` or the stock ``UPDATE product`` with such a subquery, to the
COMMIT). Medians over ``--orders`` orders of 1–3 lines after 20 warm-up orders. The
schema in the given database is dropped and recreated (``bench.orders_bench.prepare``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import secrets
import statistics
import time
from pathlib import Path

from bench.orders_bench import BUYER, _app, prepare


def measure(database: str, orders: int, cprofile: int) -> dict:
    product_ids = prepare(database, 500, 10_000)  # creates the app first: import after
    from sqlalchemy import event

    from shop.checkout.services import BuyerDetails, place_order
    from shop.extensions import db
    from shop.uow import unit_of_work

    app = _app(database)
    rng = random.Random(1)
    walls, cpus, locks, counts, commits = [], [], [], [], []
    with app.app_context():
        details = BuyerDetails(**BUYER)
        state = {"statements": 0, "commits": 0, "locked_at": None, "lock": 0.0}

        def on_sql(_conn, _cursor, statement, *_args) -> None:
            state["statements"] += 1
            if (
                state["locked_at"] is None
                and statement.startswith(("SELECT product.", "UPDATE product "))
                and "FOR " in statement
                and "UPDATE" in statement[statement.rindex("FOR ") :]
            ):
                state["locked_at"] = time.perf_counter()

        def on_commit(_conn) -> None:
            state["commits"] += 1
            if state["locked_at"] is not None:
                state["lock"] += time.perf_counter() - state["locked_at"]
                state["locked_at"] = None

        event.listen(db.engine, "before_cursor_execute", on_sql)
        event.listen(db.engine, "commit", on_commit)
        profile = cProfile.Profile() if cprofile else None

        def one() -> None:
            picks = rng.sample(product_ids, k=rng.choice([1, 2, 3]))
            with unit_of_work():
                place_order({pid: 1 for pid in picks}, details, "jne", secrets.token_hex(12))

        for _ in range(20):
            one()
        backend = _backend_pid()
        server_cpu = _cpu_seconds(backend)
        for _ in range(orders):
            state.update(statements=0, commits=0, lock=0.0, locked_at=None)
            wall, cpu = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            one()
            if profile:
                profile.disable()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            locks.append(state["lock"])
            counts.append(state["statements"])
            commits.append(state["commits"])
        event.remove(db.engine, "before_cursor_execute", on_sql)
        event.remove(db.engine, "commit", on_commit)
        server_cpu = _cpu_seconds(backend) - server_cpu
        if _backend_pid() != backend:
            raise RuntimeError("the orders ran on more than one server connection")
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(cprofile)
    ms = 1000
    return {
        "orders": orders,
        "wall_ms": statistics.median(walls) * ms,
        "cpu_ms": statistics.median(cpus) * ms,
        "server_cpu_ms": server_cpu / orders * ms,
        "lock_ms": statistics.median(locks) * ms,
        "lock_p90_ms": statistics.quantiles(locks, n=10)[-1] * ms,
        "statements": statistics.median(counts),
        "max_statements": max(counts),
        "commits": max(commits),
    }


def _backend_pid() -> int:
    from sqlalchemy import text

    from shop.extensions import db

    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.commit()
    return pid


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a local process (the PostgreSQL backend serving us)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1/kb_bench")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--cprofile", type=int, default=0, help="top N by own time")
    args = parser.parse_args()

    from shop.config import normalize_database_url

    result = measure(normalize_database_url(args.database), args.orders, args.cprofile)
    print(
        "orders {orders}: wall {wall_ms:.1f} ms, CPU {cpu_ms:.1f} ms (PostgreSQL backend "
        "{server_cpu_ms:.1f} ms, mean), product rows locked "
        "{lock_ms:.2f} ms (p90 {lock_p90_ms:.2f}), {statements:.0f} statements (at most "
        "{max_statements}) and at most {commits} commits per order (medians)".format(**result)
    )


if __name__ == "__main__":
    main()
