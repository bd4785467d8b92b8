"""CPU per request of the pages every visitor sees, in-process, with and without a session.

    .venv/bin/python -m bench.page_cpu --products 5000
    .venv/bin/python -m bench.page_cpu --database-url postgresql://postgres@127.0.0.1/kb_cpu_{n}

Seeds a benchmark database when it has no products yet (as ``bench.catalog_bench``
does), builds the shop with production settings and every page cache off
(``CATALOG_PAGE_CACHE_SECONDS=0``, or ``--page-cache-seconds``; the facet lists keep their usual
``CATALOG_FACET_TTL``), and serves each page through Flask's test client, in this
process, measuring ``time.process_time()`` per request: no network, no load generator,
so the number is the shop's own CPU (plus the test client's, which the floor pays too).

Each page is asked as a new visitor (no cookie) and as a shopper with a session cookie
holding a one-item cart; the product page takes a random product each time. The floor
is ``bench/floor_app.py`` serving the shop's own product page as static text through
the same client. Also reported: whether a new visitor's product view sets a cookie, and
the statements each page issues. Medians of ``--rounds`` rounds, pages interleaved.

"product (hot)" takes one of ``HOT_PRODUCTS`` products each time: with the page cache on,
their bodies stay kept (a random product of thousands mostly misses the bounded cache).
``--version-check-seconds`` sets ``CATALOG_VERSION_CHECK_SECONDS`` (0: the catalog
version is read on every request), to measure what the check costs.

Rendered product cards and filter sidebars (shop/catalog/fragments.py) are kept as in
production; ``--cold-fragments`` forgets them before every request (each page's products
seen for the first time), ``--card-cache-size 0`` keeps no cards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.catalog_bench import database_for
from bench.servers import ROOT, load_average, publish, shop_env

PAGES = ("product", "product (hot)", "home", "catalog", "search", "facility")
HOT_PRODUCTS = 10  # "product (hot)": one of the first this many, as popular products are


def _shop(
    database_url: str, page_cache_seconds: float, version_check_seconds: float, card_cache: int
):
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
            "CATALOG_PAGE_CACHE_SECONDS": page_cache_seconds,
            "CATALOG_VERSION_CHECK_SECONDS": version_check_seconds,
            "CATALOG_CARD_CACHE_SIZE": card_cache,
        }
    )


def _slugs(app) -> list[str]:
    from sqlalchemy import select

    from shop.catalog.models import Product
    from shop.extensions import db

    with app.app_context():
        return list(
            db.session.scalars(
                select(Product.slug).where(Product.status == "active", Product.on_hand > 0)
            )
        )


def _session_cookie(app, slug: str) -> str:
    """The cookie of a shopper who put one product in the cart (a real add-to-cart) and
    looked at it."""
    client = app.test_client()
    page = client.get(f"/produk/{slug}").get_data(as_text=True)
    product_id = page.split('name="product_id" value="', 1)[1].split('"', 1)[0]
    data = {"product_id": product_id, "quantity": "1"}
    if 'name="csrf_token"' in page:  # before issue 13 the form carried the session token
        data["csrf_token"] = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    added = client.post("/keranjang/tambah", data=data, headers={"Origin": "http://localhost"})
    assert added.status_code in (302, 303), added.status_code
    # As a browser would: the cart page shows (and so drops) the "added" message, the
    # next page the cookie the shopper then keeps.
    client.get("/keranjang")
    client.get("/produk")
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None, "adding to the cart started no session"
    return f"{name}={cookie.value}"


def largest_facility(app) -> str:
    from sqlalchemy import func, select

    from shop.catalog.models import Product
    from shop.extensions import db
    from shop.facilities.models import Facility

    with app.app_context():  # the facility with the most products
        return db.session.scalar(
            select(Facility.slug)
            .join(Product, Product.facility_id == Facility.id)
            .where(Facility.active)
            .group_by(Facility.slug)
            .order_by(func.count().desc())
            .limit(1)
        )


def _paths(page: str, slugs: list[str], rng: random.Random, facility: str) -> str:
    if page == "product":
        return f"/produk/{rng.choice(slugs)}"
    if page == "product (hot)":
        return f"/produk/{rng.choice(slugs[:HOT_PRODUCTS])}"
    if page == "facility":
        return f"/fasilitas/{facility}"
    return {"home": "/", "catalog": "/produk", "search": "/produk?q=batik+tulis"}[page]


def _statements(app, path: str, cookie: str | None) -> int:
    from sqlalchemy import event

    from shop.extensions import db

    count = [0]

    def counted(*_args):
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        app.test_client(use_cookies=False).get(path, headers={"Cookie": cookie} if cookie else {})
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count[0]


def _cpu_ms(client, paths: list[str], cookie: str | None, cold: bool = False) -> float:
    from shop.catalog import fragments

    headers = {"Cookie": cookie} if cookie else {}
    start = time.process_time()
    for path in paths:
        if cold:
            fragments.clear()
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        response.close()
    return (time.process_time() - start) * 1000 / len(paths)


def _floor(app, slug: str, pages_dir: Path):
    (pages_dir / "product.html").write_text(
        app.test_client(use_cookies=False).get(f"/produk/{slug}").get_data(as_text=True)
    )
    os.environ["FLOOR_PAGES"] = str(pages_dir)
    sys.path.insert(0, str(ROOT))
    from bench.floor_app import app as floor_app

    return floor_app


def measure(args) -> list[str]:
    database_url = database_for(args.products, args.facilities, args.database_url)
    app = _shop(
        database_url, args.page_cache_seconds, args.version_check_seconds, args.card_cache_size
    )
    slugs = _slugs(app)
    facility = largest_facility(app)
    rng = random.Random(13)
    cookie = _session_cookie(app, slugs[0])
    anon = app.test_client(use_cookies=False)
    new_visitor = anon.get(f"/produk/{rng.choice(slugs)}")
    sets_cookie = "Set-Cookie" in new_visitor.headers
    with tempfile.TemporaryDirectory() as pages_dir:
        floor_client = _floor(app, slugs[0], Path(pages_dir)).test_client()
        # Warm up: templates compiled, facet lists kept, statement caches filled.
        for page in PAGES:
            _cpu_ms(anon, [_paths(page, slugs, rng, facility) for _ in range(20)], None)
            _cpu_ms(anon, [_paths(page, slugs, rng, facility) for _ in range(20)], cookie)
        _cpu_ms(floor_client, ["/product"] * 50, None)
        statements = {
            (page, label): _statements(app, _paths(page, slugs, rng, facility), c)
            for page in PAGES
            for label, c in (("no cookie", None), ("session cookie", cookie))
        }
        samples: dict[tuple[str, str], list[float]] = {}
        load_before = load_average()
        for _round in range(args.rounds):
            for page in PAGES:
                for label, c in (("no cookie", None), ("session cookie", cookie)):
                    paths = [_paths(page, slugs, rng, facility) for _ in range(args.requests)]
                    samples.setdefault((page, label), []).append(
                        _cpu_ms(anon, paths, c, args.cold_fragments)
                    )
            floor = _cpu_ms(floor_client, ["/product"] * args.requests, None)
            samples.setdefault(("floor (product page as static text)", "no cookie"), []).append(
                floor
            )
        load_after = load_average()

    cache = f"{args.page_cache_seconds:g} s" if args.page_cache_seconds else "off"
    if not args.card_cache_size:
        kept = "no product cards kept"
    elif args.cold_fragments:
        kept = "cards and sidebars forgotten before every request (cold)"
    else:
        kept = f"up to {args.card_cache_size} product cards and the sidebars kept (warm)"
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    floor_ms = statistics.median(samples[("floor (product page as static text)", "no cookie")])
    lines = [
        f"### CPU per request in-process, {engine}, {args.products:,} products — "
        f"{dt.date.today().isoformat()}",
        "",
        f"`{' '.join(['.venv/bin/python -m bench.page_cpu', *sys.argv[1:]])}` — "
        f"code at `{args.label}`; page cache {cache}; {kept}; catalog version read at most every "
        f"{args.version_check_seconds:g} s; {args.requests} requests per page and "
        f"cookie state per round, median of {args.rounds} rounds; load average "
        f"{load_before} before, {load_after} after. A new visitor's product view "
        f"{'**sets a cookie**' if sets_cookie else 'sets no cookie'}.",
        "",
        "| page | cookie | CPU per request | ÷ floor CPU | statements |",
        "|---|---|---|---|---|",
    ]
    for (page, label), values in samples.items():
        ms = statistics.median(values)
        stmts = statements.get((page, label), 0)
        lines.append(f"| {page} | {label} | {ms:.2f} ms | {ms / floor_ms:.1f}× | {stmts} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--facilities", type=int, default=25)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page-cache-seconds", type=float, default=0)
    parser.add_argument("--version-check-seconds", type=float, default=1)
    parser.add_argument("--card-cache-size", type=int, default=2000)
    parser.add_argument("--cold-fragments", action="store_true", help="forget them per request")
    parser.add_argument("--database-url", help="with {n} for the number of products")
    parser.add_argument("--label", default="this checkout", help="which code was measured")
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()
    publish("\n".join(measure(args)) + "\n", args.record)


if __name__ == "__main__":
    main()
