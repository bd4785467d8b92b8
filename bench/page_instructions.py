"""Instructions per request of the public pages, counted by callgrind: repeatable on a
shared machine, where CPU time in-process (bench/page_cpu.py) moves with the load.

    .venv/bin/python -m bench.page_instructions --products 5000
    .venv/bin/python -m bench.page_instructions --database-url postgresql://…/kb_perf_{n}

Needs valgrind and a C compiler (a three-line helper starts and stops the count around
the requests). The shop is built as bench/page_cpu.py builds it (every page cache off,
facet lists kept as usual) and runs under ``valgrind --tool=callgrind`` with the count off
while it starts and warms up; each page is then asked ``--requests`` times by a new
visitor and the instructions counted. On SQLite they include the database engine's own
work (it runs in the process); on PostgreSQL the server's work is not counted.
``--cold-fragments`` forgets the kept cards and sidebars before every request. Takes
about a minute per database at 50,000 products.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.catalog_bench import database_for
from bench.servers import ROOT

HELPER = r"""
#include <valgrind/callgrind.h>
void start(void) {
  CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; CALLGRIND_TOGGLE_COLLECT;
}
void stop(const char *page) {
  CALLGRIND_TOGGLE_COLLECT; CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT(page);
}
"""


def _pages(app) -> list[str]:
    """Home, catalog, a search, the largest facility's page and a product page."""
    from sqlalchemy import select

    from bench.page_cpu import largest_facility
    from shop.catalog.models import Product
    from shop.extensions import db

    facility = largest_facility(app)
    with app.app_context():
        product = db.session.scalar(
            select(Product.slug)
            .where(Product.status == "active", Product.on_hand > 0)
            .order_by(Product.id)
            .offset(777)
            .limit(1)
        )
    return ["/", "/produk", "/produk?q=batik+tulis", f"/fasilitas/{facility}", f"/produk/{product}"]


def _inner(args) -> None:
    """Runs under callgrind: warm up, then count each page's requests."""
    from bench.page_cpu import _shop

    helper = ctypes.CDLL(args.helper)
    app = _shop(args.database_url, 0, 1, args.card_cache_size)
    client = app.test_client(use_cookies=False)
    if args.cold_fragments:
        from shop.catalog import fragments

    for path in _pages(app):
        for _ in range(5):  # templates compiled, facet lists kept, cards kept
            client.get(path).close()
        helper.start()
        for _ in range(args.requests):
            if args.cold_fragments:
                fragments.clear()
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            response.close()
        helper.stop(path.encode())


def measure(args) -> list[tuple[str, int]]:
    url = database_for(args.products, args.facilities, args.database_url)
    with tempfile.TemporaryDirectory() as work:
        helper = Path(work) / "callgrind_helper.so"
        source = Path(work) / "helper.c"
        source.write_text(HELPER)
        subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", helper, source], check=True)
        out = Path(work) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--collect-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-m",
            "bench.page_instructions",
            "--inner",
            "--helper",
            str(helper),
            "--database-url",
            url,
            "--requests",
            str(args.requests),
            "--card-cache-size",
            str(args.card_cache_size),
            *(["--cold-fragments"] if args.cold_fragments else []),
        ]
        subprocess.run(command, check=True, cwd=ROOT, capture_output=True, timeout=900)
        results = []
        for dump in sorted(Path(work).glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:])):
            text = dump.read_text()
            page = text.split("Client Request: ", 1)[1].split("\n", 1)[0]
            total = int(text.split("\ntotals: ", 1)[1].split()[0])
            results.append((page, total // args.requests))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--facilities", type=int, default=25)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--card-cache-size", type=int, default=2000)
    parser.add_argument("--cold-fragments", action="store_true", help="forget them per request")
    parser.add_argument("--database-url", help="with {n} for the number of products")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--helper", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        _inner(args)
        return
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    for page, instructions in measure(args):
        print(f"| {page} | {instructions / 1e6:.1f} M |")


if __name__ == "__main__":
    main()
