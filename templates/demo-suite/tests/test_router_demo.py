"""flakehunt demo suite: tests that fail at known rates, in the failure
styles of the router flaky-test investigation (A1, A2, A3, A5).

Every draw comes from os.urandom, so each run is independent of the others
(nothing is seeded by the iteration number). A passing run takes < 1 s.
"""
import os
import time

import pytest

# Per-run failure probability of each flaky test (see README.md).
RATE_A1_ROUTER_DECISIONS = 0.10  # test_router_decisions[jetstream-tcp]
RATE_A2_INDEXERS_SYNC = 0.10  # each of test_indexers_sync[file] / [nats_core]
RATE_A3_TIMEOUT = 0.05  # test_kv_events_timeout
RATE_A5_HF_FETCH = 0.03  # test_model_card_fetch


def chance(rate):
    """True with probability `rate`, using fresh OS randomness."""
    return int.from_bytes(os.urandom(4), "big") < rate * 2**32


@pytest.mark.parametrize(
    "store,transport", [("jetstream", "tcp")], ids=["jetstream-tcp"]
)
def test_router_decisions(store, transport):  # A1
    time.sleep(0.05)
    if chance(RATE_A1_ROUTER_DECISIONS):
        seen = [(0, 0), (0, 1), (0, 2)]  # events spread over 3 dp_ranks
    else:
        seen = [(0, 1)]
    assert len(seen) == 1, (
        "Expected exactly 1 (worker_id, dp_rank) to have events "
        f"(due to prefix reuse), but found {len(seen)} with events: {seen}"
    )


@pytest.mark.parametrize("mode", ["file", "nats_core"])
def test_indexers_sync(mode):  # A2
    time.sleep(0.05)
    router1_events = 100
    router2_events = 50 if chance(RATE_A2_INDEXERS_SYNC) else 100
    print(f"Router 1 has {router1_events} events, Router 2 has {router2_events} events")
    assert router1_events == router2_events, "Router states have different numbers of events"


@pytest.mark.timeout(2)
def test_kv_events_timeout():  # A3: pytest-timeout (signal method) -> "Failed: Timeout"
    time.sleep(4 if chance(RATE_A3_TIMEOUT) else 0.05)


def test_model_card_fetch():  # A5
    if chance(RATE_A5_HF_FETCH):
        print("Failed to fetch model 'Qwen/Qwen3-0.6B' from HuggingFace")
        raise ConnectionError(
            "error sending request for url "
            "(https://huggingface.co/api/models/Qwen/Qwen3-0.6B/revision/main)"
        )


def test_kv_push_router_bindings():
    assert sorted({3, 1, 2}) == [1, 2, 3]


def test_radix_tree_prefix_match():
    tree = {"a": {"b": {"c": {}}}}
    node, depth = tree, 0
    for token in "abc":
        node, depth = node[token], depth + 1
    assert depth == 3


@pytest.mark.parametrize("block_size", [16, 32, 64])
def test_block_hashing(block_size):
    tokens = list(range(256))
    blocks = [tuple(tokens[i : i + block_size]) for i in range(0, len(tokens), block_size)]
    assert len(blocks) == 256 // block_size
