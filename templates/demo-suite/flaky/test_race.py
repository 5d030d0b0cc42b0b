"""A producer/consumer race with a short deadline: a timing flake.

A producer thread puts a timestamp on a queue every 5 ms; the test consumes them while it works
and requires the newest one to be under 50 ms old. On an idle machine it is never older than a few
milliseconds. When the process is starved of CPU (a quota, a frozen container), both threads stop
together; whichever runs first afterwards decides: if it is the consumer, it finds only stale items.
"""
import queue
import threading
import time

DEADLINE_S = 0.05


def produce(items, stop):
    while not stop.is_set():
        items.put(time.monotonic())
        time.sleep(0.005)


def work():
    total = 0
    for i in range(150_000):
        total += i * i
    return total


def test_consumer_sees_fresh_items():
    items, stop = queue.Queue(), threading.Event()
    producer = threading.Thread(target=produce, args=(items, stop), daemon=True)
    producer.start()
    newest = items.get(timeout=1)
    try:
        for _ in range(60):
            work()
            while not items.empty():
                newest = items.get_nowait()
            age = time.monotonic() - newest
            assert age < DEADLINE_S, f"the newest item is {age * 1000:.0f} ms old, over the {DEADLINE_S * 1000:.0f} ms deadline"
            time.sleep(0.008)
    finally:
        stop.set()
        producer.join()
