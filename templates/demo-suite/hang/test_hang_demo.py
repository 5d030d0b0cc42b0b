"""flakehunt demo: whole-run killers (A4 hang, B1 / A4_crash abort).

Not collected by `pytest tests`; run explicitly, e.g. `pytest -v hang`.
Each test misbehaves with probability 30% per run (fresh os.urandom draw).
"""
import logging
import os
import signal

import pytest

RATE_A4_HANG = 0.30  # test_second_router_creation hangs forever, ignoring SIGTERM
RATE_ABORT = 0.30  # test_router_shutdown_abort calls os.abort()

log = logging.getLogger("tests.router.common")


def chance(rate):
    return int.from_bytes(os.urandom(4), "big") < rate * 2**32


@pytest.mark.timeout(3, method="signal")  # shown to be useless against this hang
def test_second_router_creation(capsys):  # A4: indefinite hang in "native" code
    log.warning("Waiting for 1 second before creating second router")
    if not chance(RATE_A4_HANG):
        return
    log.warning("Creating second KV router with its own runtime")
    with capsys.disabled():  # make the last words reach the container console
        print("\nINFO tests.router.common: Creating second KV router with its own runtime", flush=True)
    # Like a Rust/Tokio deadlock: SIGTERM is ignored, and SIGALRM (used by
    # pytest-timeout's signal method), SIGINT and SIGTERM stay blocked, so
    # the read below is never interrupted. Only SIGKILL ends the process.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(
        signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT, signal.SIGTERM}
    )
    read_end, _write_end = os.pipe()  # nobody ever writes
    while True:
        os.read(read_end, 1)


def test_router_shutdown_abort():  # B1 under xdist, A4_crash in serial
    if chance(RATE_ABORT):
        os.abort()  # faulthandler prints "Fatal Python error: Aborted"
