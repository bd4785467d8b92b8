"""A worker's memory at start and after serving pages: RSS and peak RSS (``VmHWM``).

    .venv/bin/python -m bench.worker_memory --database-url sqlite:////path/to/bench.db

Reads ``/proc/self/status`` (Linux) after importing the shop, after ``create_app()`` and
after serving ``--pages`` home and catalog pages in-process, as a gunicorn worker would.
"""

from __future__ import annotations

import argparse
import os


def _memory() -> str:
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return f"RSS {fields['VmRSS'].strip()}, peak {fields['VmHWM'].strip()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pages", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-secret")
    print(f"python started: {_memory()}")
    from shop import create_app

    print(f"shop imported: {_memory()}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    print(f"create_app(): {_memory()}")
    client = app.test_client(use_cookies=False)
    for n in range(args.pages):
        client.get("/" if n % 2 else "/produk")
    print(f"after {args.pages} pages: {_memory()}")


if __name__ == "__main__":
    main()
