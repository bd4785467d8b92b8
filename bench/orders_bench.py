"""Orders placed per second on PostgreSQL by concurrent buyers; zero oversold.

    .venv/bin/python -m bench.orders_bench --database postgresql://postgres@127.0.0.1/kb_bench \
        --buyers 16 --seconds 10 [--record]

Each buyer is a separate process (like gunicorn workers) with its own app and
connection, placing 1–3 line orders through ``checkout.place_order`` in a loop. Two
scenarios: 500 products with ample stock, and 5 products with little stock that all
buyers fight over (they sell out mid-run). After each run the invariants are checked:
``allocated`` equals the live allocations, ``0 ≤ allocated ≤ on_hand``, and no product
has more units held than it started with. The schema in the given database is dropped
and recreated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import random
import secrets
import time

from bench.servers import publish

BUYER = dict(
    name="Bench Buyer",
    email="bench@example.com",
    phone="+6281234567890",
    street="Jl. Bench 1",
    province="DKI Jakarta",
    city="Jakarta Selatan",
    district="Tebet",
    postal_code="12810",
)


def _app(database: str):
    from shop import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench"})


def prepare(database: str, products: int, stock: int) -> list[int]:
    import flask_migrate
    from sqlalchemy import text

    from bench.servers import ensure_postgres_database
    from shop.catalog.models import Category, Product
    from shop.extensions import db
    from shop.facilities.models import Facility
    from shop.shipping.services import ensure_default_rates

    ensure_postgres_database(database)
    app = _app(database)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        ensure_default_rates()
        provinces = ["Jawa Timur", "Bali", "Jawa Tengah", "Sumatera Utara", "Banten"]
        facilities = [
            Facility(
                slug=f"lapas-{i}",
                name=f"Lapas Bench {i}",
                kind="Lapas",
                province=provinces[i],
                city="Kota",
            )
            for i in range(5)
        ]
        category = Category(slug="bench", name_id="Bench", name_en="Bench")
        db.session.add_all([*facilities, category])
        db.session.flush()
        rows = [
            Product(
                facility_id=facilities[i % 5].id,
                province=facilities[i % 5].province,
                category_id=category.id,
                slug=f"p-{i}",
                sku=f"SKU-{i}",
                name=f"Produk {i}",
                price=100_000 + i * 100,
                weight_grams=500,
                status="active",
                on_hand=stock,
            )
            for i in range(products)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [p.id for p in rows]


def buyer(args) -> tuple[int, int, int]:
    database, product_ids, seconds, seed, start_at = args
    from shop.checkout.services import BuyerDetails, CheckoutProblem, place_order
    from shop.inventory.services import OutOfStock
    from shop.uow import unit_of_work

    rng = random.Random(seed)
    app = _app(database)
    placed = refused = errors = 0
    with app.app_context():
        details = BuyerDetails(**BUYER)
        while time.time() < start_at:
            time.sleep(0.005)
        deadline = start_at + seconds
        while time.time() < deadline:
            picks = rng.sample(product_ids, k=min(len(product_ids), rng.choice([1, 2, 3])))
            try:  # the checkout view's unit of work: the e-mail is rendered after it
                with unit_of_work():
                    place_order({pid: 1 for pid in picks}, details, "jne", secrets.token_hex(12))
                placed += 1
            except (OutOfStock, CheckoutProblem):
                refused += 1
            except Exception:  # noqa: BLE001 - counted and reported
                errors += 1
    return placed, refused, errors


def check(database: str, stock: int) -> dict:
    from sqlalchemy import func, select

    from shop.catalog.models import Product
    from shop.extensions import db
    from shop.inventory.models import StockAllocation
    from shop.inventory.services import invariant_violations

    app = _app(database)
    with app.app_context():
        problems = invariant_violations()
        held = db.session.execute(
            select(StockAllocation.product_id, func.sum(StockAllocation.quantity)).group_by(
                StockAllocation.product_id
            )
        ).all()
        oversold = sum(1 for _pid, total in held if total > stock)
        sold_out = db.session.scalar(
            select(func.count()).where(Product.on_hand - Product.allocated == 0)
        )
        return {"problems": problems, "oversold": oversold, "sold_out": sold_out}


def scenario(database: str, name: str, products: int, stock: int, buyers: int, seconds: float):
    product_ids = prepare(database, products, stock)
    start_at = time.time() + 3.0  # every process imported and connected before the start
    jobs = [(database, product_ids, seconds, i, start_at) for i in range(buyers)]
    with mp.get_context("fork").Pool(buyers) as pool:
        results = pool.map(buyer, jobs)
    placed = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    errors = sum(r[2] for r in results)
    verdict = check(database, stock)
    return {
        "name": name,
        "products": products,
        "stock": stock,
        "buyers": buyers,
        "seconds": seconds,
        "placed": placed,
        "refused": refused,
        "errors": errors,
        "per_second": placed / seconds,
        **verdict,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1/kb_bench")
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()

    from shop.config import normalize_database_url

    database = normalize_database_url(args.database)
    runs = [
        scenario(database, "500 products, ample stock", 500, 10_000, args.buyers, args.seconds),
        scenario(database, "5 products, scarce stock", 5, 60, args.buyers, args.seconds),
    ]
    lines = [
        f"## Orders placed per second ({dt.date.today()})",
        "",
        f"`python -m bench.orders_bench --buyers {args.buyers} --seconds {args.seconds:g}` on "
        "PostgreSQL (local), buyers as separate processes calling `place_order` "
        "(allocation, order, parts, lines, bank-transfer code, audit, outbox mail), "
        "1–3 lines per order.",
        "",
        "| scenario | buyers | orders placed | orders/s | refused (sold out) | errors | "
        "oversold products | invariant problems |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run['name']} | {run['buyers']} | {run['placed']} | {run['per_second']:.0f} | "
            f"{run['refused']} | {run['errors']} | {run['oversold']} | {len(run['problems'])} |"
        )
    publish("\n".join(lines) + "\n", args.record)


if __name__ == "__main__":
    main()
