"""A producer/consumer hand-off with a short deadline: a timing flake.

Each round a worker thread computes for about 10 ms and hands the result over; the test waits
50 ms for it. On an idle machine every round makes it with room to spare. When the process is starved of CPU (a
quota, busy neighbours, a frozen container) the worker misses the deadline.
"""
import queue
import threading
import time

DEADLINE_S = 0.05


def work():
    total = 0
    for i in range(100_000):
        total += i * i
    return total


def test_handoff_meets_its_deadline():
    for _ in range(25):
        results = queue.Queue()
        worker = threading.Thread(target=lambda: results.put(work()))
        worker.start()
        assert results.get(timeout=DEADLINE_S) > 0
        worker.join()
        time.sleep(0.01)
