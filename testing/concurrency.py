"""Running one action in several threads at the same moment (two staff, two workers)."""

import threading

from django.db import connections


def at_once(action, times: int = 2) -> list:
    """Run ``action()`` in ``times`` threads released together by a barrier; returns what
    each returned or the exception it raised (in the order they finished). Each thread
    uses its own database connection and closes it, so the test database can be dropped."""
    barrier = threading.Barrier(times)
    outcomes: list = []

    def run():
        try:
            barrier.wait()
            outcomes.append(action())
        except Exception as exc:  # noqa: BLE001 - the caller asserts on it
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
