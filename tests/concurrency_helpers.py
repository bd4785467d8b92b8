"""Real threads, each with its own app context and connection, against the real database."""

from __future__ import annotations

import threading

from shop.extensions import db


def run_threads(app, jobs):
    """Run each job in its own thread and app context, all released at once."""
    db.session.commit()  # end the test's own read snapshot before the threads write
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        with app.app_context():
            barrier.wait()
            try:
                results[index] = ("ok", job())
            except Exception as exc:  # noqa: BLE001 - recorded for the assertions
                results[index] = ("error", exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results
