"""How long ``ledger-check`` takes on a large history (issue: "a few seconds on 100,000
orders"), on a scratch database.

The demo seed places and pays a few real orders through the services; their rows
(orders, parts, lines, payments, money rows, journal entries, postings) are then copied
with fresh ids and unique values until the history holds ``--orders`` paid orders, and
``problems()`` is timed (it must also come out clean: the copies balance like the
originals).

    DATABASE_URL=sqlite:////tmp/lc/scale.db python -m bench.ledger_check_scale --orders 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lc_scale python -m bench.ledger_check_scale
"""

from __future__ import annotations

import argparse
import os
import random
import time

from sqlalchemy import func, insert, select

# Copied in this order; each maps its id column and the foreign keys to copied tables.
TABLES = [
    ("shop_order", {}),
    ("facility_order", {"order_id": "shop_order"}),
    ("order_line", {"order_id": "shop_order", "facility_order_id": "facility_order"}),
    ("payment", {"order_id": "shop_order"}),
    (
        "payment_transaction",
        {"payment_id": "payment", "order_id": "shop_order", "facility_order_id": "facility_order"},
    ),
    ("journal_entry", {"order_id": "shop_order"}),
    ("posting", {"entry_id": "journal_entry", "facility_order_id": "facility_order"}),
]
UNIQUE_TEXT = {
    "shop_order": ("number", "public_token", "idempotency_key"),
    "payment_transaction": ("reference",),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=40, help="real orders placed first")
    args = parser.parse_args()

    from shop import create_app
    from shop.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
    with app.app_context():
        import flask_migrate

        flask_migrate.upgrade()
        from shop.demo.cli import seed_demo
        from shop.demo.orders import seed_demo_orders
        from shop.ledger.check import problems

        if not db.session.scalar(select(func.count()).select_from(db.metadata.tables["product"])):
            app.test_cli_runner().invoke(seed_demo, ["--facilities", "5", "--products", "60"])
            seed_demo_orders(args.base, random.Random(7))
        _copy_until(db, args.orders)
        db.session.commit()
        paid = db.session.scalar(select(func.count()).select_from(db.metadata.tables["shop_order"]))
        postings = db.session.scalar(
            select(func.count()).select_from(db.metadata.tables["posting"])
        )
        started = time.perf_counter()
        found = problems()
        took = time.perf_counter() - started
        print(
            f"orders {paid}, postings {postings}: ledger-check {took:.2f} s, "
            f"{len(found)} difference(s)"
        )
        for line in found[:10]:
            print("  ", line)


def _copy_until(db, target: int) -> None:
    tables = {name: db.metadata.tables[name] for name, _ in TABLES}
    # Paid orders only: an unpaid one's pending transfer amount must stay unique.
    orders = tables["shop_order"]
    paid = set(
        db.session.scalars(
            select(orders.c.id).where(
                orders.c.status.in_(("paid", "partially_refunded", "refunded"))
            )
        )
    )
    base: dict[str, list[dict]] = {}
    for name, t in tables.items():
        rows = [dict(r) for r in db.session.execute(select(t)).mappings()]
        if name == "shop_order":
            rows = [r for r in rows if r["id"] in paid]
        elif name == "posting":
            entries = {r["id"] for r in base["journal_entry"]}
            rows = [r for r in rows if r["entry_id"] in entries]
        else:
            rows = [r for r in rows if r.get("order_id") in paid and r.get("status") != "pending"]
        base[name] = rows
    have = len(base["shop_order"])
    if have == 0 or have >= target:
        return
    top = {name: db.session.scalar(select(func.max(t.c.id))) or 0 for name, t in tables.items()}
    copies = (target - have) // have
    for n in range(1, copies + 1):
        offset = {name: top[name] * n for name in tables}
        for name, fks in TABLES:
            rows = []
            for row in base[name]:
                new = dict(row, id=row["id"] + offset[name])
                for column, target_table in fks.items():
                    if new.get(column) is not None:
                        new[column] = new[column] + offset[target_table]
                for column in UNIQUE_TEXT.get(name, ()):
                    new[column] = f"{new[column]}~{n}"[: 64 if column != "reference" else 255]
                if name == "journal_entry":
                    new["source_id"] = f"{new['source_id']}~{n}"
                rows.append(new)
            db.session.execute(insert(tables[name]), rows)
        if n % 100 == 0:
            db.session.commit()
            print(f"  {have * (n + 1)} orders…", flush=True)


if __name__ == "__main__":
    main()
